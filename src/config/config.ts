// Configuration: defaults <- host config (functionConfig, kustomize plugin config) <- --config <-
// command-line flags, layered by one merge. Every source is validated against the JSON Schemas in
// schemas/ before any manifest is read.
import type { ErrorObject } from 'ajv';
// Precompiled from schemas/ by scripts/build-validators.mjs: no schema is compiled at start-up.
import { validateSpec as specValidator, validateTop as topValidator } from '../generated/config-validators.js';
import { CONFIG_DEFAULTS, type Config } from '../generated/config.js';
import { UserError } from '../errors.js';

export const CONFIG_API_VERSION = 'gateway-compat.io/v1alpha1';
export const CONFIG_KIND = 'GatewayCompat';

// The `Config` type and every default are generated from the schemas at build time
// (scripts/build-validators.mjs): a setting, its type and its default are written once, there.
export type { Config };
export type TemplateName = Config['injectionTemplate']['templates'][number];

/** A partial config as it appears in a file's `spec` or is built from flags. */
export type ConfigSpec = {
  [K in keyof Config]?: Config[K] extends object ? (Config[K] extends unknown[] ? Config[K] : Partial<Config[K]>) : Config[K];
};

/** The schemas' defaults, as a configuration of its own (a copy: callers may change it). */
export function defaultConfig(): Config {
  return structuredClone(CONFIG_DEFAULTS);
}

/**
 * The one merge: layers partial specs key by key, later over earlier; a rule's object is merged
 * property by property, lists and values are replaced, an undefined value changes nothing.
 */
export function mergeSpecs(specs: readonly ConfigSpec[]): ConfigSpec {
  const merged: Record<string, unknown> = {};
  for (const spec of specs) {
    for (const [key, value] of Object.entries(spec)) {
      if (value === undefined) continue;
      const current = merged[key];
      merged[key] = isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
    }
  }
  return merged as ConfigSpec;
}

const isPlainObject = (value: unknown): value is object => value !== null && typeof value === 'object' && !Array.isArray(value);

/** `base` (a resolved configuration) with the layers over it, by the one merge. */
export function mergeConfig(base: Config, ...layers: ConfigSpec[]): Config {
  return mergeSpecs([structuredClone(base), ...layers]) as Config;
}

/** The configuration the layers ask for, over the schemas' defaults: defaults <- host config <- --config <- flags. */
export function resolveConfig(...layers: ConfigSpec[]): Config {
  return mergeConfig(CONFIG_DEFAULTS, ...layers);
}

export function validateConfigObject(value: unknown, source: string): ConfigSpec {
  if (!topValidator(value)) throw new UserError(formatSchemaErrors(topValidator.errors ?? [], value, source));
  return ((value as { spec?: ConfigSpec }).spec ?? {}) as ConfigSpec;
}

export function validateSpec(value: unknown, source: string): ConfigSpec {
  if (!specValidator(value)) throw new UserError(formatSchemaErrors(specValidator.errors ?? [], value, source, 'spec'));
  return value as ConfigSpec;
}

function pathOf(error: ErrorObject, prefix: string): string {
  const parts = error.instancePath.split('/').filter(Boolean);
  const dotted = parts.map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`)).join('');
  return `${prefix}${dotted}`.replace(/^\./, '') || '(top level)';
}

function valueAt(root: unknown, instancePath: string): unknown {
  let current = root;
  for (const part of instancePath.split('/').filter(Boolean)) {
    current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[part] : undefined;
  }
  return current;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** @internal Library users get these messages inside a UserError; ajv's types stay out of the published ones. */
export function formatSchemaErrors(errors: ErrorObject[], root: unknown, source: string, prefix = ''): string {
  const lines = new Set<string>();
  for (const error of errors) {
    const at = pathOf(error, prefix);
    switch (error.keyword) {
      case 'additionalProperties': {
        const key = String(error.params.additionalProperty);
        const allowed = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
        const guess = closest(key, allowed);
        const where = at === '(top level)' ? key : `${at}.${key}`;
        lines.add(`unknown key "${where}"${guess ? ` (did you mean "${guess}"?)` : ''}; allowed here: ${allowed.join(', ')}`);
        break;
      }
      case 'type':
        lines.add(`${at} must be ${error.params.type}, got ${describeValue(valueAt(root, error.instancePath))}`);
        break;
      case 'enum':
        lines.add(`${at} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
        break;
      case 'const':
        lines.add(`${at} must be ${JSON.stringify(error.params.allowedValue)}`);
        break;
      case 'required':
        lines.add(`${at === '(top level)' ? '' : `${at}: `}missing required key "${error.params.missingProperty}"`);
        break;
      default:
        lines.add(`${at} ${error.message ?? 'is invalid'}`);
    }
  }
  return `${source}: invalid configuration:\n${[...lines].map((line) => `  - ${line}`).join('\n')}`;
}

/** The allowed word nearest to a misspelt one, if it is near enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
