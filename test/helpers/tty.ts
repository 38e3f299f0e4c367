// Runs the built CLI with a terminal on stdin (and pipes on stdout/stderr, so the two stay apart),
// the way a person who forgets the `< file` would. python3's os.openpty gives the terminal; where
// python3 is missing, util-linux `script` does (it merges stdout and stderr into the terminal).
import { spawnSync } from 'node:child_process';
import { POST_RENDER, REPO_ROOT } from './run-cli.js';

export interface TtyResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** false when stdout and stderr could not be told apart (the `script` fallback) */
  separateStreams: boolean;
  /** the run was stopped after the timeout: the CLI waited for input */
  timedOut: boolean;
}

const PYTHON = `
import os, subprocess, sys, json
master, slave = os.openpty()
try:
    p = subprocess.run(sys.argv[1:], stdin=slave, capture_output=True, timeout=float(os.environ['TTY_TIMEOUT']))
    print(json.dumps({'status': p.returncode, 'stdout': p.stdout.decode('utf-8', 'replace'), 'stderr': p.stderr.decode('utf-8', 'replace'), 'timedOut': False}))
except subprocess.TimeoutExpired as e:
    print(json.dumps({'status': None, 'stdout': '', 'stderr': '', 'timedOut': True}))
`;

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

export function ttyRunnerAvailable(): boolean {
  return has('python3') || has('script');
}

export function runCliWithTtyStdin(args: readonly string[], timeoutSeconds = 10): TtyResult {
  if (has('python3')) {
    const result = spawnSync('python3', ['-c', PYTHON, process.execPath, POST_RENDER, ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, TTY_TIMEOUT: String(timeoutSeconds) },
    });
    const parsed = JSON.parse(result.stdout) as Omit<TtyResult, 'separateStreams'>;
    return { ...parsed, separateStreams: true };
  }
  const command = [process.execPath, POST_RENDER, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const result = spawnSync('script', ['-qec', command, '/dev/null'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: timeoutSeconds * 1000,
    // script's own stdin must not be a terminal we share; an empty pipe is closed at once.
    input: '',
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stdout,
    separateStreams: false,
    timedOut: result.error !== undefined && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT',
  };
}
