// Compares two yaml trees on everything gateway-compat reads from them: node classes, source
// ranges, scalar values, types, formats and sources, tags, anchors and flow style. Returns the
// path of the first difference, or undefined when they are equal.
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { PARSE_OPTIONS } from '../../src/yaml/editable-document.js';

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return Object.is(a, b);
}

function rangeText(node: unknown): string {
  return JSON.stringify((node as { range?: unknown }).range);
}

export function firstDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (isPair(a) || isPair(b)) {
    if (!isPair(a) || !isPair(b)) return `${path}: pair vs not`;
    return firstDifference(a.key, b.key, `${path}.key`) ?? firstDifference(a.value, b.value, `${path}.value`);
  }
  if (a === null || a === undefined || b === null || b === undefined) return a === b ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  if (isAlias(a) || isAlias(b)) return `${path}: alias`;
  const kind = (node: unknown): string => (isMap(node) ? 'map' : isSeq(node) ? 'seq' : isScalar(node) ? 'scalar' : 'other');
  if (kind(a) !== kind(b)) return `${path}: ${kind(a)} vs ${kind(b)}`;
  if (rangeText(a) !== rangeText(b)) return `${path}: range ${rangeText(a)} vs ${rangeText(b)}`;
  const na = a as Record<string, unknown>;
  const nb = b as Record<string, unknown>;
  for (const field of ['tag', 'anchor'])
    if (na[field] !== nb[field]) return `${path}: ${field} ${String(na[field])} vs ${String(nb[field])}`;
  if (isScalar(a) && isScalar(b)) {
    if (!same(a.value, b.value)) return `${path}: value ${String(a.value)} vs ${String(b.value)}`;
    if (typeof a.value !== typeof b.value) return `${path}: value type`;
    for (const field of ['type', 'format', 'source', 'minFractionDigits']) {
      if (na[field] !== nb[field]) return `${path}: ${field} ${String(na[field])} vs ${String(nb[field])}`;
    }
    return undefined;
  }
  // same kind (checked above): both maps or both sequences
  if ((isMap(a) || isSeq(a)) && (isMap(b) || isSeq(b))) {
    if (!!a.flow !== !!b.flow) return `${path}: flow`;
    const itemsA: unknown[] = a.items;
    const itemsB: unknown[] = b.items;
    if (itemsA.length !== itemsB.length) return `${path}: ${itemsA.length} vs ${itemsB.length} items`;
    for (let i = 0; i < itemsA.length; i++) {
      const difference = firstDifference(itemsA[i], itemsB[i], `${path}[${i}]`);
      if (difference) return difference;
    }
    return undefined;
  }
  return `${path}: unknown node`;
}

export function documentDifference(a: Document.Parsed, b: Document.Parsed): string | undefined {
  if (a.errors.length > 0 || b.errors.length > 0) return `errors ${a.errors.length} vs ${b.errors.length}`;
  if (a.warnings.length !== b.warnings.length) return `warnings ${a.warnings.length} vs ${b.warnings.length}`;
  // the document's start and content end; where trailing blank lines and comments end is not
  // reproduced by the fast reader (nothing reads it)
  if (JSON.stringify(a.range?.slice(0, 2)) !== JSON.stringify(b.range?.slice(0, 2))) {
    return `document range ${JSON.stringify(a.range)} vs ${JSON.stringify(b.range)}`;
  }
  return firstDifference(a.contents, b.contents);
}

/**
 * Undefined when a fast reader (src/yaml/block-reader.ts, json-reader.ts) declined `text` or read
 * it as yaml's parseDocument does; otherwise what differs. The trees must also behave the same:
 * plain values, a clone, the document marker, and with `printed` a print (the block reader attaches
 * no comments, so only the JSON reader's trees print alike).
 */
export function readerDisagreement(
  read: (text: string) => Document.Parsed | undefined,
  text: string,
  options: { printed: boolean },
): string | undefined {
  const fast = read(text);
  if (!fast) return undefined;
  const reference = parseDocument(text, PARSE_OPTIONS);
  if (reference.errors.length > 0) return `accepted what yaml rejects: ${reference.errors[0]?.message ?? ''}`;
  const difference = documentDifference(fast, reference);
  if (difference) return difference;
  if (fast.directives.docStart !== reference.directives.docStart) return 'docStart differs';
  if (JSON.stringify(fast.toJS()) !== JSON.stringify(reference.toJS())) return 'toJS() differs';
  if (documentDifference(fast.clone() as typeof fast, reference)) return 'a clone differs';
  if (options.printed && fast.toString() !== reference.toString()) return 'toString() differs';
  return undefined;
}
