// The class-wide Gateway API options (Istio 1.26+): the same `deployment` patch gateway-compat
// puts into a Gateway's options ConfigMap, obtained by running the transform itself over a probe
// Gateway of each class, so the values never drift from what the post-renderer writes.
import { minimatch } from 'minimatch';
import { parse } from 'yaml';
import type { Config } from '../config/config.js';
import { isPlainMap, streamObjects, type Plain } from '../export/objects.js';
import { transform } from '../transform.js';

const PROBE_NAMESPACE = 'gateway-compat-probe';

/** The `deployment` overlay the transform gives Gateways of this class, parsed. */
export function classDeploymentPatch(config: Config, className: string): Plain | undefined {
  const probe = [
    'apiVersion: gateway.networking.k8s.io/v1',
    'kind: Gateway',
    'metadata:',
    '  name: probe',
    `  namespace: ${PROBE_NAMESPACE}`,
    'spec:',
    `  gatewayClassName: ${JSON.stringify(className)}`,
    '  listeners:',
    '  - name: http',
    '    port: 8080',
    '    protocol: HTTP',
    '',
  ].join('\n');
  const result = transform(probe, { config: { ...config, strict: false } });
  const added = streamObjects(result.text).find(({ object }) => object.kind === 'ConfigMap');
  const data = added && isPlainMap(added.object.data) ? added.object.data : undefined;
  if (typeof data?.deployment !== 'string') return undefined;
  const patch: unknown = parse(data.deployment);
  return isPlainMap(patch) ? patch : undefined;
}

/** The literal class names the configuration covers (globs cannot name a class value). */
export function literalClassNames(config: Config): { names: string[]; globs: string[] } {
  const names: string[] = [];
  const globs: string[] = [];
  for (const glob of config.gatewayApi.gatewayClassNames) {
    if (minimatch.escape(glob) === glob || !/[*?[\]{}!()+@]/.test(glob)) names.push(glob);
    else globs.push(glob);
  }
  return { names, globs };
}
