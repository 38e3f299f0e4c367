// Configuration and input shared by the host modes: flags over a config file over the defaults,
// the --gateway-template text, and stdin checked to be bounded UTF-8 text.
import { fstatSync, statSync } from 'node:fs';
import { defaultConfig, mergeConfig, validateSpec, type Config, type ConfigSpec } from '../config.js';
import { UsageError } from '../errors.js';
import { decodeText, readTextFile, sizeError } from '../input.js';
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
  if (values.config !== undefined) refuseStdin(values.config, '--config');
  const fromFile = values.config !== undefined
    ? (await import('../config-file.js')).parseConfigText(await readTextFile(values.config, '--config'), values.config)
    : {};
  const config = mergeConfig(defaultConfig(), fileSpec, fromFile, fromFlags);
  const templateFile = config.injectionTemplate.file;
  if (templateFile !== undefined) refuseStdin(templateFile, '--gateway-template');
  const gatewayTemplate = templateFile !== undefined ? await readTextFile(templateFile, '--gateway-template') : undefined;
  return { config, ...(gatewayTemplate !== undefined ? { gatewayTemplate } : {}) };
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
    throw new UsageError(`error: ${flag} ${file} reads stdin, which carries the manifests\nfix: give ${flag} a file of its own (${flag} ./file), and the manifests on stdin`);
  }
}

export async function readStdin(limit: number): Promise<string> {
  if (await stdinIsTerminal()) {
    throw new UsageError(`error: no input: pipe rendered manifests into post-render\n\n${USAGE}`);
  }
  // A large stream continues in a Node.js with a small young generation (src/hosts/v8-tuning.ts).
  const handOverAt = isTuned() ? Number.POSITIVE_INFINITY : LARGE_INPUT;
  const read = readStdinUntil(limit, (size, stoppedEarly) => sizeError(size, limit, 'the input', stoppedEarly), handOverAt);
  if (read.handOver) await continueTuned(read.fromFile ? undefined : read.bytes);
  return decodeText(read.bytes, 'the input');
}
