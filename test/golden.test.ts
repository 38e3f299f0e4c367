// Golden cases: test/fixtures/<case>/ holds input.yaml, optional args.json (flags, run with the
// fixture folder as cwd) and either expected.yaml (the exact output) or expected-error.txt (lines
// stderr must contain; exit 1 and an empty stdout). Each case runs through the real CLI, and a
// successful output is run again to prove the run is idempotent.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './helpers/run-cli.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');
const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(path.join(FIXTURES, entry.name, 'input.yaml')))
  .map((entry) => entry.name);

describe('golden fixtures', () => {
  it('has cases to run', () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  for (const name of cases) {
    it(name, () => {
      const dir = path.join(FIXTURES, name);
      const read = (file: string): string | undefined =>
        existsSync(path.join(dir, file)) ? readFileSync(path.join(dir, file), 'utf8') : undefined;
      const input = readFileSync(path.join(dir, 'input.yaml'));
      const args = JSON.parse(read('args.json') ?? '[]') as string[];
      const expected = read('expected.yaml');
      const expectedError = read('expected-error.txt');
      const result = runCli(['--report', 'none', ...args], input, { cwd: dir });

      if (expectedError !== undefined) {
        expect(result.stdout).toBe('');
        expect(result.status).toBe(1);
        for (const line of expectedError.split('\n').filter((l) => l.trim() !== '')) {
          expect(result.stderr).toContain(line);
        }
        return;
      }
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(expected, `${name}: expected.yaml is missing`).toBeDefined();
      expect(result.stdout).toBe(expected);

      const again = runCli(['--report', 'none', ...args], result.stdoutBytes, { cwd: dir });
      expect(again.status).toBe(0);
      expect(again.stdout).toBe(result.stdout);
    });
  }
});
