// What makes a pod template an Istio gateway, and whether Istio's injector will run the gateway
// template over it at admission (pkg/kube/inject/webhook.go injectRequired: hostNetwork pods and
// pods labelled or annotated sidecar.istio.io/inject: "false" are left alone).
import { isMap, isScalar, type YAMLMap } from 'yaml';
import type { RuleContext } from '../context.js';
import { mapAt, seqAt, stringAt } from '../yaml/node-edits.js';
import { AGENTGATEWAY_CONTAINER, GATEWAY_CONTAINERS, PROXY_CONTAINER } from './gateway-containers.js';
import { annotationOf, containersOf, labelsOf, podTemplateOf, type ResourceId } from './objects.js';
import { mightHoldGatewayWorkload } from './text-checks.js';
import { eachObject, type Place, type StreamView } from './view.js';

export function usesGatewayTemplate(podMetadata: YAMLMap | undefined): boolean {
  const templates = annotationOf(podMetadata, 'inject.istio.io/templates');
  return !!templates?.split(',').some((name) => name.trim() === 'gateway');
}

/**
 * A gateway workload: its pod asks for the `gateway` injection template, or it already carries an
 * istio-proxy container running as a router (what istiod renders for Gateway API gateways), or an
 * agentgateway container (what istiod renders for class istio-agentgateway).
 */
export function isGatewayWorkload(podSpec: YAMLMap, podMetadata: YAMLMap | undefined): boolean {
  if (usesGatewayTemplate(podMetadata)) return true;
  return containersOf(podSpec).some((container) => {
    const name = stringAt(container, 'name');
    if (name === AGENTGATEWAY_CONTAINER) return true;
    if (name !== PROXY_CONTAINER) return false;
    const args = seqAt(container, 'args');
    return !!args?.items.some((arg) => isScalar(arg) && arg.value === 'router');
  });
}

/** Will the injector merge the gateway template over this pod (and re-apply its containers after)? */
export function isInjectedGateway(podSpec: YAMLMap, podMetadata: YAMLMap | undefined): boolean {
  if (!usesGatewayTemplate(podMetadata)) return false;
  const hostNetwork = podSpec.get('hostNetwork');
  if (hostNetwork === true || (isScalar(hostNetwork) && hostNetwork.value === true)) return false;
  const labels = isMap(podMetadata) ? mapAt(podMetadata, 'labels') : undefined;
  const optOut = stringAt(labels, 'sidecar.istio.io/inject') ?? annotationOf(podMetadata, 'sidecar.istio.io/inject');
  return optOut !== 'false';
}

/** The container that listens: istio-proxy or agentgateway, with its index among the containers. */
export function gatewayContainerOf(podSpec: YAMLMap): { container: YAMLMap; index: number; name: string } | undefined {
  const containers = containersOf(podSpec);
  const index = containers.findIndex((container) => GATEWAY_CONTAINERS.includes(stringAt(container, 'name') ?? ''));
  const container = containers[index];
  return container ? { container, index, name: stringAt(container, 'name') as string } : undefined;
}

/** The istio-proxy container of a pod spec and its index among the containers. */
export function proxyContainerOf(podSpec: YAMLMap): { container: YAMLMap; index: number } | undefined {
  const containers = containersOf(podSpec);
  const index = containers.findIndex((container) => stringAt(container, 'name') === PROXY_CONTAINER);
  const container = containers[index];
  return container ? { container, index } : undefined;
}

export interface GatewayWorkload extends Place {
  readonly id: ResourceId;
  /** the pod template's labels */
  readonly labels: ReadonlyMap<string, string>;
  /** the pod asks for the `gateway` injection template */
  readonly usesGatewayTemplate: boolean;
  /** and Istio's injector will run it (not hostNetwork, not opted out) */
  readonly injected: boolean;
}

/** Gateway workloads the select globs let us touch, in stream order. */
export function findGatewayWorkloads(view: StreamView, ctx: Pick<RuleContext, 'isSelected'>): GatewayWorkload[] {
  const found: GatewayWorkload[] = [];
  view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || !mightHoldGatewayWorkload(chunk.text)) return;
    eachObject(view, index, (object) => {
      const pod = podTemplateOf(object);
      if (!pod || !isGatewayWorkload(pod.spec, pod.metadata) || !ctx.isSelected(object.id)) return;
      found.push({
        chunk: index,
        path: object.path,
        id: object.id,
        labels: labelsOf(pod.metadata && mapAt(pod.metadata, 'labels')),
        usesGatewayTemplate: usesGatewayTemplate(pod.metadata),
        injected: isInjectedGateway(pod.spec, pod.metadata),
      });
    });
  });
  return found;
}
