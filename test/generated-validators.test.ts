// The CLI validates its configuration with code generated from schemas/ at build time (so no
// schema is compiled at start-up). A schema edited without rebuilding would leave stale checks.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM build script without type declarations
import { generateValidators } from '../scripts/build-validators.mjs';
// @ts-expect-error: a plain ESM build script without type declarations
import { generateSchemas } from '../scripts/build-schemas.mjs';
import { validateConfigObject, validateSpec } from '../src/config/config.js';
import { REPO_ROOT } from './helpers/run-cli.js';

describe('generated configuration validators', () => {
  it('match the schemas in schemas/', async () => {
    const committed = readFileSync(path.join(REPO_ROOT, 'src/generated/config-validators.js'), 'utf8');
    expect(committed).toBe((generateValidators as (schemas: unknown) => string)(await (generateSchemas as () => Promise<unknown>)()));
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
