// Configuration and input shared by the host modes: flags over a config file over a host's config
// over the defaults, loaded once per run; the --gateway-template text; a FILE in stream mode
// (stdin is read by src/input/stdin.ts).
import { fstatSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { resolveConfig, validateSpec, type Config, type ConfigSpec } from './config.js';
import { UsageError, UserError } from '../errors.js';
import { decodeText, describeFsError, readTextFile, sizeError } from '../input/text.js';
import { TUNED_INPUT } from '../memory.js';
import { continueTuned, isTuned } from '../hosts/v8-tuning.js';
import { specFromFlags, type ParsedFlags } from './flags.js';

export interface LoadedConfig {
  /** defaults <- the host config given to loadConfig <- --config <- flags */
  config: Config;
  gatewayTemplate?: string;
  /**
   * The configuration with a host config only found later (a KRM functionConfig, which arrives on
   * stdin) in its layer: defaults <- host config <- --config <- flags. Nothing is read again.
   */
  withHostConfig(hostSpec: ConfigSpec): Config;
}

/**
 * Loads the configuration once: the flags and the --config file are read and validated here,
 * and the --gateway-template file read. `hostSpec` is the configuration a host found itself (a
 * kustomize plugin config), already validated; --config and flags apply over it.
 */
export async function loadConfig(values: ParsedFlags['values'], hostSpec: ConfigSpec = {}): Promise<LoadedConfig> {
  const fromFlags = validateSpec(specFromFlags(values), 'command-line flags');
  refuseFileFromHost(hostSpec);
  if (values.config !== undefined) refuseStdin(values.config, '--config');
  const fromFile =
    values.config !== undefined
      ? withTemplateBesideConfig(
          values.config,
          (await import('./file.js')).parseConfigText(await readTextFile(values.config, '--config'), values.config),
        )
      : {};
  const config = resolveConfig(hostSpec, fromFile, fromFlags);
  // No host config can name the file (refused above), so the template is the same whatever host
  // config withHostConfig adds.
  const templateFile = config.injectionTemplate.file;
  if (templateFile !== undefined) refuseStdin(templateFile, '--gateway-template');
  const gatewayTemplate = templateFile !== undefined ? await readTextFile(templateFile, '--gateway-template') : undefined;
  return {
    config,
    ...(gatewayTemplate !== undefined ? { gatewayTemplate } : {}),
    withHostConfig: (later) => {
      refuseFileFromHost(later);
      return resolveConfig(hostSpec, later, fromFile, fromFlags);
    },
  };
}

/**
 * A host's config is package content (a kpt functionConfig, a kustomize transformer config,
 * possibly from a remote base): it must not make us read, and embed in the output, any local
 * file. Only the command line names files to read.
 */
function refuseFileFromHost(hostSpec: ConfigSpec): void {
  if (hostSpec.injectionTemplate?.file !== undefined) {
    throw new UserError(
      `error: injectionTemplate.file (gatewayTemplate) "${hostSpec.injectionTemplate.file}" is set in the host's configuration: a package's own config cannot name a local file to read\nfix: pass the template on the command line instead (--gateway-template FILE, e.g. in the exec command or the post-renderer args), or in a --config file`,
    );
  }
}

/**
 * A --config file's injectionTemplate.file is read relative to the config's own folder, and never
 * from outside it (as kustomize's load restrictor does): a config copied from elsewhere cannot
 * reach `../../.ssh/id_rsa` or `/etc/shadow`.
 */
function withTemplateBesideConfig(configFile: string, spec: ConfigSpec): ConfigSpec {
  const file = spec.injectionTemplate?.file;
  if (file === undefined) return spec;
  const folder = realpathOrSelf(path.dirname(path.resolve(configFile)));
  const resolved = path.resolve(folder, file);
  const real = realpathOrSelf(resolved);
  const inside = (candidate: string): boolean =>
    candidate === folder || candidate.startsWith(folder.endsWith(path.sep) ? folder : `${folder}${path.sep}`);
  if (!inside(resolved) || !inside(real)) {
    throw new UserError(
      `error: ${configFile}: injectionTemplate.file "${file}" is outside the config's folder ${folder}; a config file may only name files beside or below it\nfix: put the template in ${folder}, or pass it on the command line with --gateway-template FILE`,
    );
  }
  return { ...spec, injectionTemplate: { ...spec.injectionTemplate, file: resolved } };
}

function realpathOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

const STDIN_NAMES = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/**
 * stdin carries the manifests: a file option that reads it too would take them (and leave an
 * empty stream to transform), so `--gateway-template /dev/stdin` is a usage error.
 */
function refuseStdin(file: string, flag: string): void {
  let same = STDIN_NAMES.has(file);
  if (!same) {
    try {
      const input = fstatSync(0);
      if (input.isFIFO() || input.isSocket() || input.isFile()) {
        const named = statSync(file);
        same = named.dev === input.dev && named.ino === input.ino;
      }
    } catch {
      // no stdin, or no such file: readTextFile reports the latter
    }
  }
  if (same) {
    throw new UsageError(
      `error: ${flag} ${file} reads stdin, which carries the manifests\nfix: give ${flag} a file of its own (${flag} ./file), and the manifests on stdin`,
    );
  }
}

/** A FILE named in stream mode (`gateway-compat FILE`): read as stdin would be. */
export async function readInputFile(file: string, limit: number): Promise<string> {
  // node:fs/promises loads the stream modules: only for a run that reads a file
  const { readFile, stat } = await import('node:fs/promises');
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: info.isDirectory() ? 'EISDIR' : 'ENOTFILE' });
    size = info.size;
  } catch (error) {
    throw new UserError(
      `error: ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOTFILE' ? 'not a regular file' : describeFsError(error)}`,
    );
  }
  if (size > limit) throw sizeError(size, limit, file);
  // A large file continues in a tuned Node.js, which reads the file itself.
  if (size >= TUNED_INPUT && !isTuned()) await continueTuned(undefined);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UserError(`error: ${file}: ${describeFsError(error)}`);
  }
  if (bytes.length > limit) throw sizeError(bytes.length, limit, file);
  return decodeText(bytes, file);
}
