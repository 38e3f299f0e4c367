// Temporary folders for end-to-end tests: each test gets its own, removed afterwards
// (KEEP_E2E=1 keeps them and prints where they are, for debugging).
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export function scratchDir(label: string): string {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), `gateway-compat-e2e-${label}-`)));
  afterAll(() => {
    if (process.env.KEEP_E2E === '1') process.stderr.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
