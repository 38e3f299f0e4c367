// Replacing several files so that a crash or an error never leaves one half-written: each new
// content goes to a temporary file in the target's own folder (same file system, so the rename is
// atomic), is flushed to disk and given the target's permissions; only when every temporary file
// is ready are they renamed over their targets.
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { chmod, chown, open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface Replacement {
  /** the path as the user gave it (for messages) */
  readonly file: string;
  readonly content: string;
  /** the content the new one was made from: a file that no longer holds it was changed meanwhile */
  readonly expected?: string;
}

// File systems refuse names longer than 255 bytes (NAME_MAX).
const MAX_NAME_BYTES = 255;

/**
 * `.<name>.gateway-compat-<12 hex>.tmp`: hidden, and telling whose it is. A name too long to
 * carry all that is shortened (by whole characters), never the suffix.
 */
export function temporaryName(name: string): string {
  const suffix = `.gateway-compat-${randomBytes(6).toString('hex')}.tmp`;
  const room = MAX_NAME_BYTES - 1 - Buffer.byteLength(suffix);
  let kept = name;
  while (Buffer.byteLength(kept) > room) kept = Array.from(kept).slice(0, -1).join('');
  return `.${kept}${suffix}`;
}

/** Temporary files that may exist right now: a signal removes them before the process dies. */
const existing = new Set<string>();

function removeAndDie(signal: NodeJS.Signals): void {
  for (const file of existing) {
    try {
      unlinkSync(file);
    } catch {
      // not created yet, or already renamed
    }
  }
  stopGuarding();
  // Die of the same signal, as the host expects of a killed process.
  process.kill(process.pid, signal);
}

const GUARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

function guard(): void {
  for (const signal of GUARDED) process.on(signal, removeAndDie);
}

function stopGuarding(): void {
  for (const signal of GUARDED) process.removeListener(signal, removeAndDie);
}

interface Prepared {
  readonly file: string;
  readonly target: string;
  readonly temporary: string;
}

async function prepare(replacement: Replacement): Promise<Prepared> {
  // Write through a symlink to the file it points at, instead of replacing the link by a file.
  const target = await realpath(replacement.file);
  const info = await stat(target);
  const temporary = path.join(path.dirname(target), temporaryName(path.basename(target)));
  existing.add(temporary);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(replacement.content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(temporary, info.mode & 0o7777);
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    // Only root can give a file away; for anyone else the new file is theirs, as an edit would be.
    await chown(temporary, info.uid, info.gid).catch(() => undefined);
  }
  return { file: replacement.file, target, temporary };
}

async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse to fsync a folder; the rename itself is still atomic.
  }
}

/**
 * Replaces every file or none: any error while preparing removes the temporary files and is
 * rethrown with the file it concerns, before a single target has been touched.
 */
export async function replaceFiles(replacements: readonly Replacement[]): Promise<void> {
  // SIGTERM, SIGINT (Ctrl-C) or SIGHUP meanwhile: the temporary files go, the targets stay as they were.
  guard();
  try {
    await prepareAndRename(replacements);
  } finally {
    stopGuarding();
    existing.clear();
  }
}

async function prepareAndRename(replacements: readonly Replacement[]): Promise<void> {
  const prepared: Prepared[] = [];
  try {
    for (const replacement of replacements) {
      try {
        prepared.push(await prepare(replacement));
      } catch (error) {
        throw Object.assign(error as Error, { file: replacement.file });
      }
    }
  } catch (error) {
    // every temporary file so far, the one that failed half-written included
    await Promise.all([...existing].map((temporary) => unlink(temporary).catch(() => undefined)));
    throw error;
  }
  // An editor or a parallel hook run may have written a file since it was read: replacing it
  // would lose that change. Each file is read again, right before any is replaced.
  for (const [index, entry] of prepared.entries()) {
    const expected = replacements[index]?.expected;
    if (expected === undefined) continue;
    const now = await readFile(entry.target).catch(() => undefined);
    if (now === undefined || !now.equals(Buffer.from(expected, 'utf8'))) {
      await Promise.all(prepared.map((rest) => unlink(rest.temporary).catch(() => undefined)));
      throw Object.assign(new Error('the file changed while gateway-compat was working on it (an editor or a parallel run wrote it)'), {
        code: 'ECHANGED',
        file: entry.file,
      });
    }
  }
  for (const [index, entry] of prepared.entries()) {
    try {
      await rename(entry.temporary, entry.target);
      existing.delete(entry.temporary);
    } catch (error) {
      // Rare (the folder changed under us): say which files were already replaced.
      await Promise.all(prepared.slice(index).map((rest) => unlink(rest.temporary).catch(() => undefined)));
      throw Object.assign(error as Error, { file: entry.file, replaced: prepared.slice(0, index).map((done) => done.file) });
    }
  }
  await Promise.all([...new Set(prepared.map((entry) => path.dirname(entry.target)))].map(syncFolder));
}
