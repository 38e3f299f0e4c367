// Which pods of `kubectl get pods -A -o json` are Istio gateways, where they run, and how they fare.
// A live pod is read after injection, so what it carries is what the kubelet was asked to run.
import { isRecord, readObjectList, recordAt, stringAt } from './node-list.js';

export interface GatewayPod {
  namespace: string | undefined;
  name: string;
  /** spec.nodeName; undefined while the pod is not scheduled */
  node: string | undefined;
  phase: string | undefined;
  /** why it is not running: the pod's status.reason (SysctlForbidden) or a waiting container's reason */
  reason: string | undefined;
  setsSysctl: boolean;
  hostNetwork: boolean;
}

const SYSCTL = 'net.ipv4.ip_unprivileged_port_start';

export function readGatewayPods(text: string): GatewayPod[] {
  return gatewayPodsIn(readObjectList(text, 'Pod'));
}

export function gatewayPodsIn(pods: ReadonlyArray<Record<string, unknown>>): GatewayPod[] {
  return pods.filter(isGatewayPod).map(gatewayPodOf);
}

/**
 * Injected gateways name the `gateway` template; the Deployments Istio makes for Gateway API and
 * the legacy charts run istio-proxy as a `router`.
 */
function isGatewayPod(pod: Record<string, unknown>): boolean {
  const templates = stringAt(recordAt(recordAt(pod, 'metadata'), 'annotations'), 'inject.istio.io/templates');
  if (templates?.split(',').some((name) => name.trim() === 'gateway')) return true;
  return containersOf(pod).some((container) => {
    const args = container['args'];
    return container['name'] === 'istio-proxy' && Array.isArray(args) && args.includes('router');
  });
}

function gatewayPodOf(pod: Record<string, unknown>): GatewayPod {
  const metadata = recordAt(pod, 'metadata');
  const spec = recordAt(pod, 'spec');
  const status = recordAt(pod, 'status');
  const sysctls = recordAt(spec, 'securityContext')?.['sysctls'];
  return {
    namespace: stringAt(metadata, 'namespace'),
    name: stringAt(metadata, 'name') ?? '<no name>',
    node: stringAt(spec, 'nodeName'),
    phase: stringAt(status, 'phase'),
    reason: stringAt(status, 'reason') ?? waitingReason(status),
    setsSysctl: Array.isArray(sysctls) && sysctls.some((entry) => isRecord(entry) && normalised(entry['name']) === SYSCTL),
    hostNetwork: spec?.['hostNetwork'] === true,
  };
}

function containersOf(pod: Record<string, unknown>): Array<Record<string, unknown>> {
  const containers = recordAt(pod, 'spec')?.['containers'];
  return Array.isArray(containers) ? containers.filter(isRecord) : [];
}

function waitingReason(status: Record<string, unknown> | undefined): string | undefined {
  const statuses = status?.['containerStatuses'];
  if (!Array.isArray(statuses)) return undefined;
  for (const entry of statuses) {
    const reason = isRecord(entry) ? stringAt(recordAt(recordAt(entry, 'state'), 'waiting'), 'reason') : undefined;
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** Kubernetes accepts a sysctl name with slashes as well as dots. */
function normalised(name: unknown): string | undefined {
  return typeof name === 'string' ? name.replace(/\//g, '.') : undefined;
}

export function describePod(pod: GatewayPod): string {
  const where = pod.namespace === undefined ? pod.name : `${pod.namespace}/${pod.name}`;
  const state = [pod.phase ?? 'unknown phase', pod.reason === undefined ? '' : ` (${pod.reason})`].join('');
  const carries = [pod.setsSysctl ? `sets ${SYSCTL}` : '', pod.hostNetwork ? 'hostNetwork' : ''].filter(Boolean).join(', ');
  return `${where}: ${state}${carries === '' ? '' : `; ${carries}`}`;
}
