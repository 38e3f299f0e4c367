// The one way every mode reads stdin: bounded (more than `limit` bytes is refused as soon as it
// arrives, src/hosts/stdio.ts), never through process.stdin (its stream modules cost start-up
// time), refused when it is a terminal if the mode says so, and checked to be UTF-8 text.
import { UsageError, type UserError } from '../errors.js';
import { readStdinUntil, stdinIsTerminal, type HandOverPolicy } from '../hosts/stdio.js';
import { continueTuned, isTuned } from '../hosts/v8-tuning.js';
import { LARGE_DOCUMENT, TUNED_INPUT, TUNED_STREAM } from '../memory.js';
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

/**
 * When a stream continues in a tuned Node.js (src/hosts/v8-tuning.ts). The small young generation
 * matters for one large document (a JSON or YAML List, whose tree and texts are alive together)
 * and for very large streams; a stream of many small documents below TUNED_STREAM stays within
 * its memory bound without it, and the restart (a second Node.js start-up, the input piped
 * through) is then a sixth of the run's time. So from TUNED_INPUT on, input that starts like JSON
 * hands over at once; other input is read on, and hands over at TUNED_STREAM bytes, or once read
 * when one of its documents is LARGE_DOCUMENT or larger.
 */
const TUNING: HandOverPolicy = {
  at: TUNED_INPUT,
  readOn: (head) => !startsLikeJson(head),
  readOnTo: TUNED_STREAM,
};

function startsLikeJson(head: Buffer): boolean {
  for (const byte of head) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    // a byte order mark, `{` or `[`: as the JSON reader would see it (src/yaml/json-reader.ts)
    return byte === 0x7b || byte === 0x5b || byte === 0xef;
  }
  return false;
}

/** @internal The size of the largest document of a stream, counted from one `---` at a line start to the next. */
export function largestDocument(bytes: Buffer): number {
  let largest = 0;
  let start = 0;
  for (let marker = bytes.indexOf('\n---'); marker !== -1; marker = bytes.indexOf('\n---', marker + 4)) {
    largest = Math.max(largest, marker - start);
    start = marker;
  }
  return Math.max(largest, bytes.length - start);
}

/** @internal Whether a stream read whole (below TUNED_STREAM) continues in a tuned Node.js after all. */
export function needsTuningOnceRead(bytes: Buffer): boolean {
  return bytes.length >= TUNED_INPUT && largestDocument(bytes) >= LARGE_DOCUMENT;
}

export async function readStdinBytes(options: StdinOptions): Promise<Buffer> {
  const { limit } = options;
  if (options.whenTerminal && (await stdinIsTerminal())) throw options.whenTerminal();
  const tooLarge = options.tooLarge ?? ((size: number, stoppedEarly: boolean) => sizeError(size, limit, 'the input', stoppedEarly));
  const tuning = options.tuned && !isTuned() ? TUNING : undefined;
  const read = readStdinUntil(limit, tooLarge, tuning);
  if (read.handOver) await continueTuned(read.fromFile ? undefined : read.bytes);
  if (tuning && needsTuningOnceRead(read.bytes)) await continueTuned(read.bytes);
  return read.bytes;
}

/** All of stdin as text. */
export async function readStdin(options: StdinOptions): Promise<string> {
  return decodeText(await readStdinBytes(options), 'the input');
}
