// Whether a document holds a Secret, decided from its parsed form. A regex over the text misses
// what YAML allows around a kind (the value on the next line, a block scalar, an escape such as
// "Secr\u0065t", JSON over two lines, an alias), and a Secret can sit anywhere a List nests.
// So every mapping of the document counts, at any depth, with aliases resolved; kindless items
// of a `SecretList` (what the API server returns) count too.
import { isAlias, isMap, isScalar, visit, type Document, type YAMLMap } from 'yaml';
import { parseYaml } from '../yaml/editable-document.js';
import type { ResourceId } from './objects.js';

function scalarText(node: unknown, doc: Document.Parsed): string | undefined {
  const resolved = isAlias(node) ? node.resolve(doc) : node;
  if (!isScalar(resolved)) return undefined;
  const value = resolved.value;
  if (typeof value === 'string') return value;
  // YAML 1.1 `!!binary`: the decoders kubectl uses turn it into the decoded string.
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return undefined;
}

function valueAt(map: unknown, key: string, doc: Document.Parsed): unknown {
  const resolved = isAlias(map) ? map.resolve(doc) : map;
  if (!isMap(resolved)) return undefined;
  return resolved.items.find((pair) => scalarText(pair.key, doc) === key)?.value;
}

/** The Secret's identity for the note that replaces its diff; read through aliases, never refused. */
function secretId(map: YAMLMap, doc: Document.Parsed): ResourceId {
  const metadata = valueAt(map, 'metadata', doc);
  const namespace = scalarText(valueAt(metadata, 'namespace', doc), doc);
  return {
    apiVersion: scalarText(valueAt(map, 'apiVersion', doc), doc) ?? '',
    kind: 'Secret',
    ...(namespace ? { namespace } : {}),
    name: scalarText(valueAt(metadata, 'name', doc), doc) ?? '',
  };
}

// Kinds are case-sensitive to the API server; hiding `secret` too costs a diff, never a value.
const isSecretKind = (kind: string | undefined): boolean => kind?.toLowerCase() === 'secret';
const isSecretListKind = (kind: string | undefined): boolean => kind?.toLowerCase() === 'secretlist';

/** The first Secret anywhere in a parsed document; undefined when it holds none. */
export function secretIn(doc: Document.Parsed): ResourceId | undefined {
  let found: ResourceId | undefined;
  visit(doc, {
    Map(_key, node) {
      const kind = scalarText(valueAt(node, 'kind', doc), doc);
      if (isSecretKind(kind)) {
        found = secretId(node, doc);
        return visit.BREAK;
      }
      if (isSecretListKind(kind)) {
        found = { ...secretId(node, doc), name: '(items of a SecretList)' };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

// In a document that parses, a scalar reads "secret" (in any case) only if the word is in the
// text, or an escape (`"\x73ecret"`) or a tag (`!!binary`) makes it: aliases repeat text that is there.
const MAY_SPELL_SECRET = /secret|[\\!]/i;

/** Whether the text of a document that parses could hold a Secret at all (else it surely holds none). */
export function maySpellSecret(text: string): boolean {
  return MAY_SPELL_SECRET.test(text);
}

/**
 * Whether a document's text holds a Secret. Text that does not parse counts as one: nothing can
 * be known about it, and a diff is worth less than a value that must not be shown. `parses`: the
 * caller knows the text parses (it read it already), so one without the word is no Secret.
 */
export function textHoldsSecret(text: string, parses = false): boolean {
  const spelled = maySpellSecret(text);
  if (parses && !spelled) return false;
  const doc = parseYaml(text);
  if (doc.errors.length > 0) return true;
  // one that parses and cannot spell the word holds none: no need to visit its every mapping
  return spelled && secretIn(doc) !== undefined;
}
