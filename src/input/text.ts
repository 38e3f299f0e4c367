// Reading bytes that must be text: stdin, --config, --gateway-template and files given to --write.
// Everything the tool reads is checked to be UTF-8 without control characters before any parsing,
// so binary data gets one clear message instead of a confusing YAML error.
import type { FileHandle } from 'node:fs/promises';
import { UserError } from '../errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// YAML allows tab, LF and CR among the C0 controls; anything else means binary data.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export function decodeText(bytes: Uint8Array, what: string): string {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new UserError(
      `error: ${what} is not UTF-8 text (invalid UTF-8 byte sequence); gateway-compat reads YAML manifests, which must be UTF-8`,
    );
  }
  const control = CONTROL_CHARACTER.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0);
    const line = text.slice(0, control.index).split('\n').length;
    throw new UserError(
      `error: ${what} is not UTF-8 text: it contains the control character U+${code.toString(16).padStart(4, '0').toUpperCase()}${code === 0 ? ' (NUL)' : ''} on line ${line}; binary data cannot be a manifest`,
    );
  }
  return text;
}

export function parseSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb?|kib|mb?|mib|gb?|gib)?$/i.exec(value.trim());
  if (!match) throw new UserError(`error: "${value}" is not a size; use e.g. 500MB, 1GiB or a number of bytes`, 2);
  const units: Record<string, number> = {
    b: 1,
    k: 1024,
    kb: 1024,
    kib: 1024,
    m: 1024 ** 2,
    mb: 1024 ** 2,
    mib: 1024 ** 2,
    g: 1024 ** 3,
    gb: 1024 ** 3,
    gib: 1024 ** 3,
  };
  return Math.floor(Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] ?? 1));
}

/** `bytes` is the size; a stream refused as soon as it passed the limit has no known size. */
const RAISE_LIMIT = 'raise it with --max-input-size (config: spec.maxInputBytes) if this is intended';
const FIXED_LIMIT = 'a file this option names is at most 16 MiB; is it the right file?';

export function sizeError(bytes: number, limit: number, what: string, stoppedEarly = false, hint = RAISE_LIMIT): UserError {
  const size = stoppedEarly ? `larger than the limit of ${limit} bytes` : `${bytes} bytes, more than the limit of ${limit} bytes`;
  return new UserError(`error: ${what} is ${size}; ${hint}`);
}

export function checkSize(bytes: number, limit: number, what: string, hint = RAISE_LIMIT): void {
  if (bytes > limit) throw sizeError(bytes, limit, what, false, hint);
}

/**
 * A small text file named on the command line or in a config (--config, --gateway-template, a
 * kustomize plugin config). Read with a bound, whatever the file says its size is: /dev/zero, a
 * FIFO or a growing file would otherwise be read until memory runs out.
 */
export async function readTextFile(path: string, flag: string, limit = 16 * 1024 ** 2): Promise<string> {
  if (path === '') throw new UserError(`error: ${flag} needs a file name, not an empty string`, 2);
  const bytes = await readBounded(
    path,
    limit,
    (error) => new UserError(`error: ${flag} ${path}: ${describeFsError(error)}`),
    `${flag} ${path}`,
    FIXED_LIMIT,
  );
  return decodeText(bytes, `${flag} ${path}`);
}

/** At most `limit` bytes of a file; more is an error as soon as it is seen. */
export async function readBounded(
  path: string,
  limit: number,
  fsError: (error: unknown) => UserError,
  what: string,
  hint = RAISE_LIMIT,
): Promise<Buffer> {
  // node:fs/promises and the stream modules it loads cost start-up time; most runs read no file
  const { open } = await import('node:fs/promises');
  let handle: FileHandle | undefined;
  try {
    try {
      handle = await open(path, 'r');
      const info = await handle.stat();
      if (info.isDirectory()) throw new UserError(`error: ${what}: is a directory, expected a file`);
      checkSize(info.size, limit, what, hint);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw fsError(error);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 ** 2, limit + 1 - total));
      let read: number;
      try {
        ({ bytesRead: read } = await handle.read(chunk, 0, chunk.length, null));
      } catch (error) {
        throw fsError(error);
      }
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > limit) throw sizeError(total, limit, what, true, hint);
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle?.close();
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, expected a file';
    case 'ECHANGED':
      return `${(error as Error).message}; run again once it is saved`;
    default:
      return (error as Error).message;
  }
}
