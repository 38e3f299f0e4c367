// The objects of a manifest stream as plain data, for the subcommands that express gateway-compat's
// fix in another form (values, patches, Sail): each object with its identity and the number of
// the document it came from. `kind: List` wrappers are unwrapped, as kubectl and kustomize do.
// The stream must already have been checked by transform() with `validate` on, which reports a
// broken document with its number and line; here a document is only converted.
import { parseDocument } from 'yaml';
import { splitStream } from '../stream/split.js';

export type Plain = Record<string, unknown>;

export interface StreamObject {
  readonly object: Plain;
  /** 1-based number of the document that holds it */
  readonly document: number;
  /** "group/Kind/namespace/name", the identity kustomize matches patches by */
  readonly key: string;
}

export function isPlainMap(value: unknown): value is Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function metadataOf(object: Plain): {
  name: string;
  namespace?: string;
  labels: Record<string, unknown>;
  annotations: Record<string, unknown>;
} {
  const metadata = isPlainMap(object.metadata) ? object.metadata : {};
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
  return {
    name: typeof metadata.name === 'string' ? metadata.name : '',
    ...(namespace ? { namespace } : {}),
    labels: isPlainMap(metadata.labels) ? metadata.labels : {},
    annotations: isPlainMap(metadata.annotations) ? metadata.annotations : {},
  };
}

export function groupOf(object: Plain): { group: string; version: string } {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function keyOf(object: Plain): string {
  const { name, namespace } = metadataOf(object);
  return `${groupOf(object).group}/${String(object.kind ?? '')}/${namespace ?? ''}/${name}`;
}

export function describeObject(object: Plain): string {
  const { name, namespace } = metadataOf(object);
  return `${String(object.kind ?? '?')} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** Every object of the stream, in order. YAML 1.1 scalars, as kubectl and Helm read them. */
export function streamObjects(text: string): StreamObject[] {
  const objects: StreamObject[] = [];
  let number = 0;
  for (const chunk of splitStream(text).chunks) {
    if (!chunk.hasContent) continue;
    number++;
    const value: unknown = parseDocument(chunk.text, { version: '1.1', uniqueKeys: false }).toJS({ maxAliasCount: 100 });
    if (!isPlainMap(value)) continue;
    const kind = typeof value.kind === 'string' ? value.kind : '';
    const items = kind.endsWith('List') && Array.isArray(value.items) ? value.items : undefined;
    for (const object of items ?? [value]) {
      if (isPlainMap(object)) objects.push({ object, document: number, key: keyOf(object) });
    }
  }
  return objects;
}
