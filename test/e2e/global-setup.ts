// Runs once before the test files: makes sure the real Helm 3 and Helm 4 binaries are in
// .tools/bin, with the same installer CI uses, so `npm test` alone works on a fresh clone (it
// needs only the npm registry). A failure here does not stop the unit tests: the Helm tests then
// fail and say how to install Helm.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default function setup(): void {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/install-tools.mjs'), '--quiet'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 280_000,
  });
  if (result.status !== 0) {
    const rule = '!'.repeat(100);
    process.stderr.write(
      `\n${rule}\n!!! Could not install Helm 3/4 into .tools/bin (node scripts/install-tools.mjs):\n${(result.stderr || String(result.error ?? '')).trim()}\n!!! The Helm end-to-end tests will fail. Run the installer by hand to see why.\n${rule}\n`,
    );
  }
}
