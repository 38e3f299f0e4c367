// Whether a host (Helm, kpt, kustomize) is running us, from what the host itself sets up. File
// mode (--write/--check) prints nothing on stdout, and a host takes an empty answer as the whole
// result: kpt deletes every file of the package, kubectl kustomize builds nothing, Helm installs
// nothing. So file mode is refused whenever a host is detected.
import { fstatSync, readSync } from 'node:fs';
import { KUSTOMIZE_CONFIG_ENV } from './kustomize-env.js';
import { isHelmPluginRun } from './helm4-errors.js';

/** A host known from its environment: kustomize's exec plugin variables, a Helm 4 plugin run. */
export function hostFromEnvironment(env: NodeJS.ProcessEnv): string | undefined {
  if (env[KUSTOMIZE_CONFIG_ENV] !== undefined || env.KUSTOMIZE_PLUGIN_CONFIG_ROOT !== undefined) return 'kustomize (exec plugin)';
  if (isHelmPluginRun(env)) return 'Helm 4 (post-renderer plugin)';
  return undefined;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Whether stdin holds more than blanks: then a host (Helm 3, kpt, kustomize, a pipe) is handing
 * us manifests or a ResourceList and expects them back on stdout. A terminal or /dev/null is never
 * read; a pipe is read until its first non-blank byte or its end (pre-commit closes it at once).
 */
export function stdinHoldsContent(): boolean {
  let info;
  try {
    info = fstatSync(0);
  } catch {
    return false;
  }
  if (!info.isFIFO() && !info.isSocket() && !info.isFile()) return false;
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let read: number;
    try {
      read = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 2);
        continue;
      }
      return false; // EOF on some platforms, or unreadable: nothing a host handed us
    }
    if (read === 0) return false;
    if (/[^ \t\r\n]/.test(buffer.toString('latin1', 0, read))) return true;
  }
}
