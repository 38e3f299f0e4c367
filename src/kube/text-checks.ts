// Cheap checks on a document's text, run before anything is parsed: a document that fails them
// cannot hold the object and stays unparsed. They load no parser, so the rule descriptors (read at
// start-up) can use them.
import { PROXY_CONTAINER } from './gateway-containers.js';
import { sureKindOf } from './kind-text.js';
import { rememberedCheck } from './text-memo.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** Could this document hold a Gateway API Gateway? */
function holdsGateway(text: string): boolean {
  return text.includes(GATEWAY_API_GROUP) && text.includes('Gateway');
}

export function mightHoldGateway(text: string): boolean {
  return rememberedCheck(mightHoldGateway, text, holdsGateway);
}

/**
 * Could this document hold a Gateway API Gateway object to read? As mightHoldGateway, except for a
 * document whose text says for sure that it is one object of another kind: an HTTPRoute's
 * `parentRefs: [{group: gateway.networking.k8s.io, kind: Gateway, ...}]` mentions both words, and a
 * stream of many routes would otherwise have every route parsed (and held) for its Gateways. Only
 * a List holds objects of other kinds.
 */
export function mightHoldGatewayObject(text: string): boolean {
  if (!mightHoldGateway(text)) return false;
  const kind = sureKindOf(text);
  return kind === undefined || kind === 'Gateway' || kind.endsWith('List');
}

/**
 * Could this document hold an injector ConfigMap, a Sail Istio resource or an IstioOperator? The
 * istiod chart's MutatingWebhookConfiguration is named istio-sidecar-injector too, but holds no ConfigMap.
 */
export function mightHoldTemplates(text: string): boolean {
  return rememberedCheck(mightHoldTemplates, text, holdsTemplates);
}

function holdsTemplates(text: string): boolean {
  return (
    (text.includes('istio-sidecar-injector') && text.includes('ConfigMap')) ||
    (text.includes('sailoperator.io') && text.includes('Istio')) ||
    (text.includes('install.istio.io') && text.includes('IstioOperator'))
  );
}

/** Could this document hold a gateway workload (see gateway-workloads.ts)? */
export function mightHoldGatewayWorkload(text: string): boolean {
  return rememberedCheck(mightHoldGatewayWorkload, text, holdsGatewayWorkload);
}

function holdsGatewayWorkload(text: string): boolean {
  return text.includes(PROXY_CONTAINER) || text.includes('inject.istio.io/templates') || text.includes('agentgateway');
}

/** Could this document hold a classic Istio Gateway (networking.istio.io) with servers? */
export function mightHoldIstioGateway(text: string): boolean {
  return text.includes('networking.istio.io') && text.includes('Gateway') && text.includes('servers');
}

/** Could this document hold one of the ConfigMaps with these names? */
export function mightHoldConfigMap(text: string, names: ReadonlySet<string>): boolean {
  if (!text.includes('ConfigMap')) return false;
  for (const name of names) if (text.includes(name)) return true;
  return false;
}
