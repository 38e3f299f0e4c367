// The additive route for a Sail `Istio` resource without a gateway template: instead of copying
// Istio's whole built-in template (which then has to follow every upgrade), a small template of
// our own, applied after `gateway` (`inject.istio.io/templates: gateway,<name>`), whose pod
// securityContext has an empty sysctls list. The injector merges templates in order and the list
// is atomic, so the later, empty one wins; the grants the configuration asks for go in beside it.
import { stringify } from 'yaml';
import type { Config } from '../config/config.js';
import { isPlainMap, type Plain } from '../export/objects.js';
import { getPath } from '../export/plain-data.js';
import { atLeast, type Version } from '../kube/version.js';
import { classDeploymentPatch } from '../values/class-defaults.js';

export const ADDITIVE_TEMPLATE_NAME = 'gateway-compat';

/**
 * The Istio releases on which istio-sim (../shared/engine, test/e2e/sail.test.ts) shows the
 * stacked template taking the sysctl out of the gateway pod: the injector of 1.18 to 1.30 merges
 * `gateway,<name>` the same way, and the corpus charts of 1.18.7, 1.20.8, 1.22.8, 1.24.6, 1.26.8,
 * 1.28.10 and 1.30.3 are tested.
 */
export const ADDITIVE_VERIFIED: readonly [Version, Version] = [
  [1, 18, 0],
  [1, 30, 999],
];

export function additiveVerified(version: Version | undefined): boolean {
  return version !== undefined && atLeast(version, ADDITIVE_VERIFIED[0]) && atLeast(ADDITIVE_VERIFIED[1], version);
}

/**
 * The template text: the class deployment patch's pod spec, which is exactly the pod-level
 * change (sysctls: []) plus the istio-proxy grant the post-renderer writes for Gateway API pods.
 */
export function additiveTemplate(config: Config): string {
  const patch = classDeploymentPatch(
    { ...config, gatewayApi: { ...config.gatewayApi, enabled: true, gatewayClassNames: ['istio'] } },
    'istio',
  );
  const podSpec = patch ? getPath(patch, ['spec', 'template', 'spec']) : undefined;
  const spec: Plain = isPlainMap(podSpec) ? podSpec : { securityContext: { sysctls: [] } };
  return stringify({ spec }, { version: '1.1', lineWidth: 0 });
}
