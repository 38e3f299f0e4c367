// Configuration and input shared by the host modes: flags over a config file over the defaults,
// the --gateway-template text, and stdin checked to be bounded UTF-8 text.
import { defaultConfig, mergeConfig, validateSpec, type Config, type ConfigSpec } from '../config.js';
import { UsageError, UserError } from '../errors.js';
import { readFile, stat } from 'node:fs/promises';
import { decodeText, describeFsError, readTextFile, sizeError } from '../input.js';
import { LARGE_INPUT } from '../memory.js';
import { readStdinUntil, stdinIsTerminal } from './stdio.js';
import { continueTuned, isTuned } from './v8-tuning.js';
import { specFromFlags, type ParsedFlags } from '../options.js';
import { USAGE } from '../usage.js';

export interface LoadedConfig {
  config: Config;
  gatewayTemplate?: string;
}

/**
 * `fileSpec` is the configuration a host found itself (a kustomize plugin config, a KRM
 * functionConfig), already validated; --config and flags still apply over it.
 */
export async function loadConfig(values: ParsedFlags['values'], fileSpec: ConfigSpec = {}): Promise<LoadedConfig> {
  const fromFlags = validateSpec(specFromFlags(values), 'command-line flags');
  const fromFile = values.config
    ? (await import('../config-file.js')).parseConfigText(await readTextFile(values.config, '--config'), values.config)
    : {};
  const config = mergeConfig(defaultConfig(), fileSpec, fromFile, fromFlags);
  const templateFile = config.injectionTemplate.file;
  const gatewayTemplate = templateFile ? await readTextFile(templateFile, '--gateway-template') : undefined;
  return { config, ...(gatewayTemplate !== undefined ? { gatewayTemplate } : {}) };
}

export async function readStdin(limit: number): Promise<string> {
  if (await stdinIsTerminal()) {
    throw new UsageError(`error: no input: pipe rendered manifests into gateway-compat (or name a FILE)\n\n${USAGE}`);
  }
  // A large stream continues in a Node.js with a small young generation (src/hosts/v8-tuning.ts).
  const handOverAt = isTuned() ? Number.POSITIVE_INFINITY : LARGE_INPUT;
  const read = readStdinUntil(limit, (size, stoppedEarly) => sizeError(size, limit, 'the input', stoppedEarly), handOverAt);
  if (read.handOver) await continueTuned(read.fromFile ? undefined : read.bytes);
  return decodeText(read.bytes, 'the input');
}

/** A FILE named in stream mode (`gateway-compat FILE`): read as stdin would be. */
export async function readInputFile(file: string, limit: number): Promise<string> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: info.isDirectory() ? 'EISDIR' : 'ENOTFILE' });
    size = info.size;
  } catch (error) {
    throw new UserError(`error: ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOTFILE' ? 'not a regular file' : describeFsError(error)}`);
  }
  if (size > limit) throw sizeError(size, limit, file);
  // A large file continues in a tuned Node.js, which reads the file itself.
  if (size >= LARGE_INPUT && !isTuned()) await continueTuned(undefined);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UserError(`error: ${file}: ${describeFsError(error)}`);
  }
  if (bytes.length > limit) throw sizeError(bytes.length, limit, file);
  return decodeText(bytes, file);
}
