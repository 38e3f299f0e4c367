// Golden cases: test/fixtures/<group>/<case>/, where <group> is a rule's folder under src/rules/
// (sysctls, injection-templates, ...) or a group about the stream or the host (stream, errors,
// report, select, warnings: test/helpers/goldens.ts). A case holds input.yaml, optional args.json
// (flags, run with the case folder as cwd) and one golden:
// - expected.diff: the unified diff from input.yaml to the output, the form a reviewer reads. The
//   output is still held to its exact bytes: the diff of the real output must equal expected.diff
//   as text, and expected.diff applied to input.yaml must equal stdout byte for byte.
// - expected.yaml: the exact output, only in stream/, where bytes are the point (a BOM, CRLF line
//   ends, empty documents and `---`/`...` markers, untouched documents passed through as they came),
//   which a diff would not show unambiguously.
// - expected-error.txt: lines stderr must contain; exit 1 and an empty stdout.
// Each case runs through the real CLI, and a successful output is run again to prove the run is
// idempotent. UPDATE_GOLDEN=1 rewrites expected.diff / expected.yaml from the real output for
// review instead of asserting them (expected-error.txt is written by hand); with CI also set, the
// test refuses to run.
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyOutputDiff,
  goldenLayout,
  notDiffable,
  NON_RULE_GROUPS,
  outputDiff,
  outputGoldenFile,
  RULE_GROUPS,
  updateHint,
  updatingGoldens,
} from './helpers/goldens.js';
import { RULES } from '../src/rules/index.js';
import { runCli } from './helpers/run-cli.js';

const { cases, strays } = goldenLayout();
const UPDATE = updatingGoldens();

describe('golden fixtures', () => {
  it('has cases to run, in every rule folder, and no stray folder', () => {
    expect(cases.length).toBeGreaterThan(40);
    expect(strays, 'folders under test/fixtures/ that are not <rule or group>/<case>/ with an input.yaml').toEqual([]);
    expect(RULE_GROUPS).toHaveLength(RULES.length);
    for (const group of [...RULE_GROUPS, ...Object.keys(NON_RULE_GROUPS)]) {
      expect(
        cases.some((golden) => golden.group === group),
        group,
      ).toBe(true);
    }
  });

  it('refuses UPDATE_GOLDEN in CI', () => {
    expect(() => updatingGoldens({ CI: 'true', UPDATE_GOLDEN: '1' })).toThrow(/UPDATE_GOLDEN is set in CI/);
    expect(updatingGoldens({ UPDATE_GOLDEN: '1' })).toBe(true);
    expect(updatingGoldens({ CI: 'true' })).toBe(false);
  });

  for (const golden of cases) {
    it(golden.id, () => {
      const { dir } = golden;
      const file = (name: string): string => path.join(dir, name);
      const read = (name: string): string | undefined => (existsSync(file(name)) ? readFileSync(file(name), 'utf8') : undefined);
      const inputBytes = readFileSync(file('input.yaml'));
      const input = inputBytes.toString('utf8');
      const args = JSON.parse(read('args.json') ?? '[]') as string[];
      const expectedError = read('expected-error.txt');
      const result = runCli(['--report', 'none', ...args], inputBytes, { cwd: dir });

      if (expectedError !== undefined) {
        expect(read('expected.diff') ?? read('expected.yaml'), `${golden.id}: an error case has no output golden`).toBeUndefined();
        expect(result.stdout).toBe('');
        expect(result.status).toBe(1);
        for (const line of expectedError.split('\n').filter((l) => l.trim() !== '')) {
          expect(result.stderr).toContain(line);
        }
        return;
      }
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);

      const goldenFile = outputGoldenFile(golden);
      const otherForm = file(golden.exactBytes ? 'expected.diff' : 'expected.yaml');
      if (UPDATE) {
        writeFileSync(goldenFile, golden.exactBytes ? result.stdoutBytes : outputDiff(input, result.stdout));
        if (existsSync(otherForm)) unlinkSync(otherForm);
      }
      expect(existsSync(otherForm), `${golden.id}: ${path.basename(otherForm)} does not belong in group ${golden.group}`).toBe(false);
      expect(existsSync(goldenFile), updateHint(goldenFile, true)).toBe(true);

      if (golden.exactBytes) {
        const expected = readFileSync(goldenFile);
        expect(result.stdout, updateHint(goldenFile)).toBe(expected.toString('utf8'));
        expect(result.stdoutBytes.equals(expected), updateHint(goldenFile)).toBe(true);
      } else {
        // a diff golden must be unambiguous: bytes a diff hides belong in stream/ with expected.yaml
        expect(notDiffable(input), `${golden.id}: input.yaml`).toBeUndefined();
        expect(notDiffable(result.stdout), `${golden.id}: the output`).toBeUndefined();
        const expectedDiff = readFileSync(goldenFile, 'utf8');
        expect(outputDiff(input, result.stdout), updateHint(goldenFile)).toBe(expectedDiff);
        const applied = applyOutputDiff(input, expectedDiff);
        expect(applied, `${golden.id}: expected.diff does not apply to input.yaml`).toBeDefined();
        expect(Buffer.from(applied ?? '', 'utf8').equals(result.stdoutBytes), updateHint(goldenFile)).toBe(true);
      }

      const again = runCli(['--report', 'none', ...args], result.stdoutBytes, { cwd: dir });
      expect(again.status).toBe(0);
      expect(again.stdout).toBe(result.stdout);
    });
  }
});
