// One timed run of one command: wall time, peak resident memory, output size, exit status.
//
// stdin is a file descriptor handed to the child (the harness never reads the input, so a 100 MB file
// costs it nothing); stdout is a pipe whose bytes are counted and dropped (to catch "empty output"
// without keeping anything in memory). Peak RSS comes from GNU time (`%M`, KB), because Node's
// spawn gives no rusage of a child; without GNU time it is reported as n/a.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const GNU_TIME = '/usr/bin/time';

/** True when /usr/bin/time is GNU time (busybox and BSD time lack -f/-o with these meanings). */
export const hasGnuTime = (() => {
  const r = spawnSync(GNU_TIME, ['--version'], { encoding: 'utf8' });
  return !r.error && /GNU/.test(`${r.stdout}${r.stderr}`);
})();

const scratch = mkdtempSync(path.join(tmpdir(), 'gc-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
let runs = 0;

// Children run in their own process group (see spawn below), so Ctrl-C or a CI timeout on the harness
// would not reach them: forward the signal to the running child's group.
let current = null;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (current)
      try {
        process.kill(-current.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    process.exit(130);
  });
}

/**
 * @param {string[]} argv command and arguments
 * @param {{stdin?: string, cwd?: string, timeoutMs?: number}} opts stdin: path of the input file (default /dev/null)
 * @returns {Promise<{ms:number, rssKB:number|null, outBytes:number, code:number|null, signal:string|null,
 *   timedOut:boolean, stderr:string}>}
 */
export function measure(argv, { stdin = '/dev/null', cwd, timeoutMs = 0 } = {}) {
  const rssFile = path.join(scratch, `rss-${runs++}`);
  const full = hasGnuTime ? [GNU_TIME, '-f', '%M', '-o', rssFile, ...argv] : argv;
  const inFd = openSync(stdin, 'r');
  return new Promise((resolve, reject) => {
    const start = performance.now();
    // detached: own process group, so a timeout kills the command and not just the time wrapper.
    const child = spawn(full[0], full.slice(1), { cwd, stdio: [inFd, 'pipe', 'pipe'], detached: true });
    closeSync(inFd);
    current = child;
    let outBytes = 0;
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => {
      outBytes += chunk.length;
    });
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const timer =
      timeoutMs > 0 &&
      setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, timeoutMs);
    child.on('error', reject);
    // 'close' (not 'exit'): all output has been counted.
    child.on('close', (code, signal) => {
      const ms = performance.now() - start;
      clearTimeout(timer);
      current = null;
      let rssKB = null;
      if (hasGnuTime && !timedOut) {
        // GNU time writes "Command exited with non-zero status N" before the value on failure.
        const last = readFileSync(rssFile, 'utf8').trim().split('\n').pop();
        rssKB = Number(last) || null;
        // GNU time exits with the command's status; a signal shows up as its own message.
        if (/terminated by signal/.test(readFileSync(rssFile, 'utf8'))) signal = 'signal';
      }
      rmSync(rssFile, { force: true });
      resolve({ ms, rssKB, outBytes, code, signal, timedOut, stderr });
    });
  });
}

/** Runs a command to completion and returns its stdout as text (for untimed output checks). */
export function capture(argv, { stdin = '/dev/null', cwd } = {}) {
  const inFd = openSync(stdin, 'r');
  try {
    const r = spawnSync(argv[0], argv.slice(1), { cwd, stdio: [inFd, 'pipe', 'pipe'], maxBuffer: 2 ** 30, encoding: 'utf8' });
    if (r.error) throw r.error;
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    closeSync(inFd);
  }
}
