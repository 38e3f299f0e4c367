// Every setting of a GatewayCompat spec can be given in each of the three ways a host passes
// configuration: command-line flags, the config file (--config, the kustomize plugin config, a
// typed functionConfig) and the ConfigMap kpt builds from `kpt fn eval ... -- key=value`. The
// settings one way cannot carry are listed below with the reason.
import { describe, expect, it } from 'vitest';
import functionInputSchema from '../../schemas/function-input.schema.json' with { type: 'json' };
import specSchema from '../../schemas/spec.schema.json' with { type: 'json' };
import topSchema from '../../schemas/gateway-compat.schema.json' with { type: 'json' };
import { buildSchemas } from '../../src/config/schemas.js';
import { validateConfigObject } from '../../src/config/config.js';
import { FUNCTION_INPUT_KEYS, specFromConfigMapData } from '../../src/config/function-config.js';
import { FLAG_OPTIONS, parseFlags, specFromFlags } from '../../src/config/flags.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/run-cli.js';

const NOT_A_FLAG: Record<string, string> = {
  'injectionTemplate.templates': 'a list of fixed template names that rarely changes; set it in the config file or the functionConfig',
};
const NOT_A_KPT_KEY: Record<string, string> = {
  'injectionTemplate.templates': 'a list of fixed template names that rarely changes; use a typed GatewayCompat functionConfig',
  maxInputBytes:
    'kpt has handed over the whole ResourceList before its functionConfig can be read, so a limit there comes too late to bound reading; use --max-input-size in the exec command (or spec.maxInputBytes of a typed functionConfig)',
};

type Schema = { $ref?: string; type?: string; properties?: Record<string, Schema>; definitions?: Record<string, Schema> };
const published = new Map(
  buildSchemas((file) => readFileSync(path.join(REPO_ROOT, file), 'utf8')).map((entry) => [entry.path, entry.schema as Schema]),
);

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const [file, pointer] = schema.$ref.split('#');
  let target = published.get(file as string) as Schema;
  for (const part of (pointer ?? '').split('/').filter(Boolean)) target = (target as Record<string, Schema>)[part] as Schema;
  return resolve(target);
}

/** Every settable leaf of the spec: `strict`, `sysctls.remove`, ... */
function leavesOf(schema: Schema, prefix = ''): string[] {
  const resolved = resolve(schema);
  if (resolved.type !== 'object' || !resolved.properties) return [prefix];
  return Object.entries(resolved.properties).flatMap(([key, value]) => leavesOf(value, prefix ? `${prefix}.${key}` : key));
}

function leavesOfValue(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, item]) => leavesOfValue(item, prefix ? `${prefix}.${key}` : key));
}

const SPEC_LEAVES = leavesOf(specSchema as Schema);

describe('every spec setting is reachable from each configuration source', () => {
  it('the spec has the settings this test knows of', () => {
    expect(SPEC_LEAVES.length).toBeGreaterThan(15);
    expect(SPEC_LEAVES).toContain('unprivilegedPorts.offset');
  });

  it('from command-line flags', () => {
    const reached = new Set<string>();
    for (const [name, option] of Object.entries(FLAG_OPTIONS)) {
      // '9000' is a valid value of every free-form string flag (a port offset, a size, a name, a
      // glob); --gateway-options takes one of its words.
      const sample = name === 'gateway-options' ? 'class' : '9000';
      const args = option.type === 'boolean' ? [`--${name}`] : [`--${name}`, sample];
      for (const leaf of leavesOfValue(specFromFlags(parseFlags(args).values))) if (leaf) reached.add(leaf);
    }
    const missing = SPEC_LEAVES.filter((leaf) => !reached.has(leaf) && !(leaf in NOT_A_FLAG));
    expect(missing).toEqual([]);
    for (const leaf of Object.keys(NOT_A_FLAG)) expect(reached.has(leaf), `${leaf} is reachable now: drop the exception`).toBe(false);
  });

  it('from the config file: its spec is the spec schema itself', () => {
    expect(topSchema.properties.spec).toEqual({ $ref: 'spec.schema.json' });
    const spec = validateConfigObject(
      { apiVersion: 'gateway-compat.io/v1alpha1', kind: 'GatewayCompat', spec: { unprivilegedPorts: { enabled: true, offset: 9000 } } },
      'test',
    );
    expect(spec.unprivilegedPorts).toEqual({ enabled: true, offset: 9000 });
  });

  it('from the kpt ConfigMap (kpt fn eval ... -- key=value)', () => {
    const reached = new Set<string>();
    const properties = functionInputSchema.properties as Record<string, Schema>;
    for (const key of Object.keys(FUNCTION_INPUT_KEYS)) {
      const value = properties[key]?.$ref === '#/definitions/boolean' ? 'true' : key === 'ignoreWarnings' ? 'privileged-port' : key === 'gatewayOptionsFor' ? 'class' : '9000';
      for (const leaf of leavesOfValue(specFromConfigMapData({ [key]: value }))) if (leaf) reached.add(leaf);
    }
    const missing = SPEC_LEAVES.filter((leaf) => !reached.has(leaf) && !(leaf in NOT_A_KPT_KEY));
    expect(missing).toEqual([]);
    for (const leaf of Object.keys(NOT_A_KPT_KEY)) expect(reached.has(leaf), `${leaf} is reachable now: drop the exception`).toBe(false);
  });

  it('kpt fn eval ... -- unprivilegedPorts=true portOffset=9000 is accepted', () => {
    expect(specFromConfigMapData({ unprivilegedPorts: 'true', portOffset: '9000' })).toEqual({ unprivilegedPorts: { enabled: true, offset: 9000 } });
    expect(() => specFromConfigMapData({ portOffset: '80' })).toThrow(/data\.portOffset/);
  });
});
