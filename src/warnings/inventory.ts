// What the stream holds that matters to a gateway on an old kernel: gateway workloads, the
// Services that select them, Gateway API Gateways of a handled class, classic Istio Gateways, and
// the places injection templates live. Shared by the warnings analysis and the unprivileged-ports
// rule.
//
// Pay only for what you touch: every finder first runs a cheap text check on each chunk and parses
// only the chunks that pass (through the transform's parse cache, so a document a rule already
// parsed costs nothing more). Services are looked for only when there are gateway workloads, and
// only in chunks whose text mentions one of their label values.
import { isMap, isScalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { EditableDocument } from '../edit/editable-document.js';
import { mapAt, mapIn, seqAt, stringAt, UnsupportedYamlError } from '../edit/node-edits.js';
import { containersOf, objectsIn, podTemplateOf, type KubeObject, type ResourceId } from '../kube/objects.js';
import { isGateway, matchesGatewayClass, mightHoldGateway } from '../rules/gateway-options/apply.js';
import { isInjectorConfigMap, isIstioOperator, isIstioResource } from '../rules/injection-templates/apply.js';
import { mightHoldTemplates } from '../rules/injection-templates/rule.js';
import { isGatewayWorkload, isInjectedGateway } from '../kube/gateway-workloads.js';
import { PROXY_CONTAINER } from '../kube/gateway-containers.js';
import type { RuleContext } from '../rules/rule.js';
import { UserError } from '../errors.js';
import type { Chunk } from '../stream.js';

/**
 * The stream as the transform holds it: chunks, and a cached parse of any of them. `parse` may
 * return undefined for a document that does not parse (see `lenientView`).
 */
export interface StreamView {
  readonly chunks: readonly Chunk[];
  parse(index: number): EditableDocument | undefined;
  /** whether the chunk is a CustomResourceDefinition, told from its text (never parsed for a rule) */
  isCrd(index: number): boolean;
}

/**
 * A view for looking only: a document that does not parse is skipped instead of failing the run.
 * Warnings must never turn a document no rule needed into an error; it passes through untouched.
 */
export function lenientView(view: StreamView): StreamView {
  const broken = new Set<number>();
  return {
    chunks: view.chunks,
    isCrd: (index) => view.isCrd(index),
    parse(index) {
      if (broken.has(index)) return undefined;
      try {
        return view.parse(index);
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        broken.add(index);
        return undefined;
      }
    },
  };
}

/** Where an object lives: its chunk and its path inside the document (List items). */
export interface Place {
  readonly chunk: number;
  readonly path: readonly (string | number)[];
}

/** The object at a place, read from the document as it is now (after any edits). */
export function objectAtPlace(view: StreamView, place: Place): { ed: EditableDocument; object: KubeObject } | undefined {
  const ed = view.parse(place.chunk);
  if (!ed) return undefined;
  const key = place.path.join();
  const object = objectsIn(ed.doc).find((candidate) => candidate.path.join() === key);
  return object ? { ed, object } : undefined;
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

export interface SelectingService extends Place {
  readonly id: ResourceId;
  /** the gateway workloads whose pods this Service's selector matches */
  readonly workloads: readonly GatewayWorkload[];
}

export interface MatchedGateway extends Place {
  readonly id: ResourceId;
}

/**
 * The objects of a chunk, each handed to `visit`. An object written with YAML merge keys or aliases
 * where we read (findPair refuses to guess through them) is skipped: looking must never fail a run.
 */
function eachObject(view: StreamView, index: number, visit: (object: KubeObject) => void): void {
  const ed = view.parse(index);
  if (!ed) return;
  for (const object of objectsIn(ed.doc)) {
    try {
      visit(object);
    } catch (error) {
      if (!(error instanceof UnsupportedYamlError)) throw error;
    }
  }
}

export function labelsOf(map: YAMLMap | undefined): Map<string, string> {
  const labels = new Map<string, string>();
  if (!map) return labels;
  for (const pair of map.items) {
    if (isScalar(pair.key) && isScalar(pair.value) && pair.value.value !== null && pair.value.value !== undefined) {
      labels.set(String(pair.key.value), String(pair.value.value));
    }
  }
  return labels;
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

export function mightHoldGatewayWorkload(text: string): boolean {
  return text.includes(PROXY_CONTAINER) || text.includes('inject.istio.io/templates') || text.includes('agentgateway');
}

export function usesGatewayTemplate(podMetadata: YAMLMap | undefined): boolean {
  const templates = stringAt(podMetadata && mapAt(podMetadata, 'annotations'), 'inject.istio.io/templates');
  return !!templates?.split(',').some((name) => name.trim() === 'gateway');
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

/** Gateway API Gateways of a handled class that the globs select. */
export function findMatchedGateways(view: StreamView, ctx: Pick<RuleContext, 'isSelected' | 'config'>): MatchedGateway[] {
  const found: MatchedGateway[] = [];
  view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || !mightHoldGateway(chunk.text)) return;
    eachObject(view, index, (object) => {
      if (isGateway(object) && ctx.isSelected(object.id) && matchesGatewayClass(object, ctx.config)) {
        found.push({ chunk: index, path: object.path, id: object.id });
      }
    });
  });
  return found;
}

export function mightHoldIstioGateway(text: string): boolean {
  return text.includes('networking.istio.io') && text.includes('Gateway') && text.includes('servers');
}

export interface IstioGateway extends Place {
  readonly id: ResourceId;
  readonly selector: ReadonlyMap<string, string>;
  /** spec.servers[].port.number */
  readonly ports: readonly number[];
}

/** Classic Istio Gateways (networking.istio.io): their selector and server ports. */
export function findIstioGateways(view: StreamView): IstioGateway[] {
  const found: IstioGateway[] = [];
  view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || !mightHoldIstioGateway(chunk.text)) return;
    eachObject(view, index, (object) => {
      if (object.id.kind !== 'Gateway' || !object.id.apiVersion.startsWith('networking.istio.io/')) return;
      const spec = mapAt(object.map, 'spec');
      const servers = spec && seqAt(spec, 'servers');
      const ports = (servers?.items ?? [])
        .map((server) => (isMap(server) ? intAt(mapAt(server, 'port'), 'number') : undefined))
        .filter((port): port is number => port !== undefined);
      found.push({ chunk: index, path: object.path, id: object.id, selector: labelsOf(spec && mapAt(spec, 'selector')), ports });
    });
  });
  return found;
}

export interface TemplateHolders {
  /** istio-sidecar-injector ConfigMaps */
  readonly injectorConfigMaps: readonly Place[];
  /** Sail operator Istio resources and IstioOperators (templates in spec.values) */
  readonly istioResources: readonly Place[];
}

/** Where the injection templates live in this stream (whatever the select globs say). */
export function findTemplateHolders(view: StreamView): TemplateHolders {
  const injectorConfigMaps: Place[] = [];
  const istioResources: Place[] = [];
  view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || !mightHoldTemplates(chunk.text)) return;
    eachObject(view, index, (object) => {
      if (isInjectorConfigMap(object)) injectorConfigMaps.push({ chunk: index, path: object.path });
      else if (isIstioResource(object) || isIstioOperator(object)) istioResources.push({ chunk: index, path: object.path });
    });
  });
  return { injectorConfigMaps, istioResources };
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

/** The istio-proxy container of a pod spec and its index among the containers. */
export function proxyContainerOf(podSpec: YAMLMap): { container: YAMLMap; index: number } | undefined {
  const containers = containersOf(podSpec);
  const index = containers.findIndex((container) => stringAt(container, 'name') === PROXY_CONTAINER);
  const container = containers[index];
  return container ? { container, index } : undefined;
}

export function portsOf(map: YAMLMap | undefined): YAMLMap[] {
  const ports: YAMLSeq | undefined = map && seqAt(map, 'ports');
  return ports ? ports.items.filter((item): item is YAMLMap => isMap(item)) : [];
}

