#!/usr/bin/env node
// Completes the Helm 4 plugin folder helm-plugin/gateway-compat/ with the files it ships: the
// CLI (bin/gateway-compat.mjs and the core it runs, bin/gateway-compat-core.cjs: committed, so this
// needs no npm install), LICENSE and THIRD_PARTY_NOTICES.md. Then `helm plugin package helm-plugin/gateway-compat` makes the release
// tarball (README, "Helm 4 plugin release" has the signing recipe). scripts/build.mjs runs this too.
//
//   node scripts/helm-plugin.mjs
import { chmodSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLUGIN_FILES = [
  ['bin/gateway-compat.mjs', 'gateway-compat.mjs'],
  ['bin/gateway-compat-core.cjs', 'gateway-compat-core.cjs'],
  ['LICENSE', 'LICENSE'],
  ['THIRD_PARTY_NOTICES.md', 'THIRD_PARTY_NOTICES.md'],
];

export function copyIntoHelmPlugin(root) {
  const folder = path.join(root, 'helm-plugin/gateway-compat');
  for (const [from, to] of PLUGIN_FILES) copyFileSync(path.join(root, from), path.join(folder, to));
  chmodSync(path.join(folder, 'gateway-compat.mjs'), 0o755);
  return folder;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const folder = copyIntoHelmPlugin(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
  process.stdout.write(
    `${folder} is complete; package it with: helm plugin package ${path.relative(process.cwd(), folder) || '.'} --key NAME --keyring SECRET_KEYRING\n`,
  );
}
