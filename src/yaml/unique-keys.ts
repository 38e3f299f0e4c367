// yaml's own duplicate-key check (`uniqueKeys: true`) compares every new key with all the keys
// before it: quadratic in the keys of a mapping. A JSON document, or any YAML the fast reader
// declines, with 200,000 keys in one mapping then took minutes (issue 11, item 10). We parse with
// that check off and make it here in one pass, with a Set per mapping: the same rule (scalar keys
// with `===` values), the same error code, message and position.
import {
  isMap,
  isScalar,
  parseDocument,
  YAMLParseError,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from 'yaml';

type Options = ParseOptions & DocumentOptions & SchemaOptions;

/** `parseDocument(source, { ...options, uniqueKeys: true })`, in linear time. */
export function parseWithUniqueKeys(source: string, options: Options): Document.Parsed {
  const doc = parseDocument(source, { ...options, uniqueKeys: false });
  const duplicates = duplicateKeyErrors(doc);
  if (duplicates.length > 0) {
    // errors[0] is the one reported: keep them in the order of the text, as yaml does
    doc.errors.push(...duplicates);
    doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
  }
  return doc;
}

function duplicateKeyErrors(doc: Document.Parsed): YAMLParseError[] {
  const errors: YAMLParseError[] = [];
  // a stack, not recursion: a deep document is refused by the caller, never overflows here
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key;
        // yaml: `a === b || (isScalar(a) && isScalar(b) && a.value === b.value)`; NaN !== NaN
        if (isScalar(key) && !Number.isNaN(key.value)) {
          if (seen.has(key.value)) {
            const at = key.range?.[0] ?? 0;
            errors.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
          }
          seen.add(key.value);
        }
        pending.push(key, pair.value);
      }
    } else if (node !== null && typeof node === 'object' && 'items' in node && Array.isArray((node as { items: unknown }).items)) {
      for (const item of (node as { items: unknown[] }).items) pending.push(item);
    }
  }
  return errors;
}
