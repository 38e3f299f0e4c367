// The outcome matrix starts hundreds of short processes; on a 2-core CI machine shared with the
// other test files, a few at a time is as fast as it gets, and more only adds memory and noise.
import os from 'node:os';

const MAX = Math.max(2, Math.min(4, os.availableParallelism?.() ?? 2));
let running = 0;
const waiting: (() => void)[] = [];

export async function limited<T>(job: () => Promise<T>): Promise<T> {
  if (running >= MAX) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await job();
  } finally {
    running--;
    waiting.shift()?.();
  }
}
