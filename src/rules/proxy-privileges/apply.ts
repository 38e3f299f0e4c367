// Rules `netBindService` and `runAsRoot`: without the sysctl, a non-root Envoy can no longer bind
// ports below 1024; these grant the gateway container (istio-proxy, or agentgateway) what binds
// them, as judged by src/kube/privilege.ts: `--run-as-root` is uid 0 *with* NET_BIND_SERVICE
// (root alone binds nothing once the container drops ALL), `--net-bind-service` alone the
// capability only (runtime-dependent for a non-root process; the warnings say so).
// The same grant goes into the injection templates and the Gateway API options patch; this file
// holds what they share and the edit of rendered workloads.
import type { YAMLMap } from 'yaml';
import type { Config } from '../../config/config.js';
import type { EditableDocument } from '../../yaml/editable-document.js';
import { mapAt, mergePatches, stringAt, Union, type Desired } from '../../yaml/node-edits.js';
import { GATEWAY_CONTAINERS } from '../../kube/gateway-containers.js';
import { isGatewayWorkload, isInjectedGateway } from '../../kube/gateway-workloads.js';
import { containersOf, objectsIn, podTemplateOf, type KubeObject } from '../../kube/objects.js';
import { NET_BIND_SERVICE } from '../../kube/privilege.js';
import type { ApplyToDocument, RuleContext } from '../rule.js';
import type { Patch } from '../../yaml/source-text.js';
import { objectPath } from '../../kube/objects.js';

type Privileges = Pick<Config, 'netBindService' | 'runAsRoot'>;

/** Whether the configuration grants the capability: asked for, or implied by --run-as-root. */
export function grantsCapability(config: Privileges): boolean {
  return config.netBindService || config.runAsRoot;
}

/** The gateway container's securityContext fields the configuration asks for, or null when none. */
export function proxySecurityContext(config: Privileges): Desired | null {
  const wanted: Desired = {};
  if (grantsCapability(config)) wanted.capabilities = { add: new Union([NET_BIND_SERVICE]) };
  if (config.runAsRoot) Object.assign(wanted, { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false });
  return Object.keys(wanted).length > 0 ? wanted : null;
}

export function describeGrant(config: Privileges): string {
  return describeFields(grantsCapability(config), config.runAsRoot);
}

function describeFields(capability: boolean, root: boolean): string {
  const parts: string[] = [];
  if (capability) parts.push(`added ${NET_BIND_SERVICE} to capabilities.add`);
  if (root) parts.push('set runAsUser: 0, runAsGroup: 0, runAsNonRoot: false');
  return parts.join('; ');
}

/**
 * An injected gateway gets NET_BIND_SERVICE from the injection template (the istiod release, same
 * flags), and the injector re-applies the Deployment's container over it: a capabilities.add
 * written here would replace the template's whole list (its NET_BIND_SERVICE and any capability a
 * user's template adds). So the capability is written only where this list is what counts: pods
 * that are not injected, and containers that already have a capabilities.add of their own.
 */
function wantedFor(container: YAMLMap, injected: boolean, wanted: Desired): Desired {
  if (!injected || !wanted.capabilities) return wanted;
  const securityContext = mapAt(container, 'securityContext');
  const capabilities = securityContext && mapAt(securityContext, 'capabilities');
  if (capabilities?.has('add')) return wanted;
  const { capabilities: _dropped, ...rest } = wanted;
  return rest;
}

function grantPatches(ed: EditableDocument, object: KubeObject, ctx: RuleContext, wanted: Desired): Patch[] {
  const pod = podTemplateOf(object);
  if (!pod || !isGatewayWorkload(pod.spec, pod.metadata)) return [];
  const injected = isInjectedGateway(pod.spec, pod.metadata);
  const patches: Patch[] = [];
  containersOf(pod.spec).forEach((container, index) => {
    const name = stringAt(container, 'name');
    if (!name || !GATEWAY_CONTAINERS.includes(name)) return;
    const fields = wantedFor(container, injected, wanted);
    if (Object.keys(fields).length === 0) return;
    const found = mergePatches(ed, container, { securityContext: fields });
    if (found.length === 0) return;
    patches.push(...found);
    const path = `${objectPath(object)}${pod.specPath}.containers[${index}].securityContext`;
    const grant = describeFields(!!fields.capabilities, ctx.config.runAsRoot);
    const deferred =
      fields.capabilities || !grantsCapability(ctx.config)
        ? ''
        : `; ${NET_BIND_SERVICE} comes from the gateway injection template at admission (post-render the istiod release with the same flags): a capabilities.add written here would replace the template's list`;
    ctx.change({ resource: object.id, rule: 'proxyPrivileges', path, message: `${name}: ${grant} in ${path}${deferred}` }, ed);
  });
  return patches;
}

export const apply: ApplyToDocument = (ed, ctx) => {
  const wanted = proxySecurityContext(ctx.config);
  if (!wanted) return;
  ed.apply(objectsIn(ed.doc).flatMap((object) => (ctx.isSelected(object.id) ? grantPatches(ed, object, ctx, wanted) : [])));
};
