// Every setting of a GatewayCompat spec can be given in each of the three ways a host passes
// configuration: command-line flags, the config file (--config, the kustomize plugin config, a
// typed functionConfig) and the ConfigMap kpt builds from `kpt fn eval ... -- key=value`. The
// settings the flags do not carry are listed below with the reason; the kpt keys carry all.
import { describe, expect, it } from 'vitest';
import functionInputSchema from '../../schemas/function-input.schema.json' with { type: 'json' };
import specSchema from '../../schemas/spec.schema.json' with { type: 'json' };
import topSchema from '../../schemas/gateway-compat.schema.json' with { type: 'json' };
import { buildSchemas } from '../../src/config/schemas.js';
import { parseConfigText } from '../../src/config/file.js';
import type { ConfigSpec } from '../../src/config/config.js';
import { FUNCTION_INPUT_KEYS, specFromConfigMapData } from '../../src/config/function-config.js';
import { FLAG_OPTIONS, parseFlags, specFromFlags } from '../../src/config/flags.js';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/run-cli.js';

const NOT_A_FLAG: Record<string, string> = {
  'injectionTemplate.templates': 'a list of fixed template names that rarely changes; set it in the config file or the functionConfig',
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

/** A valid value of each kpt key: `true` for the booleans, one of its words for an enum or list of words, else '9000'. */
const KPT_SAMPLES: Record<string, string> = {
  ignoreWarnings: 'privileged-port',
  gatewayOptionsFor: 'class',
  injectionTemplateNames: 'gateway,kube-gateway',
  maxInputBytes: '64MiB',
};
function kptSample(key: string): string {
  const properties = functionInputSchema.properties as Record<string, Schema>;
  return properties[key]?.$ref === '#/definitions/boolean' ? 'true' : (KPT_SAMPLES[key] ?? '9000');
}
/** The spec of one ConfigMap that sets every kpt key at once. */
const KPT_SPEC: ConfigSpec = specFromConfigMapData(
  Object.fromEntries(Object.keys(FUNCTION_INPUT_KEYS).map((key) => [key, kptSample(key)])),
);

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

  it('from the kpt ConfigMap (kpt fn eval ... -- key=value)', () => {
    const missing = SPEC_LEAVES.filter((leaf) => !leavesOfValue(KPT_SPEC).includes(leaf));
    expect(missing).toEqual([]);
  });

  it('from the config file: its spec is the spec schema itself, and a file setting every leaf reads back whole', () => {
    expect(topSchema.properties.spec).toEqual({ $ref: 'spec.schema.json' });
    // Every leaf, with the valid values the kpt keys above produced, written as a --config file.
    const text = stringify({ apiVersion: 'gateway-compat.io/v1alpha1', kind: 'GatewayCompat', spec: KPT_SPEC });
    const spec = parseConfigText(text, 'test.yaml');
    expect(spec).toEqual(KPT_SPEC);
    expect(SPEC_LEAVES.filter((leaf) => !leavesOfValue(spec).includes(leaf))).toEqual([]);
  });

  it('kpt fn eval ... -- unprivilegedPorts=true portOffset=9000 is accepted', () => {
    expect(specFromConfigMapData({ unprivilegedPorts: 'true', portOffset: '9000' })).toEqual({
      unprivilegedPorts: { enabled: true, offset: 9000 },
    });
    expect(() => specFromConfigMapData({ portOffset: '80' })).toThrow(/data\.portOffset/);
  });

  it('kpt fn eval ... -- maxInputBytes=64MiB injectionTemplateNames=gateway reads like the flag and the spec', () => {
    expect(specFromConfigMapData({ maxInputBytes: '64MiB', injectionTemplateNames: 'gateway, kube-gateway' })).toEqual({
      maxInputBytes: 64 * 1024 ** 2,
      injectionTemplate: { templates: ['gateway', 'kube-gateway'] },
    });
    expect(specFromConfigMapData({ maxInputBytes: '1000' })).toEqual({ maxInputBytes: 1000 });
    expect(() => specFromConfigMapData({ maxInputBytes: 'lots' })).toThrow(/data\.maxInputBytes/);
    expect(() => specFromConfigMapData({ maxInputBytes: '0' })).toThrow(/data\.maxInputBytes/);
    expect(() => specFromConfigMapData({ injectionTemplateNames: 'gateway,sidecar' })).toThrow(/data\.injectionTemplateNames/);
  });
});
