// Runs a real host program and returns everything a person would see from it. Asynchronous on
// purpose: a host can take a minute (pre-commit installs its environment), and a test worker
// blocked that long in spawnSync stops answering vitest and fails the run.
import { spawn } from 'node:child_process';

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  /** the command line, for assertion messages */
  command: string;
}

export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 110_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const err = Buffer.concat(stderr).toString('utf8');
      resolve({
        status,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: signal ? `${err}\n(killed by ${signal}: took longer than ${options.timeoutMs ?? 110_000} ms)` : err,
        command: [command, ...args].join(' '),
      });
    });
    child.stdin.on('error', () => undefined); // a host that never reads stdin
    child.stdin.end(options.input ?? '');
  });
}

/** A message for expect(): the command and what it printed, so a failure explains itself. */
export function explain(ran: Ran): string {
  return `${ran.command}\n--- exit ${ran.status}\n--- stdout:\n${ran.stdout.slice(0, 4000)}\n--- stderr:\n${ran.stderr.slice(0, 4000)}`;
}
