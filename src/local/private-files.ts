// Files of our own in places other users share (the temp folder, a home another user may own under
// sudo): the launcher's code cache (src/launcher/code-cache.ts) and the Helm 4 plugin's last-error
// file (src/hosts/helm4-errors.ts). What both must get right, in one place:
//   - a folder is ours only if lstat says it is a directory (a symlink planted under its name is
//     not), owned by us, that others may not write (or, for a private one, not even enter);
//   - a file is ours only if it is a regular file (not a FIFO that would hang a read, not a
//     device), owned by us, with one link (a hard link to someone's file would have us overwrite
//     or trust it);
//   - a file is written under a fresh name (O_EXCL, O_NOFOLLOW, mode 0600) and renamed into place,
//     so a reader sees a whole file or none and no planted name is ever followed.
// The file system comes as a parameter: the launcher passes the CommonJS node:fs it already has
// (an ES import would build node:fs's ES facade, which loads the stream modules).
import type * as Fs from 'node:fs';

export type FileSystem = Pick<typeof Fs, 'closeSync' | 'constants' | 'lstatSync' | 'openSync' | 'renameSync' | 'rmSync' | 'writeSync'>;

/** The numeric user id, or undefined where there is none (Windows: ownership is not checked). */
export const currentUid = (): number | undefined => process.getuid?.();

/**
 * Whether `folder` is a directory of ours that no other user can write; with `private`, one that
 * no other user can read or enter either (mode 0700 or stricter).
 */
export function isOwnFolder(fs: FileSystem, folder: string, uid: number | undefined, options: { private: boolean }): boolean {
  try {
    const info = fs.lstatSync(folder);
    if (!info.isDirectory()) return false;
    if (uid === undefined) return true;
    return info.uid === uid && (info.mode & (options.private ? 0o077 : 0o022)) === 0;
  } catch {
    return false;
  }
}

/**
 * Why an open file is not a plain file of ours (undefined when it is): a regular file, owned by
 * us, with one link; with `othersMayNotWrite`, also not writable by other users.
 */
export function notOwnPlainFile(info: Fs.Stats, uid: number | undefined, options: { othersMayNotWrite: boolean }): string | undefined {
  if (!info.isFile()) return 'not a regular file';
  if (uid !== undefined && info.uid !== uid) return 'owned by another user';
  if (uid !== undefined && options.othersMayNotWrite && (info.mode & 0o022) !== 0) return 'writable by other users';
  if (info.nlink !== 1) return 'has other links';
  return undefined;
}

/** Writes every byte of `bytes` (writeSync may write fewer than asked). */
export function writeAll(fs: Pick<FileSystem, 'writeSync'>, fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
}

/**
 * Writes `parts` to the fresh file `temporary` (which must not exist: O_EXCL) and renames it over
 * `file`. Returns whether it did; on any failure the temporary file is gone and `file` untouched.
 */
export function replaceWithNewFile(fs: FileSystem, file: string, temporary: string, parts: readonly Uint8Array[]): boolean {
  const { constants } = fs;
  let fd: number | undefined;
  let created = false;
  try {
    fd = fs.openSync(
      temporary,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      0o600,
    );
    created = true;
    for (const part of parts) writeAll(fs, fd, part);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temporary, file);
    return true;
  } catch {
    try {
      if (fd !== undefined) fs.closeSync(fd);
      // only what this call made: a name that was taken (EEXIST) is someone else's file
      if (created) fs.rmSync(temporary, { force: true });
    } catch {
      // nothing more to tidy
    }
    return false;
  }
}
