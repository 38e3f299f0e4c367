// Reading bytes that must be text: stdin, --config, --gateway-template and files given to --write.
// Everything the tool reads is checked to be UTF-8 without control characters before any parsing,
// so binary data gets one clear message instead of a confusing YAML error.
import { UserError } from './errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// YAML allows tab, LF and CR among the C0 controls; anything else means binary data.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export function decodeText(bytes: Uint8Array, what: string): string {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new UserError(`error: ${what} is not UTF-8 text (invalid UTF-8 byte sequence); gateway-compat reads YAML manifests, which must be UTF-8`);
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
  const units: Record<string, number> = { b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };
  return Math.floor(Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] ?? 1));
}

/** `bytes` is the size; a stream refused as soon as it passed the limit has no known size. */
export function sizeError(bytes: number, limit: number, what: string, stoppedEarly = false): UserError {
  const size = stoppedEarly ? `larger than the limit of ${limit} bytes` : `${bytes} bytes, more than the limit of ${limit} bytes`;
  return new UserError(
    `error: ${what} is ${size}; raise it with --max-input-size (config: spec.maxInputBytes) if this is intended`,
  );
}

export function checkSize(bytes: number, limit: number, what: string): void {
  if (bytes > limit) throw sizeError(bytes, limit, what);
}

/** A small text file named on the command line (--config, --gateway-template). */
export async function readTextFile(path: string, flag: string, limit = 16 * 1024 ** 2): Promise<string> {
  // node:fs/promises and the stream modules it loads cost start-up time; most runs read no file
  const { readFile, stat } = await import('node:fs/promises');
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UserError(`error: ${flag} ${path}: is a directory, expected a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`error: ${flag} ${path}: ${describeFsError(error)}`);
  }
  checkSize(size, limit, `${flag} ${path}`);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new UserError(`error: ${flag} ${path}: ${describeFsError(error)}`);
  }
  return decodeText(bytes, `${flag} ${path}`);
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
    default:
      return (error as Error).message;
  }
}
