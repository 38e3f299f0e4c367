// What the gateway container of a pod will run with once the cluster has it, after this run's
// grants: the warnings judge that (src/kube/privilege.ts), not the flags. The rules' effect is
// inferred from the configuration (the warnings read the documents before the rules edit them):
//   - a workload Istio injects: the gateway template's container securityContext, with the grant
//     the istiod release gets from the same configuration, and the Deployment's own container
//     (after this run's grant) re-applied over it, field by field, lists atomic;
//   - any other workload: its own container after this run's grant;
//   - a Gateway API Gateway: the kube-gateway or agentgateway template's container, with the
//     options ConfigMap's (or the template's) grant over it.
import type { YAMLMap } from 'yaml';
import type { Config } from '../config/config.js';
import { mapAt } from '../yaml/node-edits.js';
import { containerOfClass, PROXY_CONTAINER, templateSecurityContext } from '../kube/gateway-containers.js';
import { gatewayContainerOf, isInjectedGateway } from '../kube/gateway-workloads.js';
import type { PodTemplate } from '../kube/objects.js';
import { grantFields, judgeBinding, overlay, withNetBindService, type Grant, type Judged, type SecurityFields } from '../kube/privilege.js';

export function grantOf(config: Pick<Config, 'netBindService' | 'runAsRoot'>): Grant {
  return { root: config.runAsRoot, capability: config.netBindService || config.runAsRoot };
}

export function grants(grant: Grant): boolean {
  return grant.root || grant.capability;
}

function plain(map: YAMLMap | undefined): SecurityFields | undefined {
  return map ? (map.toJSON() as SecurityFields) : undefined;
}

export interface WorkloadPrediction {
  container: string;
  injected: boolean;
  judged: Judged;
  /** the Deployment's own fields that the injector re-applies over a template grant of root */
  pins: string[];
}

/**
 * `edited`: whether this run's grant reaches the workload itself (false for one the select globs
 * exclude, whose own fields are re-applied over the template's grant as they are).
 */
export function predictWorkload(pod: PodTemplate, config: Config, edited = true, templateGrant?: Grant): WorkloadPrediction | undefined {
  const found = gatewayContainerOf(pod.spec);
  if (!found) return undefined;
  const injected = isInjectedGateway(pod.spec, pod.metadata);
  const own = plain(mapAt(found.container, 'securityContext')) ?? {};
  const podFields = plain(mapAt(pod.spec, 'securityContext'));
  const grant = grantOf(config);
  const edits: SecurityFields = grant.root && edited ? { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false } : {};
  const ownAdd = own.capabilities && 'add' in own.capabilities ? own.capabilities.add : undefined;
  // The rule writes capabilities.add where that list is what counts (see proxy-privileges).
  if (edited && grant.capability && (!injected || ownAdd !== undefined)) edits.capabilities = { add: withNetBindService(ownAdd) };
  const deployment = overlay(own, edits);
  // The template's grant: this configuration's (the istiod release gets the same), or what the
  // stream's own injection template already grants.
  const fromTemplate = grants(grant) ? grant : templateGrant;
  const final = injected
    ? overlay(
        overlay(templateSecurityContext('gateway'), fromTemplate && grants(fromTemplate) ? grantFields(fromTemplate) : {}),
        deployment,
      )
    : deployment;
  const pins: string[] = [];
  if (own.runAsNonRoot === true) pins.push('runAsNonRoot: true');
  if (typeof own.runAsUser === 'number' && own.runAsUser !== 0) pins.push(`runAsUser: ${own.runAsUser}`);
  return { container: found.name, injected, judged: judgeBinding(final, podFields), pins };
}

export function predictGateway(className: string | undefined, config: Config): { container: string; judged: Judged } {
  const container = containerOfClass(className);
  const template = templateSecurityContext(container === PROXY_CONTAINER ? 'kube-gateway' : 'agentgateway');
  const grant = grantOf(config);
  return { container, judged: judgeBinding(overlay(template, grants(grant) ? grantFields(grant) : {}), undefined) };
}
