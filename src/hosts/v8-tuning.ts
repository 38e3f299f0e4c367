// A large stream runs in a Node.js started with a small young generation.
//
// With V8's default semi-space (16 MB and more, growing on newer V8s), the young generation of a
// 100 MB run holds hundreds of MB of short-lived strings before a scavenge: the peak reached
// 526 MB on Node 24, 332 MB on Node 22 and 299 MB on Node 20, against 290, 284 and 270 MB with
// --max-semi-space-size=4 (no measurable cost in time). The flag only counts when the process
// starts (v8.setFlagsFromString after start-up changes nothing), and no host lets us choose how
// node is started: Helm 4 runs `node FILE`, kustomize a shell wrapper, a shebang cannot carry it
// on busybox. So a stream that reaches TUNED_INPUT hands itself over to a tuned child: the same
// command, with the bytes read so far and then the rest of stdin piped in. Below that size the
// restart would cost more (about 40 ms of start-up) than it saves, and nothing happens.
// node:child_process (and the net, dgram and stream modules it loads, about 4 ms) is loaded only
// when a large stream restarts.

export const YOUNG_GENERATION_FLAG = '--max-semi-space-size=4';
/** Set for the tuned child, so that it never restarts again. */
const TUNED_MARKER = 'GATEWAY_COMPAT_V8_TUNED';

/** Whether this process already runs with the young generation set (by us, or by the user). */
export function isTuned(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env[TUNED_MARKER] === '1') return true;
  const given = [...process.execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((flag) => /^--max[-_]semi[-_]space[-_]size\b/.test(flag));
}

/**
 * Runs this very command again in a tuned Node.js and ends this process as the child ends (its
 * exit code, or its signal). `head` is what was read from stdin so far; undefined when nothing
 * was read (stdin is a regular file, which the child then reads itself from where it stands).
 */
export async function continueTuned(head: Buffer | undefined): Promise<never> {
  const { spawn } = await import('node:child_process');
  const script = process.argv[1] as string;
  const child = spawn(process.execPath, [YOUNG_GENERATION_FLAG, ...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: [head === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'],
    env: { ...process.env, [TUNED_MARKER]: '1' },
  });
  const forwarded = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of forwarded) process.on(signal, forward);
  if (head !== undefined && child.stdin) {
    const input = child.stdin;
    // The child may stop reading early (an input over --max-input-size): its answer counts, not ours.
    input.on('error', () => undefined);
    input.write(head);
    process.stdin.on('error', () => input.end());
    process.stdin.pipe(input);
  }
  return new Promise<never>(() => {
    child.on('error', (error) => {
      process.stderr.write(`gateway-compat: cannot restart Node.js for a large input (${error.message})\n`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      for (const name of forwarded) process.off(name, forward);
      if (signal) process.kill(process.pid, signal);
      process.exit(code ?? 1);
    });
  });
}
