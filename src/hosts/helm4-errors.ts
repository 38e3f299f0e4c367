// Helm 4 runs post-renderer plugins with stderr captured into a buffer it never prints: on failure
// the user sees only `plugin "gateway-compat" exited with error` (with --debug: `stderr=""`). So
// when we run as a Helm 4 plugin and fail, the message is also delivered where a person looks:
//   1. Helm's own stderr (Linux: /proc/<helm pid>/fd/2) when it is a pipe or a terminal, so it
//      lands in CI logs and terminals right before Helm's error line;
//   2. otherwise the controlling terminal (/dev/tty), for `helm ... 2>/dev/null` or `2>file`;
//   3. always a file: $GATEWAY_COMPAT_ERROR_FILE, or last-error.txt in a private per-user folder
//      of the temp folder (gateway-compat-<uid>, mode 0700).
// Every step is best effort: a step that cannot be taken is skipped silently.
//
// The temp folder is shared with every local user, who could plant a FIFO (a write would hang),
// a symlink or a hard link (a root run would overwrite its target) or a world-readable file (the
// message would leak) under a fixed name. So the default file lives in a folder only we can
// enter, is written under a fresh name (O_EXCL) and renamed into place; a file the user names is
// opened without following links or blocking, and written only if it is a regular file of ours
// with one link.
import * as fs from 'node:fs';
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { currentUid, isOwnFolder, notOwnPlainFile, replaceWithNewFile, writeAll } from '../local/private-files.js';

// Every run asks isHelmPluginRun; only a plugin run needs node:os, and only a failing one
// node:crypto (about 7 ms to load): required when used.
const builtin = <T>(id: string): T => createRequire(import.meta.url)(id) as T;
const tmpdir = (): string => builtin<typeof import('node:os')>('node:os').tmpdir();
const randomHex = (bytes: number): string => builtin<typeof import('node:crypto')>('node:crypto').randomBytes(bytes).toString('hex');

export const ERROR_FILE_ENV = 'GATEWAY_COMPAT_ERROR_FILE';
export const POSTRENDER_PLUGIN_TYPE = /^type:[ \t]*["']?postrenderer\/v1["']?[ \t]*(#.*)?$/m;

/**
 * Whether Helm 4 runs us as a postrenderer/v1 plugin. Helm 4 sets HELM_PLUGIN_NAME and
 * HELM_PLUGIN_DIR (internal/plugin/runtime_subprocess.go, runPostrenderer), but so does Helm 3 for
 * every Helm 3 plugin (helm-secrets, helm-diff wrappers), and their children inherit them. What
 * only a Helm 4 post-renderer run has is a plugin folder whose plugin.yaml declares
 * `type: postrenderer/v1` under that name: Helm 3 plugins have no type, and Helm 3 cannot run one.
 */
export function isHelmPluginRun(env: NodeJS.ProcessEnv): boolean {
  const name = env.HELM_PLUGIN_NAME;
  const dir = env.HELM_PLUGIN_DIR;
  if (!name || !dir) return false;
  const manifest = readSmallFile(path.join(dir, 'plugin.yaml'));
  if (manifest === undefined || !POSTRENDER_PLUGIN_TYPE.test(manifest)) return false;
  const quoted = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^name:[ \\t]*["']?${quoted}["']?[ \\t]*(#.*)?$`, 'm').test(manifest);
}

function readSmallFile(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > 64 * 1024) return undefined;
    return readFileSync(fd, 'utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The per-user folder of the default error file, made if needed; undefined when it is not safe. */
export function privateErrorFolder(): string | undefined {
  const uid = currentUid();
  const folder = path.join(tmpdir(), `gateway-compat-${uid ?? -1}`);
  try {
    fs.mkdirSync(folder, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  return isOwnFolder(fs, folder, uid, { private: true }) ? folder : undefined;
}

export function errorFilePath(env: NodeJS.ProcessEnv): string | undefined {
  if (env[ERROR_FILE_ENV]) return env[ERROR_FILE_ENV];
  const folder = privateErrorFolder();
  return folder === undefined ? undefined : path.join(folder, 'last-error.txt');
}

/** A regular file of ours with one name: the only kind of file a chosen error path may be. */
function isOwnPlainFile(fd: number): boolean {
  return notOwnPlainFile(fstatSync(fd), currentUid(), { othersMayNotWrite: false }) === undefined;
}

/** Writes the file the user named with GATEWAY_COMPAT_ERROR_FILE, if it is safe to. */
function writeChosenFile(file: string, text: string): boolean {
  let fd: number | undefined;
  try {
    // no O_TRUNC: a hard link's target must not be emptied before it is checked
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY, 0o600);
    if (!isOwnPlainFile(fd)) return false;
    ftruncateSync(fd, 0);
    writeAll(fs, fd, Buffer.from(text));
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes the default file: a fresh name in the private folder, then renamed over the old one. */
function writePrivateFile(file: string, text: string): boolean {
  return replaceWithNewFile(fs, file, `${file}.${randomHex(6)}.tmp`, [Buffer.from(text)]);
}

export function writeErrorFile(env: NodeJS.ProcessEnv, text: string): string | undefined {
  const file = errorFilePath(env);
  if (file === undefined) return undefined;
  const written = env[ERROR_FILE_ENV] ? writeChosenFile(file, text) : writePrivateFile(file, text);
  return written ? file : undefined;
}

/**
 * An older run's message must never pass for this run's: every plugin run clears it first, before
 * anything that could fail. Only our own files are touched: the default one in the private folder,
 * or a chosen one that is a regular file of ours with one name (emptied, never removed).
 */
export function clearLastError(env: NodeJS.ProcessEnv): void {
  const chosen = env[ERROR_FILE_ENV];
  if (!chosen) {
    const folder = privateErrorFolder();
    if (folder !== undefined) rmSync(path.join(folder, 'last-error.txt'), { force: true });
    return;
  }
  let fd: number | undefined;
  try {
    fd = openSync(chosen, constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
    if (isOwnPlainFile(fd)) ftruncateSync(fd, 0);
  } catch {
    // nothing to clear
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Helm's stderr, when our parent is Helm and that stream is a pipe or a terminal (not a file). */
function helmStderr(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const parent = `/proc/${process.ppid}`;
  try {
    if (!readFileSync(`${parent}/comm`, 'utf8').startsWith('helm')) return undefined;
    const target = readlinkSync(`${parent}/fd/2`);
    // A regular file would be written at our offset, not Helm's, and could overwrite its log.
    if (target.startsWith('pipe:') || /^\/dev\/(pts\/\d+|tty\w*)$/.test(target)) return `${parent}/fd/2`;
  } catch {
    // not Linux /proc, or not allowed: fall through to the terminal
  }
  return undefined;
}

function appendTo(file: string, text: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_NOCTTY | constants.O_NONBLOCK);
    writeAll(fs, fd, Buffer.from(text));
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function isTerminal(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Delivers a failure message that Helm 4 would swallow; returns where it went, for tests. */
export function surfaceHelmPluginError(message: string, env: NodeJS.ProcessEnv): string[] {
  const delivered: string[] = [];
  const fileText = `${new Date().toISOString()} gateway-compat failed as Helm post-renderer plugin "${env.HELM_PLUGIN_NAME ?? '?'}":\n${message.trimEnd()}\n`;
  const file = writeErrorFile(env, fileText);
  if (file !== undefined) delivered.push(file);

  const shown = `gateway-compat (Helm post-renderer plugin) failed:\n${message.trimEnd()}\n${file !== undefined ? `(this message is also in ${file})\n` : ''}`;
  const stderr = helmStderr();
  if (stderr && appendTo(stderr, shown)) delivered.push('helm stderr');
  else if (isTerminal('/dev/tty') && appendTo('/dev/tty', shown)) delivered.push('/dev/tty');
  return delivered;
}
