// A bundle -> what stands between the cluster and running gateways, in the order to fix it:
//   1. runtime problems the events show (no manifest change helps),
//   2. injection templates that add the sysctl back at admission (they win over the Deployment),
//   3. gateway Deployments that carry the sysctl,
//   4. Gateway API Gateways without the options ConfigMap,
//   5. ports below 1024, which nothing lets Envoy bind once the sysctl is gone,
//   6. the gateway pods to restart once the sources are fixed.
// Items 2-4 are what gateway-compat itself would change, found by running the transform over the
// live objects: doctor never keeps a second copy of the rules.
import { parse, stringify } from 'yaml';
import { explainText } from '../explain/match.js';
import type { ErrorPattern } from '../explain/patterns.js';
import { gatewayPodsIn, type GatewayPod } from '../nodes/gateway-pods.js';
import { assessNode, type NodeAssessment } from '../nodes/node-check.js';
import { recordAt, stringAt } from '../nodes/node-list.js';
import { transform } from '../transform.js';
import type { ChangeRecord, WarningRecord } from '../report/records.js';
import type { Bundle, KubeRecord } from './bundle.js';
import { fixCommandFor } from './fix-command.js';

export type Step = 'runtime' | 'templates' | 'workloads' | 'gateways' | 'ports' | 'restart';

export interface Blocker {
  step: Step;
  title: string;
  /** the objects it concerns, as kind namespace/name */
  resources: string[];
  /** why, one line each */
  details: string[];
  /** the command that fixes it, or where the fix lives */
  fix: string;
}

export interface Diagnosis {
  nodes: NodeAssessment[];
  /** does the sysctl stop gateways here? false only when nodes, events and pods all say no */
  sysctlMatters: boolean;
  sysctlEvidence: string[];
  blockers: Blocker[];
  gatewayPods: GatewayPod[];
}

const STEP_ORDER: readonly Step[] = ['runtime', 'templates', 'workloads', 'gateways', 'ports', 'restart'];
// Groups whose cause the sysctl in the manifests is; the runtime groups are not.
const SYSCTL_GROUPS = new Set(['kernel-too-old', 'host-network', 'unsafe-sysctl', 'admission-policy']);
const RUNTIME_GROUPS = new Set(['runtime-apparmor', 'runtime-sandbox']);
const PORT_GROUPS = new Set(['envoy-cannot-bind', 'istiod-skips-privileged-port']);
const GRANTS =
  'add `--post-renderer-args --net-bind-service --post-renderer-args --run-as-root` to the commands above, for the istiod release (or Istio resource) and the gateway release alike; or `--unprivileged-ports` for Helm gateways, so Envoy listens above 1024';

export function diagnose(bundle: Bundle): Diagnosis {
  const nodes = bundle.nodes.map(nodeFactsOf).map(assessNode);
  const gatewayPods = gatewayPodsIn(bundle.pods);
  const eventFindings = findingsInEvents(bundle.events);

  const evidence: string[] = [];
  const needy = nodes.filter((node) => node.needsFix === true);
  if (needy.length > 0)
    evidence.push(`${needy.length} of ${nodes.length} nodes need it: ${needy.map((node) => `${node.name} (${node.reason})`).join('; ')}`);
  for (const finding of eventFindings.filter((entry) => SYSCTL_GROUPS.has(entry.pattern.id))) {
    evidence.push(`event on ${finding.object}: ${finding.pattern.title}`);
  }
  for (const pod of gatewayPods.filter((entry) => entry.hostNetwork && entry.setsSysctl)) {
    evidence.push(`gateway pod ${pod.namespace}/${pod.name} uses hostNetwork and sets the sysctl, which the kubelet refuses on any kernel`);
  }
  if (nodes.length === 0) evidence.push('the bundle holds no nodes, so no node can be ruled out');
  const sysctlMatters = evidence.length > 0;

  const blockers: Blocker[] = [];
  for (const finding of eventFindings.filter((entry) => RUNTIME_GROUPS.has(entry.pattern.id))) {
    blockers.push({
      step: 'runtime',
      title: finding.pattern.title,
      resources: [finding.object],
      details: [`event on ${finding.object}: ${finding.pattern.meaning}`],
      fix: finding.pattern.fix,
    });
  }
  const { changes, warnings, objects } = whatGatewayCompatChanges(bundle);
  if (sysctlMatters) blockers.push(...changeBlockers(changes, warnings, objects));
  blockers.push(
    ...portBlockers(
      warnings.filter((warning) => !grantedByOptions(warning, bundle)),
      eventFindings,
      sysctlMatters,
    ),
  );
  if (sysctlMatters) blockers.push(...restartBlockers(gatewayPods, bundle.pods));
  blockers.sort((a, b) => STEP_ORDER.indexOf(a.step) - STEP_ORDER.indexOf(b.step));
  return { nodes, sysctlMatters, sysctlEvidence: evidence, blockers, gatewayPods };
}

function nodeFactsOf(node: KubeRecord) {
  const info = recordAt(recordAt(node, 'status'), 'nodeInfo');
  return {
    name: stringAt(recordAt(node, 'metadata'), 'name') ?? '<no name>',
    kernelVersion: stringAt(info, 'kernelVersion'),
    osImage: stringAt(info, 'osImage'),
    operatingSystem: stringAt(info, 'operatingSystem'),
    containerRuntimeVersion: stringAt(info, 'containerRuntimeVersion'),
    kubeletVersion: stringAt(info, 'kubeletVersion'),
  };
}

interface EventFinding {
  pattern: ErrorPattern;
  object: string;
}

/** Each event's message through explain's table, named by the event's involvedObject. */
function findingsInEvents(events: readonly KubeRecord[]): EventFinding[] {
  const seen = new Set<string>();
  const findings: EventFinding[] = [];
  for (const event of events) {
    const message = stringAt(event, 'message');
    if (message === undefined) continue;
    const involved = recordAt(event, 'involvedObject');
    const object = describeObject(stringAt(involved, 'kind'), stringAt(involved, 'namespace'), stringAt(involved, 'name'));
    for (const finding of explainText(message).findings) {
      const key = `${finding.pattern.id}\u0000${object}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ pattern: finding.pattern, object });
    }
  }
  return findings;
}

function describeObject(kind: string | undefined, namespace: string | undefined, name: string | undefined): string {
  return `${kind ?? 'object'} ${namespace === undefined ? '' : `${namespace}/`}${name ?? '<no name>'}`;
}

/**
 * The objects gateway-compat reads, through the transform itself. Deployments that Istio's
 * gateway controller makes are left out: istiod rewrites them from the kube-gateway template and
 * the Gateway's options, which is where the fix goes.
 */
function whatGatewayCompatChanges(bundle: Bundle): { changes: ChangeRecord[]; warnings: WarningRecord[]; objects: KubeRecord[] } {
  const managedByIstio = (object: KubeRecord) =>
    stringAt(recordAt(recordAt(object, 'metadata'), 'labels'), 'gateway.istio.io/managed') !== undefined;
  // Services tell which ports a gateway listens on (the privileged-port warnings).
  const objects = [
    ...bundle.configMaps,
    ...bundle.istios,
    ...bundle.deployments.filter((object) => !managedByIstio(object)),
    ...bundle.services.filter((object) => !managedByIstio(object)),
    ...bundle.gateways,
  ];
  if (objects.length === 0) return { changes: [], warnings: [], objects };
  // One block-YAML document per object, as Helm renders them, so document N is objects[N - 1].
  // (Block style, not JSON: the rules edit template strings in block scalars most reliably.)
  const stream = objects.map((object) => `---\n${stringify(object, { lineWidth: 0 })}`).join('');
  const result = transform(stream);
  return { changes: result.changes, warnings: result.warnings, objects };
}

function changeBlockers(changes: readonly ChangeRecord[], warnings: readonly WarningRecord[], objects: readonly KubeRecord[]): Blocker[] {
  // A Sail Istio resource without a gateway template of its own needs one supplied (--gateway-template).
  const withoutTemplate = warnings.filter((warning) => warning.code === 'istio-cr-without-template' && warning.resource !== undefined);
  const istiosWithoutTemplate = new Set(withoutTemplate.map((warning) => warning.resource!.name));
  const fixOf = (object: KubeRecord) => fixCommandFor(object, { istiosWithoutTemplate });
  const byCommand = new Map<string, Blocker>();
  const add = (step: Step, fix: string, resource: string, detail: string): void => {
    const key = `${step}\u0000${fix}`;
    let blocker = byCommand.get(key);
    if (blocker === undefined) {
      blocker = { step, title: TITLES[step], resources: [], details: [], fix };
      byCommand.set(key, blocker);
    }
    if (!blocker.resources.includes(resource)) blocker.resources.push(resource);
    if (!blocker.details.includes(detail)) blocker.details.push(detail);
  };
  for (const change of changes) {
    // The options ConfigMap a Gateway gets is part of that Gateway's fix.
    if (change.resource.kind === 'ConfigMap' && change.rule === 'gatewayOptions') continue;
    const object = objects[change.document - 1];
    if (object === undefined) continue;
    // The values are what the templates render: fixed at the same source, in the same step.
    const step: Step =
      change.rule === 'injectionTemplates' || change.rule === 'istioValues'
        ? 'templates'
        : change.resource.kind === 'Gateway'
          ? 'gateways'
          : 'workloads';
    const resource = describeObject(change.resource.kind, change.resource.namespace, change.resource.name);
    add(step, fixOf(object).command, resource, `${resource}: ${change.message}`);
  }
  for (const warning of withoutTemplate) {
    const object = objects.find(
      (entry) => entry['kind'] === 'Istio' && stringAt(recordAt(entry, 'metadata'), 'name') === warning.resource!.name,
    );
    if (object === undefined) continue;
    const resource = describeObject('Istio', undefined, warning.resource!.name);
    add('templates', fixOf(object).command, resource, `${resource}: ${warning.message}`);
  }
  return [...byCommand.values()];
}

const TITLES: Record<Step, string> = {
  runtime: 'the container runtime refuses the sysctl',
  templates: 'injection templates add the sysctl back when gateway pods are created',
  workloads: 'gateway Deployments set the sysctl',
  gateways: 'Gateway API Gateways get no options that clear the sysctl',
  ports: 'nothing lets Envoy bind ports below 1024 once the sysctl is gone',
  restart: 'gateway pods to re-create once the sources are fixed',
};

function portBlockers(warnings: readonly WarningRecord[], events: readonly EventFinding[], sysctlMatters: boolean): Blocker[] {
  const details = [
    ...(sysctlMatters ? warnings.filter((warning) => warning.code === 'privileged-port') : []).map(
      (warning) =>
        `${warning.resource ? describeObject(warning.resource.kind, warning.resource.namespace, warning.resource.name) : 'a gateway'}: ${warning.message}`,
    ),
    ...events
      .filter((finding) => PORT_GROUPS.has(finding.pattern.id))
      .map((finding) => `event on ${finding.object}: ${finding.pattern.title}`),
  ];
  if (details.length === 0) return [];
  return [{ step: 'ports', title: TITLES.ports, resources: [], details, fix: GRANTS }];
}

/**
 * The transform judges a Gateway's low ports by the flags of its own run; on a live cluster the
 * Gateway's options ConfigMap may already carry the grant (root with NET_BIND_SERVICE for
 * istio-proxy), and then Envoy binds them.
 */
function grantedByOptions(warning: WarningRecord, bundle: Bundle): boolean {
  if (warning.code !== 'privileged-port' || warning.resource?.kind !== 'Gateway') return false;
  const gateway = bundle.gateways.find((entry) => {
    const metadata = recordAt(entry, 'metadata');
    return stringAt(metadata, 'name') === warning.resource!.name && stringAt(metadata, 'namespace') === warning.resource!.namespace;
  });
  const reference = recordAt(recordAt(recordAt(gateway, 'spec'), 'infrastructure'), 'parametersRef');
  if (stringAt(reference, 'kind') !== 'ConfigMap') return false;
  const options = bundle.configMaps.find((entry) => {
    const metadata = recordAt(entry, 'metadata');
    return stringAt(metadata, 'name') === stringAt(reference, 'name') && stringAt(metadata, 'namespace') === warning.resource!.namespace;
  });
  const patch = stringAt(recordAt(options, 'data'), 'deployment');
  if (patch === undefined) return false;
  let containers: unknown;
  try {
    containers = recordAt(recordAt(recordAt(parse(patch) as KubeRecord, 'spec'), 'template'), 'spec')?.['containers'];
  } catch {
    return false;
  }
  if (!Array.isArray(containers)) return false;
  return containers.some((container: KubeRecord) => {
    const context = recordAt(container, 'securityContext');
    const added = recordAt(context, 'capabilities')?.['add'];
    return (
      container['name'] === 'istio-proxy' && context?.['runAsUser'] === 0 && Array.isArray(added) && added.includes('NET_BIND_SERVICE')
    );
  });
}

/** Pods made before the fix keep the sysctl (and Failed ones stay failed): re-create their Deployments' pods. */
function restartBlockers(gatewayPods: readonly GatewayPod[], pods: readonly KubeRecord[]): Blocker[] {
  const deployments = new Map<string, { namespace: string | undefined; name: string; pods: string[] }>();
  for (const pod of gatewayPods) {
    if (!pod.setsSysctl && pod.phase === 'Running') continue;
    const record = pods.find(
      (entry) =>
        stringAt(recordAt(entry, 'metadata'), 'name') === pod.name && stringAt(recordAt(entry, 'metadata'), 'namespace') === pod.namespace,
    );
    const deployment = deploymentOf(record);
    if (deployment === undefined) continue;
    const key = `${pod.namespace ?? ''}/${deployment}`;
    const entry = deployments.get(key) ?? { namespace: pod.namespace, name: deployment, pods: [] };
    entry.pods.push(`${pod.name} (${pod.phase ?? 'unknown phase'}${pod.reason === undefined ? '' : `, ${pod.reason}`})`);
    deployments.set(key, entry);
  }
  if (deployments.size === 0) return [];
  const entries = [...deployments.values()];
  return [
    {
      step: 'restart',
      title: TITLES.restart,
      resources: entries.map((entry) => describeObject('Deployment', entry.namespace, entry.name)),
      details: entries.map((entry) => `${describeObject('Deployment', entry.namespace, entry.name)}: ${entry.pods.join(', ')}`),
      fix: entries
        .map((entry) => `kubectl rollout restart deployment/${entry.name}${entry.namespace === undefined ? '' : ` -n ${entry.namespace}`}`)
        .join(' && '),
    },
  ];
}

/** A Deployment's pods belong to a ReplicaSet named <deployment>-<pod-template-hash>. */
function deploymentOf(pod: KubeRecord | undefined): string | undefined {
  const owners = recordAt(pod, 'metadata')?.['ownerReferences'];
  if (!Array.isArray(owners)) return undefined;
  for (const owner of owners) {
    const replicaSet = owner as KubeRecord;
    if (replicaSet['kind'] !== 'ReplicaSet') continue;
    const name = stringAt(replicaSet, 'name');
    const hash = stringAt(recordAt(recordAt(pod, 'metadata'), 'labels'), 'pod-template-hash');
    if (name !== undefined && hash !== undefined && name.endsWith(`-${hash}`)) return name.slice(0, -hash.length - 1);
  }
  return undefined;
}
