// Runs the built CLI the way hosts do: a child process, bytes on stdin, exit code and both streams.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The one-file CLI every host runs (bin/post-render is its 0.1 alias).
export const POST_RENDER = path.join(REPO_ROOT, 'bin/gateway-compat.mjs');
export const CORPUS = path.resolve(REPO_ROOT, '../shared/corpus');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export function runCli(
  args: readonly string[],
  input: string | Buffer | undefined,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const result = spawnSync(process.execPath, [POST_RENDER, ...args], {
    input: input ?? '',
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    maxBuffer: 1024 ** 3,
  });
  return {
    status: result.status,
    stdout: result.stdout.toString('utf8'),
    stderr: result.stderr.toString('utf8'),
    stdoutBytes: result.stdout,
  };
}
