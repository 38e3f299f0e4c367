// Reading stdin and writing stdout for streams of up to the 1 GiB input limit with bounded memory.
// Collecting chunks and concatenating them would hold the input twice and could not stop at a
// size limit; a 100 MB Helm stream must cost about its own size.
import { fstatSync, readSync, writeSync } from 'node:fs';
import { UserError } from '../errors.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Waits a moment when a non-blocking descriptor has nothing (EAGAIN) instead of spinning. */
function retryLater(error: unknown): boolean {
  if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
  Atomics.wait(pause, 0, 0, 2);
  return true;
}

function stdinIsADirectory(): UserError {
  return new UserError(
    'error: stdin is a directory (gateway-compat < folder/), not a stream of manifests\nfix: pipe the manifests in (cat folder/*.yaml | gateway-compat), or fix the files in place with gateway-compat --write folder/*.yaml',
    2,
  );
}

export interface StdinRead {
  /** what was read: all of stdin, or (handOver) the first bytes of it */
  bytes: Buffer;
  /** stdin reached the hand-over point: `bytes` is only its start, the rest is still to be read */
  handOver: boolean;
  /** handOver of a regular file, decided from its size before reading anything */
  fromFile: boolean;
}

/** Where reading may stop for a hand-over, and whether it does (src/input/stdin.ts decides). */
export interface HandOverPolicy {
  /** from this many bytes on, `readOn` is asked */
  readonly at: number;
  /** whether to read on past `at` instead of handing over now, from the first bytes (`head`) */
  readOn(head: Buffer): boolean;
  /** reading on, stdin hands over anyway at this many bytes (a regular file this large is not read at all) */
  readonly readOnTo: number;
}

/**
 * All of stdin, refusing more than `limit` bytes as soon as they arrive (every mode reads it
 * through src/input/stdin.ts); stops as soon as stdin proves to hold `handOver.at` bytes or more
 * and the policy does not read on, or `handOver.readOnTo` bytes (a regular file says its size before
 * anything is read): the caller then hands the input over to another process (src/hosts/v8-tuning.ts).
 */
export function readStdinUntil(
  limit: number,
  describeLimit: (size: number, stoppedEarly: boolean) => UserError,
  handOver: HandOverPolicy | undefined,
): StdinRead {
  let handOverAt = handOver?.at ?? Number.POSITIVE_INFINITY;
  let readingOn = false;
  // A regular file says its size (one exact buffer); a pipe or socket grows its buffer as it comes.
  let expected = 64 * 1024;
  try {
    const info = fstatSync(0);
    if (info.isDirectory()) throw stdinIsADirectory();
    if (info.isFile()) {
      if (info.size > limit) throw describeLimit(info.size, false);
      if (handOver && info.size >= handOver.at) {
        // decided from the size and the first bytes (read where they are, the offset stays), as a
        // pipe is at `at` bytes: handed over unread, the restarted run reads the file itself
        if (info.size >= handOver.readOnTo || !handOver.readOn(peek(Math.min(info.size, 64 * 1024)))) {
          return { bytes: Buffer.alloc(0), handOver: true, fromFile: true };
        }
        readingOn = true;
        handOverAt = handOver.readOnTo;
      }
      expected = info.size + 1;
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
  }
  let buffer = Buffer.allocUnsafe(Math.min(expected, limit + 1));
  let length = 0;
  for (;;) {
    if (length >= handOverAt) {
      if (!handOver || readingOn || !handOver.readOn(buffer.subarray(0, length))) {
        return { bytes: buffer.subarray(0, length), handOver: true, fromFile: false };
      }
      readingOn = true;
      handOverAt = handOver.readOnTo;
      continue;
    }
    if (length === buffer.length) {
      if (length > limit) throw describeLimit(length, true);
      const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, limit + 1));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    let read: number;
    try {
      read = readSync(0, buffer, length, buffer.length - length, null);
    } catch (error) {
      if (retryLater(error)) continue;
      if ((error as NodeJS.ErrnoException).code === 'EOF') break;
      if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw stdinIsADirectory();
      throw error;
    }
    if (read === 0) break;
    length += read;
  }
  if (length > limit) throw describeLimit(length, true);
  return { bytes: buffer.subarray(0, length), handOver: false, fromFile: false };
}

/** The first `size` bytes of the regular file that is stdin, without moving its offset. */
function peek(size: number): Buffer {
  const head = Buffer.allocUnsafe(size);
  let length = 0;
  while (length < size) {
    const read = readSync(0, head, length, size - length, length);
    if (read === 0) break;
    length += read;
  }
  return head.subarray(0, length);
}

function writeBytes(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      if (!retryLater(error)) throw error;
    }
  }
}

function writeAll(fd: number, text: string): void {
  writeBytes(fd, Buffer.from(text, 'utf8'));
}

/** Writes `text` to stdout synchronously, so that nothing queues up in memory behind a slow reader. */
export function writeStdout(text: string): void {
  writeAll(1, text);
}

const BATCH_BYTES = 1 << 20;

/**
 * Writes a stream's pieces to stdout synchronously, in batches of about 1 MiB encoded into one
 * buffer used again and again: few writes, and no joined string or new Buffer per batch, which
 * the young generation would have to hold (a 1 MiB string goes to the large-object space, kept
 * until a full collection) next to the transform's own peak.
 */
export function writeStdoutPieces(pieces: Iterable<string>): void {
  const batch = Buffer.allocUnsafe(BATCH_BYTES);
  let used = 0;
  for (const piece of pieces) {
    // a UTF-16 code unit takes at most 3 bytes in UTF-8: a piece that fits by that count fits whole
    if (piece.length * 3 > BATCH_BYTES - used) {
      writeBytes(1, batch.subarray(0, used));
      used = 0;
      if (piece.length * 3 > BATCH_BYTES) {
        writeLargePiece(batch, piece);
        continue;
      }
    }
    used += batch.write(piece, used, 'utf8');
  }
  if (used > 0) writeBytes(1, batch.subarray(0, used));
}

/**
 * A piece larger than the batch (the one document of a large JSON List) goes through the batch
 * too, a slice at a time, rather than as one Buffer of its whole size next to the run's peak. A
 * slice never ends between the two halves of a surrogate pair, which would encode as U+FFFD.
 */
function writeLargePiece(batch: Buffer, piece: string): void {
  const sliceLength = Math.floor(BATCH_BYTES / 3);
  for (let start = 0; start < piece.length;) {
    let end = Math.min(start + sliceLength, piece.length);
    const last = piece.charCodeAt(end - 1);
    if (end < piece.length && last >= 0xd800 && last <= 0xdbff) end--;
    const used = batch.write(piece.slice(start, end), 0, 'utf8');
    writeBytes(1, batch.subarray(0, used));
    start = end;
  }
}

/** Writes `text` to stderr synchronously; a stderr nobody reads any more (EPIPE) is not an error. */
export function writeStderr(text: string): void {
  try {
    writeAll(2, text);
  } catch {
    // nowhere left to say it
  }
}

/**
 * Whether stdin is a terminal (nobody piped manifests in), without making process.stdin, whose
 * stream modules cost start-up time on every run: only a character device can be one.
 */
/** The major device number of /dev/null, /dev/zero, /dev/full and /dev/urandom on Linux. */
const MEMORY_DEVICES = 1;

export async function stdinIsTerminal(): Promise<boolean> {
  try {
    const info = fstatSync(0);
    if (!info.isCharacterDevice()) return false;
    // Linux's memory devices (/dev/null, /dev/zero: major 1) are never terminals, and node:tty
    // costs a few ms to load: `< /dev/null` is how CI and scripts say "no input".
    if (process.platform === 'linux' && ((info.rdev >> 8) & 0xfff) === MEMORY_DEVICES) return false;
  } catch {
    return false;
  }
  return (await import('node:tty')).isatty(0);
}
