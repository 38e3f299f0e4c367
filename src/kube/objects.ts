// Kubernetes objects inside a parsed document: the document itself, or the items of a `kind: List`
// (or any `*List` kind) wrapper, with their identity and their pod template.
import { isMap, type Document, type YAMLMap } from 'yaml';
import { mapAt, mapIn, seqAt, stringAt } from '../edit/node-edits.js';

import type { ResourceId } from '../records.js';

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

export function objectsIn(doc: Document.Parsed): KubeObject[] {
  const root = doc.contents;
  if (!isMap(root)) return [];
  const id = resourceIdOf(root);
  const items = id.kind.endsWith('List') ? seqAt(root, 'items') : undefined;
  if (!items) return [{ map: root, id, path: [] }];
  const objects: KubeObject[] = [{ map: root, id, path: [] }];
  items.items.forEach((item, index) => {
    if (isMap(item)) objects.push({ map: item, id: resourceIdOf(item), path: ['items', index] });
  });
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

export function podSpecPathOf(kind: string): readonly string[] | undefined {
  return POD_SPEC_PATHS[kind];
}

export interface PodTemplate {
  readonly spec: YAMLMap;
  /** pod template metadata (annotations), absent for a bare Pod's own metadata */
  readonly metadata: YAMLMap | undefined;
  /** dotted path of the pod spec, for reports: `spec.template.spec` */
  readonly specPath: string;
}

export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  const path = podSpecPathOf(object.id.kind);
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

export function describeResource(id: ResourceId): string {
  return `${id.kind || 'document'} ${id.namespace ? `${id.namespace}/` : ''}${id.name || '(unnamed)'}`;
}
