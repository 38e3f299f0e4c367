// A per-user cache of the code V8 compiled for the CLI (bin/gateway-compat-core.cjs), so that a run
// deserializes bytecode instead of parsing and compiling 400 KB of JavaScript (about 25 ms of every
// start-up). Nothing here may fail or slow a run: any problem (no HOME, a read-only or full disk,
// a file another user planted, a corrupted or foreign file, a race with a concurrent run) means
// "no cache" and the run compiles as it would without one.
//
// Where: $XDG_CACHE_HOME/gateway-compat, else $HOME/.cache/gateway-compat, else (no usable home)
// <temp folder>/gateway-compat-cache-<uid>, each a directory of ours (lstat: not a symlink) that
// no other user can write. A cache file is loaded only when it is a regular file of ours, with one
// link, that no other user can write: bytecode is code, and a file planted by someone else would
// run as us. Written under a fresh name (O_EXCL, mode 0600) and renamed into place, so a reader
// sees a whole file or none.
//
// V8 checks the cache against its version, its flags and the source length, but release builds do
// not verify its checksum (a corrupted payload crashes the process), and Node 20 has no hash short
// of loading node:crypto or node:zlib (4-8 ms, a third of what the cache saves). So the payload is
// stored twice and both copies must be equal (Buffer#equals: memcmp), which no truncated, torn or
// bit-rotten file passes.
//
// Node's own module.enableCompileCache (22+) needs no second copy, but Node 20 has none; one
// mechanism on every version. NODE_DISABLE_COMPILE_CACHE, Node's switch for its cache, turns this
// one off too.
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';
import { isOwnFolder, notOwnPlainFile, replaceWithNewFile } from '../local/private-files.js';

/** What the launcher needs from node:fs and node:path (loaded as CommonJS, never as ES modules). */
export interface Builtins {
  readonly fs: typeof Fs;
  readonly path: typeof Path;
  readonly tmpdir: () => string;
}

/** The core the cache is for: its build id (a hash of its bytes), size and modification time. */
export interface CoreIdentity {
  readonly id: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Coverage of a cache: the parts of the core the runs that wrote it had compiled, a bit each
 * (src/code-cache-areas.ts: 1 a transform, 2 an injection template edit, 4 a diff); 0 is start-up only.
 */
export const LEVEL_START_UP = 0;

export type CacheState = 'accepted' | 'rejected' | 'missing' | 'refused' | 'disabled';

export interface LoadedCache {
  /** the cache file, when there is a place for one */
  readonly file: string | undefined;
  readonly data: Buffer | undefined;
  readonly level: number;
  readonly state: CacheState;
  /** why a file was refused (debug output only) */
  readonly reason?: string;
}

const MAGIC = 'gateway-compat code cache 1';
/** A cache is a few hundred KB; anything far larger is not ours. */
const MAX_FILE = 64 * 1024 * 1024;

/** Whether the cache is switched off for this run. */
export function cacheDisabled(env: NodeJS.ProcessEnv): boolean {
  return !!env.NODE_DISABLE_COMPILE_CACHE || process.getuid === undefined;
}

/**
 * Whether `folder` is ours to make things in: owned by us, or (`mayBeMissing`) not there yet. A
 * root run under another user's HOME (sudo without -H) must not leave root-owned folders there.
 */
function isOwnBase(builtins: Builtins, folder: string, uid: number, mayBeMissing: boolean): boolean {
  try {
    return builtins.fs.statSync(folder).uid === uid;
  } catch (error) {
    return mayBeMissing && (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** The folders to try, best first (the temp one is only worked out when the home one will not do). */
export function* cacheFolders(env: NodeJS.ProcessEnv, uid: number, builtins: Builtins): Generator<string> {
  const { path } = builtins;
  const xdg = env.XDG_CACHE_HOME;
  const home = env.HOME;
  if (xdg && path.isAbsolute(xdg)) {
    if (isOwnBase(builtins, xdg, uid, true)) yield path.join(xdg, 'gateway-compat');
  } else if (home && path.isAbsolute(home) && home !== '/' && isOwnBase(builtins, home, uid, false)) {
    yield path.join(home, '.cache', 'gateway-compat');
  }
  let tmp: string;
  try {
    tmp = builtins.tmpdir();
  } catch {
    return; // no temp folder: the home one, or none
  }
  yield path.join(tmp, `gateway-compat-cache-${uid}`);
}

/** A short stable hash of a string (FNV-1a), for the flags part of a file name. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * The file name: one per core build, copy of it (its size and modification time, which the header
 * pins too), Node.js version and architecture, and set of V8 flags (V8 rejects a cache made under
 * other flags; the tuned child of a large stream has its own). Two copies of one build (the npm
 * package and the Helm plugin's folder, two checkouts) sharing a name refused and rewrote each
 * other's cache, so that runs taking turns never had one.
 */
export function cacheFileName(core: CoreIdentity, execArgv: readonly string[], nodeOptions: string | undefined): string {
  const flags = [...execArgv, nodeOptions ?? ''].join(' ').trim();
  const copy = shortHash(`${core.size} ${core.mtimeMs}`);
  return `${core.id}-${copy}-${process.version}-${process.arch}${flags ? `-${shortHash(flags)}` : ''}.v8cache`;
}

/** A folder of ours that only we can write; lstat, so a symlink under its name is not it. */
function isSafeFolder(builtins: Builtins, folder: string, uid: number): boolean {
  return isOwnFolder(builtins.fs, folder, uid, { private: false });
}

function header(core: CoreIdentity, level: number, length: number): string {
  return `${MAGIC} ${core.id} ${core.size} ${core.mtimeMs} ${level} ${length}\n`;
}

/** Reads the cache of `core`, checking everything that is cheap to check; never throws. */
export function loadCache(builtins: Builtins, core: CoreIdentity, env: NodeJS.ProcessEnv, execArgv: readonly string[]): LoadedCache {
  if (cacheDisabled(env)) return { file: undefined, data: undefined, level: -1, state: 'disabled' };
  const uid = process.getuid!();
  const name = cacheFileName(core, execArgv, env.NODE_OPTIONS);
  const { fs } = builtins;
  for (const folder of cacheFolders(env, uid, builtins)) {
    if (!isSafeFolder(builtins, folder, uid)) continue;
    const file = builtins.path.join(folder, name);
    let fd: number | undefined;
    try {
      // O_NOFOLLOW: a symlink is refused; O_NONBLOCK: a FIFO planted under the name cannot hang us
      fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { file, data: undefined, level: -1, state: 'missing' };
      return { file, data: undefined, level: -1, state: 'refused', reason: `cannot open (${code})` };
    }
    try {
      const info = fs.fstatSync(fd);
      const notOurs = notOwnPlainFile(info, uid, { othersMayNotWrite: true });
      if (notOurs !== undefined) return refused(file, notOurs);
      if (info.size > MAX_FILE) return refused(file, 'too large');
      const bytes = Buffer.allocUnsafe(info.size);
      let read = 0;
      while (read < bytes.length) {
        const n = fs.readSync(fd, bytes, read, bytes.length - read, read);
        if (n === 0) break;
        read += n;
      }
      const newline = bytes.indexOf(10);
      if (read !== bytes.length || newline < 0 || newline > 256) return refused(file, 'no header');
      const fields = bytes.toString('latin1', 0, newline).split(' ');
      const [level, length] = [Number(fields[fields.length - 2]), Number(fields[fields.length - 1])];
      if (bytes.toString('latin1', 0, newline + 1) !== header(core, level, length)) return refused(file, 'made for another build');
      if (!(level >= 0 && level <= 0xffff && Number.isInteger(level))) return refused(file, 'no header');
      const start = newline + 1;
      if (!Number.isSafeInteger(length) || length <= 0 || start + 2 * length !== bytes.length) return refused(file, 'truncated');
      const data = bytes.subarray(start, start + length);
      if (!data.equals(bytes.subarray(start + length))) return refused(file, 'corrupted');
      return { file, data, level, state: 'accepted' };
    } catch (error) {
      return refused(file, `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    } finally {
      fs.closeSync(fd);
    }
  }
  // No folder yet: the first one that can be made is where the cache goes.
  return { file: undefined, data: undefined, level: -1, state: 'missing' };
}

function refused(file: string, reason: string): LoadedCache {
  return { file, data: undefined, level: -1, state: 'refused', reason };
}

/** Makes the folder the cache goes in, if needed; undefined when no folder is safe. */
function writableFolder(builtins: Builtins, env: NodeJS.ProcessEnv, uid: number): string | undefined {
  for (const folder of cacheFolders(env, uid, builtins)) {
    try {
      builtins.fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    } catch {
      continue;
    }
    if (isSafeFolder(builtins, folder, uid)) return folder;
  }
  return undefined;
}

/** A cache file not written for this long belongs to a build nobody runs any more. */
const STALE_CACHE_MS = 30 * 24 * 3600 * 1000;
/** A temporary file this old was left by a run that died while writing. */
const STALE_TEMPORARY_MS = 3600 * 1000;

/**
 * Removes what earlier builds and dead runs left in the folder (each build, Node.js version and
 * flag set has a file of its own). Only our own regular files with our names are touched; done
 * when a cache is written, which is rare, never when one is read.
 */
function pruneFolder(builtins: Builtins, folder: string, kept: string, uid: number): void {
  const { fs, path } = builtins;
  const now = Date.now();
  try {
    for (const name of fs.readdirSync(folder)) {
      const cache = name.endsWith('.v8cache');
      if (!cache && !(name.startsWith('.') && name.endsWith('.tmp'))) continue;
      const file = path.join(folder, name);
      if (file === kept) continue;
      const info = fs.lstatSync(file);
      if (!info.isFile() || info.uid !== uid) continue;
      if (now - info.mtimeMs > (cache ? STALE_CACHE_MS : STALE_TEMPORARY_MS)) fs.rmSync(file, { force: true });
    }
  } catch {
    // what is left is only disk space
  }
}

/**
 * Writes `data` as the cache of `core`: to the file `loaded` named (its folder was checked), else
 * to the first folder that can be made. Returns the file written, or undefined; never throws.
 */
export function saveCache(
  builtins: Builtins,
  core: CoreIdentity,
  env: NodeJS.ProcessEnv,
  execArgv: readonly string[],
  loaded: LoadedCache,
  level: number,
  data: Buffer,
): string | undefined {
  if (cacheDisabled(env) || data.length === 0) return undefined;
  const { fs, path } = builtins;
  const uid = process.getuid!();
  let file = loaded.file;
  if (file === undefined) {
    const folder = writableFolder(builtins, env, uid);
    if (folder === undefined) return undefined;
    file = path.join(folder, cacheFileName(core, execArgv, env.NODE_OPTIONS));
  }
  const fresh = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const head = Buffer.from(header(core, level, data.length), 'latin1');
  if (!replaceWithNewFile(fs, file, fresh, [head, data, data])) return undefined;
  pruneFolder(builtins, path.dirname(file), file, uid);
  return file;
}
