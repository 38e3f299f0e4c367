// Which container of an Istio gateway pod listens, per template and per Gateway API class, and what
// Istio's own templates give it (istio/istio manifests/charts/istio-control/istio-discovery/files,
// 1.18 to 1.30): the grants must reach that container, and the warnings judge it.
import type { SecurityFields } from './privilege.js';

export const PROXY_CONTAINER = 'istio-proxy';
export const AGENTGATEWAY_CONTAINER = 'agentgateway';
export const GATEWAY_CONTAINERS: readonly string[] = [PROXY_CONTAINER, AGENTGATEWAY_CONTAINER];

/** The Gateway API class Istio renders from the agentgateway template (1.29+, PILOT_ENABLE_AGENTGATEWAY). */
export const AGENTGATEWAY_CLASS = 'istio-agentgateway';

/** The container each injection template renders the gateway as. */
export function containerOfTemplate(template: string): string {
  return template === 'agentgateway' ? AGENTGATEWAY_CONTAINER : PROXY_CONTAINER;
}

/** The container of the Deployment istiod generates for a Gateway of this class. */
export function containerOfClass(className: string | undefined): string {
  return className === AGENTGATEWAY_CLASS ? AGENTGATEWAY_CONTAINER : PROXY_CONTAINER;
}

/**
 * The container securityContext each template writes, without any grant: the `gateway` injection
 * template only pins the proxy's uid/gid (the Deployment's own fields are re-applied over it);
 * kube-gateway and agentgateway render whole Deployments that drop ALL and run as non-root.
 */
export function templateSecurityContext(template: 'gateway' | 'kube-gateway' | 'agentgateway'): SecurityFields {
  if (template === 'gateway') return { runAsUser: 1337, runAsGroup: 1337 };
  const uid = template === 'agentgateway' ? 10101 : 1337;
  return { capabilities: { drop: ['ALL'] }, runAsUser: uid, runAsGroup: uid, runAsNonRoot: true };
}
