// A KRM function's functionConfig -> a validated configuration. Two shapes are accepted, as the
// kpt-functions-catalog functions do: the typed GatewayCompat object, or a ConfigMap whose data
// holds flat strings (what `kpt fn eval --exec gateway-compat -- netBindService=true` builds; with no
// `-- key=value` kpt sends one with `data: {}`, which means the defaults).
import {
  CONFIG_API_VERSION,
  CONFIG_KIND,
  formatSchemaErrors,
  mergeSpecs,
  validateConfigObject,
  validateSpec,
  type Config,
  type ConfigSpec,
} from './config.js';
import { UserError } from '../errors.js';
import { parseSize } from '../input/text.js';
import { validateFunctionInput } from '../generated/config-validators.js';
import { RULES } from '../rules/index.js';
import { keyBoolean, keyList, type Rule } from '../rules/rule.js';

/**
 * How each ConfigMap key becomes part of a GatewayCompat spec: every rule's keys
 * (src/rules/index.ts), then the general ones; the spec schema then checks the value.
 */
export const FUNCTION_INPUT_KEYS: Readonly<Record<string, (value: string) => ConfigSpec>> = {
  ...Object.fromEntries(RULES.flatMap((rule: Rule) => rule.keys).map((key) => [key.key, key.toSpec])),
  include: (value) => ({ select: { include: keyList(value) } }),
  exclude: (value) => ({ select: { exclude: keyList(value) } }),
  strict: (value) => ({ strict: keyBoolean(value) }),
  ignoreWarnings: (value) => ({ warnings: { ignore: keyList(value) as Config['warnings']['ignore'] } }),
  validate: (value) => ({ validate: keyBoolean(value) }),
  // Read like --max-input-size. kpt has handed over the whole list before the function can read
  // this, so it is checked then: it lowers the bound --max-input-size (default 1 GiB) puts on
  // reading, it cannot raise it.
  maxInputBytes: (value) => ({ maxInputBytes: parseSize(value) }),
};

const SOURCE = 'functionConfig';

export function specFromConfigMapData(data: unknown): ConfigSpec {
  const values = data ?? {};
  // Precompiled from schemas/function-input.schema.json by scripts/build-validators.mjs.
  const validate = validateFunctionInput;
  if (!validate(values)) {
    const message = formatSchemaErrors(validate.errors ?? [], values, `${SOURCE} (ConfigMap)`, 'data');
    throw new UserError(
      `${message}\n  (each value is a string, lists are comma-separated: kpt fn eval DIR --exec gateway-compat -- netBindService=true gatewayClassNames=istio,istio-canary)`,
    );
  }
  const specs = Object.entries(values as Record<string, string>).map(([key, value]) =>
    // Validated one key at a time so that an error names the ConfigMap key, not the spec field.
    validateSpec((FUNCTION_INPUT_KEYS[key] as (value: string) => ConfigSpec)(value), `${SOURCE} (ConfigMap) data.${key}`),
  );
  return validateSpec(mergeSpecs(specs), `${SOURCE} (ConfigMap)`);
}

/** The spec a functionConfig asks for: a GatewayCompat object, a ConfigMap, or nothing (defaults). */
export function specFromFunctionConfig(functionConfig: unknown): ConfigSpec {
  if (functionConfig === undefined || functionConfig === null) return {};
  if (typeof functionConfig !== 'object' || Array.isArray(functionConfig)) {
    throw new UserError(
      `error: ${SOURCE} must be a ${CONFIG_KIND} object or a ConfigMap, got ${Array.isArray(functionConfig) ? 'a list' : typeof functionConfig}`,
    );
  }
  const { apiVersion, kind, data } = functionConfig as Record<string, unknown>;
  if (kind === 'ConfigMap' && apiVersion === 'v1') return specFromConfigMapData(data);
  if (kind === CONFIG_KIND) return validateConfigObject(functionConfig, SOURCE);
  throw new UserError(
    `error: ${SOURCE} is ${String(apiVersion ?? '?')}/${String(kind ?? '?')}; gateway-compat accepts a ${CONFIG_KIND} object (apiVersion: ${CONFIG_API_VERSION}, kind: ${CONFIG_KIND}, spec: {...}) or a ConfigMap (kpt fn eval ... -- key=value)`,
  );
}
