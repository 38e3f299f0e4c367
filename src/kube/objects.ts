// Kubernetes objects inside a parsed document: the document itself, or the items of a `kind: List`
// (or any `*List` kind) wrapper, with their identity and their pod template.
import { isMap, isScalar, type Document, type YAMLMap } from 'yaml';
import { mapAt, mapIn, seqAt, stringAt } from '../yaml/node-edits.js';
import { treeVersionOf } from '../yaml/json-reader.js';

import type { ResourceId } from '../report/records.js';

export type { ResourceId };

export interface KubeObject {
  readonly map: YAMLMap;
  readonly id: ResourceId;
  /** path of the object inside its document: [] for the document, ['items', i] for a List item */
  readonly path: readonly (string | number)[];
}

export function resourceIdOf(map: YAMLMap): ResourceId {
  const metadata = mapAt(map, 'metadata');
  const namespace = stringAt(metadata, 'namespace');
  return {
    apiVersion: stringAt(map, 'apiVersion') ?? '',
    kind: stringAt(map, 'kind') ?? '',
    ...(namespace ? { namespace } : {}),
    name: stringAt(metadata, 'name') ?? '',
  };
}

/** Lists nest (a List item may be a List): this deep is more than any tool writes. */
const MAX_LIST_DEPTH = 16;

/**
 * The objects of each document as read last, and the version of its tree they were found in: rules
 * and warnings look objects up again and again (a List of 1,700 items was walked once for each
 * Service, workload and Gateway), and a tree changes only when a JSON document is read again in
 * place after an edit (json-reader.ts counts those); any other edit makes a new tree.
 */
const FOUND = new WeakMap<Document.Parsed, { readonly version: number; readonly objects: KubeObject[] }>();

export function objectsIn(doc: Document.Parsed): KubeObject[] {
  const version = treeVersionOf(doc);
  const found = FOUND.get(doc);
  if (found?.version === version) return found.objects;
  const objects = findObjects(doc);
  FOUND.set(doc, { version, objects });
  return objects;
}

function findObjects(doc: Document.Parsed): KubeObject[] {
  const root = doc.contents;
  if (!isMap(root)) return [];
  const objects: KubeObject[] = [];
  const visit = (map: YAMLMap, path: readonly (string | number)[], depth: number): void => {
    const id = resourceIdOf(map);
    objects.push({ map, id, path });
    const items = id.kind.endsWith('List') && depth < MAX_LIST_DEPTH ? seqAt(map, 'items') : undefined;
    items?.items.forEach((item, index) => {
      if (isMap(item)) visit(item, [...path, 'items', index], depth + 1);
    });
  };
  visit(root, [], 0);
  return objects;
}

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/**
 * Workload custom resources that carry a full pod template at spec.template, by API group and
 * kind: Argo Rollouts, Knative Serving, OpenKruise, OpenShift DeploymentConfigs. Kinds not listed
 * here that still carry the sysctl get the `sysctl-not-removed` warning instead.
 */
const CUSTOM_POD_SPEC_PATHS: Record<string, readonly string[]> = {
  'argoproj.io/Rollout': ['spec', 'template', 'spec'],
  'serving.knative.dev/Service': ['spec', 'template', 'spec'],
  'serving.knative.dev/Configuration': ['spec', 'template', 'spec'],
  'apps.kruise.io/CloneSet': ['spec', 'template', 'spec'],
  'apps.kruise.io/StatefulSet': ['spec', 'template', 'spec'],
  'apps.kruise.io/DaemonSet': ['spec', 'template', 'spec'],
  'apps.kruise.io/BroadcastJob': ['spec', 'template', 'spec'],
  'apps.openshift.io/DeploymentConfig': ['spec', 'template', 'spec'],
};

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** Where a kind keeps its pod spec; custom resources are known by API group and kind. */
export function podSpecPathOf(kind: string, apiVersion?: string): readonly string[] | undefined {
  if (apiVersion !== undefined) {
    const custom = CUSTOM_POD_SPEC_PATHS[`${groupOf(apiVersion)}/${kind}`];
    if (custom) return custom;
    // A kind of a built-in name in some other API group (serving.knative.dev Service) is not that kind.
    const group = groupOf(apiVersion);
    if (group !== '' && !BUILT_IN_GROUPS.has(group)) return undefined;
  }
  return POD_SPEC_PATHS[kind];
}

const BUILT_IN_GROUPS = new Set(['apps', 'batch', 'extensions']);

export interface PodTemplate {
  readonly spec: YAMLMap;
  /** pod template metadata (annotations), absent for a bare Pod's own metadata */
  readonly metadata: YAMLMap | undefined;
  /** dotted path of the pod spec, for reports: `spec.template.spec` */
  readonly specPath: string;
}

export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  const path = podSpecPathOf(object.id.kind, object.id.apiVersion);
  if (!path) return undefined;
  const spec = mapIn(object.map, path);
  if (!spec) return undefined;
  const metadataPath = path.length === 1 ? ['metadata'] : [...path.slice(0, -1), 'metadata'];
  return { spec, metadata: mapIn(object.map, metadataPath), specPath: path.join('.') };
}

export function containersOf(podSpec: YAMLMap): YAMLMap[] {
  const containers = seqAt(podSpec, 'containers');
  return containers ? containers.items.filter((item): item is YAMLMap => isMap(item)) : [];
}

export function annotationOf(metadata: YAMLMap | undefined, key: string): string | undefined {
  // Callers pass what a document holds under `metadata`, which can be a scalar (`metadata:` alone).
  if (!isMap(metadata)) return undefined;
  return stringAt(mapAt(metadata, 'annotations'), key);
}

/**
 * The string annotations of an object, as plain data (what a host copies its bookkeeping from).
 * One that is not a plain scalar (an alias, a mapping) is left out.
 */
export function annotationsOf(object: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  const annotations = mapAt(object.map, 'metadata');
  const map = annotations && mapAt(annotations, 'annotations');
  for (const pair of map?.items ?? []) {
    if (!isScalar(pair.key) || pair.key.value === null || pair.key.value === undefined) continue;
    const key = String(pair.key.value);
    if (key === '<<') continue;
    try {
      const value = stringAt(map, key);
      if (value !== undefined) out[key] = value;
    } catch {
      // an alias: no host bookkeeping is read through one
    }
  }
  return out;
}

export function describeResource(id: ResourceId): string {
  return `${id.kind || 'document'} ${id.namespace ? `${id.namespace}/` : ''}${id.name || '(unnamed)'}`;
}

/** A map of string-valued labels (a selector, matchLabels, a pod's labels); other values are left out. */
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

/** `items[2].` for an object inside a List (`items[0].items[2].` in a nested one), '' for the document's own object. */
export function objectPath(object: KubeObject): string {
  return (
    object.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${p}`)).join('') + (object.path.length > 0 ? '.' : '')
  );
}
