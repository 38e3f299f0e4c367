// A KRM function's functionConfig -> a validated configuration. Two shapes are accepted, as the
// kpt-functions-catalog functions do: the typed GatewayCompat object, or a ConfigMap whose data
// holds flat strings (what `kpt fn eval --exec post-render -- netBindService=true` builds; with no
// `-- key=value` kpt sends one with `data: {}`, which means the defaults).
import functionInputSchema from '../../schemas/function-input.schema.json' with { type: 'json' };
import { CONFIG_API_VERSION, CONFIG_KIND, formatSchemaErrors, validateConfigObject, validateSpec, type ConfigSpec } from '../config.js';
import { UserError } from '../errors.js';
import { validateFunctionInput } from '../generated/config-validators.js';

export type FunctionInputKey = keyof typeof functionInputSchema.properties;

const list = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
const bool = (value: string): boolean => value === 'true';

/** How each ConfigMap key becomes part of a GatewayCompat spec; the spec schema then checks the value. */
export const FUNCTION_INPUT_KEYS: Record<FunctionInputKey, (value: string) => ConfigSpec> = {
  netBindService: (value) => ({ netBindService: bool(value) }),
  runAsRoot: (value) => ({ runAsRoot: bool(value) }),
  sysctls: (value) => ({ sysctls: { enabled: bool(value) } }),
  removeSysctls: (value) => ({ sysctls: { remove: list(value) } }),
  injectionTemplates: (value) => ({ injectionTemplate: { enabled: bool(value) } }),
  gatewayTemplate: (value) => ({ injectionTemplate: { file: value } }),
  gatewayOptions: (value) => ({ gatewayApi: { enabled: bool(value) } }),
  optionsConfigMap: (value) => ({ gatewayApi: { optionsConfigMap: value } }),
  gatewayClassNames: (value) => ({ gatewayApi: { gatewayClassNames: list(value) } }),
  include: (value) => ({ select: { include: list(value) } }),
  exclude: (value) => ({ select: { exclude: list(value) } }),
  strict: (value) => ({ strict: bool(value) }),
  validate: (value) => ({ validate: bool(value) }),
};


/** Layers partial specs key by key; nested rule objects are merged, lists replaced. */
function mergeSpecs(specs: readonly ConfigSpec[]): ConfigSpec {
  const merged: Record<string, unknown> = {};
  for (const spec of specs) {
    for (const [key, value] of Object.entries(spec)) {
      const current = merged[key];
      merged[key] =
        current !== null && typeof current === 'object' && !Array.isArray(current) && typeof value === 'object' && !Array.isArray(value)
          ? { ...current, ...value }
          : value;
    }
  }
  return merged as ConfigSpec;
}

const SOURCE = 'functionConfig';

export function specFromConfigMapData(data: unknown): ConfigSpec {
  const values = data ?? {};
  // Precompiled from schemas/function-input.schema.json by scripts/build-validators.mjs.
  const validate = validateFunctionInput;
  if (!validate(values)) {
    const message = formatSchemaErrors(validate.errors ?? [], values, `${SOURCE} (ConfigMap)`, 'data');
    throw new UserError(`${message}\n  (each value is a string, lists are comma-separated: kpt fn eval DIR --exec post-render -- netBindService=true gatewayClassNames=istio,istio-canary)`);
  }
  const specs = Object.entries(values as Record<FunctionInputKey, string>).map(([key, value]) =>
    // Validated one key at a time so that an error names the ConfigMap key, not the spec field.
    validateSpec(FUNCTION_INPUT_KEYS[key as FunctionInputKey](value), `${SOURCE} (ConfigMap) data.${key}`),
  );
  return validateSpec(mergeSpecs(specs), `${SOURCE} (ConfigMap)`);
}

/** The spec a functionConfig asks for: a GatewayCompat object, a ConfigMap, or nothing (defaults). */
export function specFromFunctionConfig(functionConfig: unknown): ConfigSpec {
  if (functionConfig === undefined || functionConfig === null) return {};
  if (typeof functionConfig !== 'object' || Array.isArray(functionConfig)) {
    throw new UserError(`error: ${SOURCE} must be a ${CONFIG_KIND} object or a ConfigMap, got ${Array.isArray(functionConfig) ? 'a list' : typeof functionConfig}`);
  }
  const { apiVersion, kind, data } = functionConfig as Record<string, unknown>;
  if (kind === 'ConfigMap' && apiVersion === 'v1') return specFromConfigMapData(data);
  if (kind === CONFIG_KIND) return validateConfigObject(functionConfig, SOURCE);
  throw new UserError(
    `error: ${SOURCE} is ${String(apiVersion ?? '?')}/${String(kind ?? '?')}; gateway-compat accepts a ${CONFIG_KIND} object (apiVersion: ${CONFIG_API_VERSION}, kind: ${CONFIG_KIND}, spec: {...}) or a ConfigMap (kpt fn eval ... -- key=value)`,
  );
}
