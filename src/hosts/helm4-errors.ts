// Helm 4 runs post-renderer plugins with stderr captured into a buffer it never prints: on failure
// the user sees only `plugin "gateway-compat" exited with error` (with --debug: `stderr=""`). So
// when we run as a Helm 4 plugin and fail, the message is also delivered where a person looks:
//   1. Helm's own stderr (Linux: /proc/<helm pid>/fd/2) when it is a pipe or a terminal, so it
//      lands in CI logs and terminals right before Helm's error line;
//   2. otherwise the controlling terminal (/dev/tty), for `helm ... 2>/dev/null` or `2>file`;
//   3. always a file: $GATEWAY_COMPAT_ERROR_FILE, or gateway-compat-last-error.txt in the temp folder.
// Every step is best effort: a step that cannot be taken is skipped silently.
import { closeSync, constants, fstatSync, openSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ERROR_FILE_ENV = 'GATEWAY_COMPAT_ERROR_FILE';

/** Helm 4 sets both for the subprocess of a plugin; Helm 3 post-renderers get neither. */
export function isHelmPluginRun(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.HELM_PLUGIN_NAME && env.HELM_PLUGIN_DIR);
}

export function errorFilePath(env: NodeJS.ProcessEnv): string {
  return env[ERROR_FILE_ENV] || path.join(os.tmpdir(), 'gateway-compat-last-error.txt');
}

function writeTo(file: string, text: string, flags: number): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, flags, 0o600);
    const bytes = Buffer.from(text);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    return true;
  } catch {
    return false;
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
  const file = errorFilePath(env);
  const fileText = `${new Date().toISOString()} gateway-compat failed as Helm post-renderer plugin "${env.HELM_PLUGIN_NAME ?? '?'}":\n${message.trimEnd()}\n`;
  const wroteFile = writeTo(file, fileText, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW);
  if (wroteFile) delivered.push(file);

  const shown = `gateway-compat (Helm post-renderer plugin) failed:\n${message.trimEnd()}\n${wroteFile ? `(this message is also in ${file})\n` : ''}`;
  const appendOnly = constants.O_WRONLY | constants.O_APPEND | constants.O_NOCTTY | constants.O_NONBLOCK;
  const stderr = helmStderr();
  if (stderr && writeTo(stderr, shown, appendOnly)) delivered.push('helm stderr');
  else if (isTerminal('/dev/tty') && writeTo('/dev/tty', shown, appendOnly)) delivered.push('/dev/tty');
  return delivered;
}
