// The CLI validates its configuration with code generated from schemas/ at build time (so no
// schema is compiled at start-up), and its `Config` type and defaults are generated from the same
// schemas (src/generated/config.ts). A schema edited without rebuilding, or a generated file
// edited by hand, would leave stale checks, types or defaults: these tests fail on that drift.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM build script without type declarations
import { generateConfigModule, generateValidators } from '../../scripts/build-validators.mjs';
// @ts-expect-error: a plain ESM build script without type declarations
import { generateSchemas } from '../../scripts/build-schemas.mjs';
// @ts-expect-error: a plain ESM build script without type declarations
import { generateRuleEdits } from '../../scripts/build-rule-edits.mjs';
import { defaultConfig, validateConfigObject, validateSpec } from '../../src/config/config.js';
import { REPO_ROOT } from '../helpers/run-cli.js';

describe('generated configuration validators', () => {
  it('match the schemas in schemas/', async () => {
    const committed = readFileSync(path.join(REPO_ROOT, 'src/generated/config-validators.js'), 'utf8');
    expect(committed).toBe((generateValidators as (schemas: unknown) => string)(await (generateSchemas as () => Promise<unknown>)()));
  });

  it('the Config type and its defaults are what the schemas say', async () => {
    const committed = readFileSync(path.join(REPO_ROOT, 'src/generated/config.ts'), 'utf8');
    expect(committed).toBe((generateConfigModule as (schemas: unknown) => string)(await (generateSchemas as () => Promise<unknown>)()));
  });

  it('the table of rule edits names every rule folder of src/rules/', () => {
    const committed = readFileSync(path.join(REPO_ROOT, 'src/generated/rule-edits.ts'), 'utf8');
    expect(committed).toBe((generateRuleEdits as () => string)());
  });

  it('the defaults are a valid spec, and each default of the published spec schema is one of them', () => {
    const defaults = defaultConfig();
    expect(validateSpec(defaults, 'defaults')).toEqual(defaults);
    const spec = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas/spec.schema.json'), 'utf8')) as {
      properties: Record<string, { default?: unknown }>;
    };
    for (const [key, property] of Object.entries(spec.properties)) {
      if (property.default !== undefined) expect(defaults[key as keyof typeof defaults], key).toEqual(property.default);
    }
    // Independent of the generator: the rule schemas' own defaults, read straight from their files.
    const sysctls = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas/rules/sysctls.schema.json'), 'utf8')) as {
      properties: { remove: { default: unknown } };
    };
    expect(defaults.sysctls.remove).toEqual(sysctls.properties.remove.default);
    const ports = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas/rules/unprivileged-ports.schema.json'), 'utf8')) as {
      properties: { offset: { default: unknown } };
    };
    expect(defaults.unprivilegedPorts.offset).toBe(ports.properties.offset.default);
    expect(defaults.maxInputBytes).toBe(1024 ** 3);
  });

  it('accept the documented configuration and refuse a wrong type', () => {
    const spec = validateConfigObject(
      {
        apiVersion: 'gateway-compat.io/v1alpha1',
        kind: 'GatewayCompat',
        spec: { netBindService: true, gatewayApi: { optionsConfigMap: 'asm-kube-gateway-options', gatewayClassNames: ['istio'] } },
      },
      'test',
    );
    expect(spec.netBindService).toBe(true);
    expect(() => validateSpec({ runAsRoot: 'yes' }, 'flags')).toThrow(/runAsRoot must be boolean, got string "yes"/);
    expect(() => validateSpec({ gatewayApi: { optionsConfigMap: 'Not_A_Name' } }, 'flags')).toThrow(/optionsConfigMap/);
  });
});
