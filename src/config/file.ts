// Reading a GatewayCompat file (--config, the kustomize plugin config). Kept apart from config.ts
// so that runs without a config file never load the YAML parser just to start.
import { parse } from 'yaml';
import { CONFIG_API_VERSION, CONFIG_KIND, validateConfigObject, type ConfigSpec } from './config.js';
import { UserError } from '../errors.js';

/** Reads a --config file's text (YAML or JSON). */
export function parseConfigText(text: string, source: string): ConfigSpec {
  let value: unknown;
  try {
    value = parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    throw new UserError(`${source}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(
      `${source}: expected a ${CONFIG_KIND} object (apiVersion: ${CONFIG_API_VERSION}, kind: ${CONFIG_KIND}, spec: {...})`,
    );
  }
  return validateConfigObject(value, source);
}
