// The one way every mode reads stdin: bounded (more than `limit` bytes is refused as soon as it
// arrives, src/hosts/stdio.ts), never through process.stdin (its stream modules cost start-up
// time), refused when it is a terminal if the mode says so, and checked to be UTF-8 text.
import { UsageError, type UserError } from '../errors.js';
import { readStdinUntil, stdinIsTerminal } from '../hosts/stdio.js';
import { continueTuned, isTuned } from '../hosts/v8-tuning.js';
import { TUNED_INPUT } from '../memory.js';
import { USAGE } from '../config/usage.js';
import { decodeText, sizeError } from './text.js';

export interface StdinOptions {
  readonly limit: number;
  /** the error when stdin is a terminal (nobody piped anything in); without it a terminal is read */
  readonly whenTerminal?: () => UserError;
  /** the error for more than `limit` bytes; by default the manifest modes' (it names --max-input-size) */
  readonly tooLarge?: (size: number, stoppedEarly: boolean) => UserError;
  /** a large stream continues in a Node.js with a small young generation (src/hosts/v8-tuning.ts) */
  readonly tuned?: boolean;
}

/** How the manifest modes (stream, KRM, values, patches, sail) read stdin. */
export function manifestStdin(limit: number): StdinOptions {
  return {
    limit,
    tuned: true,
    whenTerminal: () => new UsageError(`error: no input: pipe rendered manifests into gateway-compat (or name a FILE)\n\n${USAGE}`),
  };
}

export async function readStdinBytes(options: StdinOptions): Promise<Buffer> {
  const { limit } = options;
  if (options.whenTerminal && (await stdinIsTerminal())) throw options.whenTerminal();
  const tooLarge = options.tooLarge ?? ((size: number, stoppedEarly: boolean) => sizeError(size, limit, 'the input', stoppedEarly));
  const handOverAt = options.tuned && !isTuned() ? TUNED_INPUT : Number.POSITIVE_INFINITY;
  const read = readStdinUntil(limit, tooLarge, handOverAt);
  if (read.handOver) await continueTuned(read.fromFile ? undefined : read.bytes);
  return read.bytes;
}

/** All of stdin as text. */
export async function readStdin(options: StdinOptions): Promise<string> {
  return decodeText(await readStdinBytes(options), 'the input');
}
