// Rules `netBindService` and `runAsRoot`: without the sysctl, a non-root Envoy can no longer bind
// ports below 1024; these grant the gateway's istio-proxy container the capability and/or root.
// The same grant goes into the injection templates and the Gateway API options patch; this file
// holds what they share and the edit of rendered workloads.
import { isScalar, type YAMLMap } from 'yaml';
import type { Config } from '../../config.js';
import type { EditableDocument } from '../../edit/editable-document.js';
import { mergePatches, seqAt, stringAt, Union, type Desired } from '../../edit/node-edits.js';
import { annotationOf, containersOf, objectsIn, podTemplateOf, type KubeObject } from '../../kube/objects.js';
import type { ApplyToDocument, RuleContext } from '../rule.js';
import { objectPath } from '../edit-loop.js';
import type { Patch } from '../../edit/source-text.js';

export const PROXY_CONTAINER = 'istio-proxy';
export const NET_BIND_SERVICE = 'NET_BIND_SERVICE';

/** The istio-proxy securityContext fields the configuration asks for, or null when none. */
export function proxySecurityContext(config: Pick<Config, 'netBindService' | 'runAsRoot'>): Desired | null {
  const wanted: Desired = {};
  if (config.netBindService) wanted.capabilities = { add: new Union([NET_BIND_SERVICE]) };
  if (config.runAsRoot) Object.assign(wanted, { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false });
  return Object.keys(wanted).length > 0 ? wanted : null;
}

export function describeGrant(config: Pick<Config, 'netBindService' | 'runAsRoot'>): string {
  const parts: string[] = [];
  if (config.netBindService) parts.push(`added ${NET_BIND_SERVICE} to capabilities.add`);
  if (config.runAsRoot) parts.push('set runAsUser: 0, runAsGroup: 0, runAsNonRoot: false');
  return parts.join('; ');
}

/**
 * A gateway workload: its pod asks for the `gateway` injection template, or it already carries an
 * istio-proxy container running as a router (what istiod renders for Gateway API gateways).
 */
export function isGatewayWorkload(podSpec: YAMLMap, podMetadata: YAMLMap | undefined): boolean {
  const templates = annotationOf(podMetadata, 'inject.istio.io/templates');
  if (templates?.split(',').some((name) => name.trim() === 'gateway')) return true;
  return containersOf(podSpec).some((container) => {
    if (stringAt(container, 'name') !== PROXY_CONTAINER) return false;
    const args = seqAt(container, 'args');
    return !!args?.items.some((arg) => isScalar(arg) && arg.value === 'router');
  });
}

function grantPatches(ed: EditableDocument, object: KubeObject, ctx: RuleContext, wanted: Desired): Patch[] {
  const pod = podTemplateOf(object);
  if (!pod || !isGatewayWorkload(pod.spec, pod.metadata)) return [];
  const containers = containersOf(pod.spec);
  const index = containers.findIndex((container) => stringAt(container, 'name') === PROXY_CONTAINER);
  const proxy = containers[index];
  if (!proxy) return [];
  const patches = mergePatches(ed, proxy, { securityContext: wanted });
  if (patches.length > 0) {
    const path = `${objectPath(object)}${pod.specPath}.containers[${index}].securityContext`;
    ctx.change({ resource: object.id, rule: 'proxyPrivileges', path, message: `${PROXY_CONTAINER}: ${describeGrant(ctx.config)} in ${path}` }, ed);
  }
  return patches;
}

export const apply: ApplyToDocument = (ed, ctx) => {
  const wanted = proxySecurityContext(ctx.config);
  if (!wanted) return;
  ed.apply(objectsIn(ed.doc).flatMap((object) => (ctx.isSelected(object.id) ? grantPatches(ed, object, ctx, wanted) : [])));
};
