// Services and ports: which Services select a gateway's pods, and the port fields they and the
// containers carry. Services are looked for only when there are gateway workloads, and only in
// chunks whose text mentions one of their label values.
import { isScalar, isMap, type YAMLMap, type YAMLSeq } from 'yaml';
import { mapAt, mapIn, seqAt } from '../yaml/node-edits.js';
import type { RuleContext } from '../context.js';
import type { GatewayWorkload } from './gateway-workloads.js';
import { labelsOf, podTemplateOf, type ResourceId } from './objects.js';
import { eachObject, objectAtPlace, type Place, type StreamView } from './view.js';

/** The first port a non-root process may bind on a kernel with the default ip_unprivileged_port_start. */
export const PRIVILEGED_BELOW = 1024;

export interface SelectingService extends Place {
  readonly id: ResourceId;
  /** the gateway workloads whose pods this Service's selector matches */
  readonly workloads: readonly GatewayWorkload[];
}

/** A Service's selector picks pods in its own namespace; a missing namespace is the release's. */
export function sameNamespace(a: ResourceId, b: ResourceId): boolean {
  return a.namespace === undefined || b.namespace === undefined || a.namespace === b.namespace;
}

export function selectorMatches(selector: ReadonlyMap<string, string>, labels: ReadonlyMap<string, string>): boolean {
  if (selector.size === 0) return false;
  for (const [key, value] of selector) if (labels.get(key) !== value) return false;
  return true;
}

// Label values that half the manifests in a stream carry; a Service mentioning one of them is no
// more likely to select a gateway than any other.
const COMMON_VALUE = /^(true|false|yes|no|none|helm|istio|enabled|disabled|v?\d+(\.\d+)*(-[\w.]+)?)$/i;

/** The text check for Services: values of gateway pod labels that say something. */
export function distinctiveLabelValues(workloads: readonly GatewayWorkload[]): Set<string> {
  const values = new Set<string>();
  for (const workload of workloads) {
    for (const value of workload.labels.values()) if (value.length >= 3 && !COMMON_VALUE.test(value)) values.add(value);
  }
  // A gateway whose labels are all common words still gets its Services found, at some cost.
  if (values.size === 0) for (const workload of workloads) for (const value of workload.labels.values()) values.add(value);
  return values;
}

// `kind: Service` in block or flow style, not ServiceAccount, ServiceEntry, ServiceMonitor...
const SERVICE_KIND = /\bkind["']?[ \t]*:[ \t]*["']?Service["']?[ \t]*(?:[,}\r\n#]|$)/;
// Every scalar written after a colon: the candidates for a selector value.
const MAPPING_VALUE = /:[ \t]+["']?([^\s"'#,{}[\]]+)/g;
// A port below 1024 (1-3 digits), or a targetPort given by name.
const LOW_PORT = /\b(?:port|targetPort)["']?[ \t]*:[ \t]*["']?(?:\d{1,3}["']?[ \t]*(?:[,}\r\n#]|$)|[A-Za-z])/;

/**
 * Could this chunk hold a Service selecting one of the gateways? It must say `kind: Service` and
 * mention a distinctive label value of a gateway pod. With `lowPortsOnly`, it must also have a
 * port below 1024 or a named targetPort, the only Services that matter to privileged ports.
 */
export function mightHoldService(text: string, values: ReadonlySet<string>, lowPortsOnly = false): boolean {
  if (!text.includes('selector') || !SERVICE_KIND.test(text)) return false;
  if (lowPortsOnly && !LOW_PORT.test(text)) return false;
  for (const match of text.matchAll(MAPPING_VALUE)) if (values.has(match[1] as string)) return true;
  return false;
}

/**
 * The Services (selected by the globs) whose selector matches the pods of these workloads; with
 * `lowPortsOnly`, only those with a port below 1024 or a named targetPort.
 */
export function findSelectingServices(
  view: StreamView,
  workloads: readonly GatewayWorkload[],
  ctx: Pick<RuleContext, 'isSelected'>,
  lowPortsOnly = false,
): SelectingService[] {
  if (workloads.length === 0) return [];
  const values = distinctiveLabelValues(workloads);
  const found: SelectingService[] = [];
  view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || !mightHoldService(chunk.text, values, lowPortsOnly)) return;
    eachObject(view, index, (object) => {
      if (object.id.kind !== 'Service' || object.id.apiVersion !== 'v1' || !ctx.isSelected(object.id)) return;
      const selector = labelsOf(mapIn(object.map, ['spec', 'selector']));
      const selected = workloads.filter((w) => sameNamespace(w.id, object.id) && selectorMatches(selector, w.labels));
      if (selected.length > 0) found.push({ chunk: index, path: object.path, id: object.id, workloads: selected });
    });
  });
  return found;
}

/**
 * Pods in the stream a Service selects besides these gateway workloads: another app's Deployment,
 * or a gateway the globs leave out. Whatever they run listens on the Service's targetPort as it is.
 */
export function otherSelectedPods(view: StreamView, service: SelectingService, workloads: readonly GatewayWorkload[]): ResourceId[] {
  const found = objectAtPlace(view, service);
  if (!found) return [];
  const selector = labelsOf(mapIn(found.object.map, ['spec', 'selector']));
  const values = [...selector.values()];
  const isGateway = (index: number, path: readonly (string | number)[]): boolean =>
    workloads.some((workload) => workload.chunk === index && workload.path.join() === path.join());
  const others: ResourceId[] = [];
  view.chunks.forEach((chunk, index) => {
    // every selector value must be written somewhere in a document whose pods it selects
    if (!chunk.hasContent || !values.every((value) => chunk.text.includes(value))) return;
    eachObject(view, index, (object) => {
      const pod = podTemplateOf(object);
      if (!pod || isGateway(index, object.path) || !sameNamespace(object.id, service.id)) return;
      if (selectorMatches(selector, labelsOf(pod.metadata && mapAt(pod.metadata, 'labels')))) others.push(object.id);
    });
  });
  return others;
}

/** An integer scalar (ports are integers; a string is a port name). */
export function intAt(map: YAMLMap | undefined, key: string): number | undefined {
  const pair = map?.items.find((item) => isScalar(item.key) && item.key.value === key);
  const value = pair?.value;
  return isScalar(value) && typeof value.value === 'number' && Number.isInteger(value.value) ? value.value : undefined;
}

/** A port name (a string scalar). */
export function nameAt(map: YAMLMap | undefined, key: string): string | undefined {
  const pair = map?.items.find((item) => isScalar(item.key) && item.key.value === key);
  const value = pair?.value;
  return isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
}

export function portsOf(map: YAMLMap | undefined): YAMLMap[] {
  const ports: YAMLSeq | undefined = map && seqAt(map, 'ports');
  return ports ? ports.items.filter((item): item is YAMLMap => isMap(item)) : [];
}
