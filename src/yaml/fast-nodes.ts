// What the fast readers (block-reader.ts for block YAML, json-reader.ts for JSON) share: making
// the very nodes `parseDocument(source, PARSE_OPTIONS)` makes, and resolving plain scalars by the
// schema's own tags. A reader gives up by calling decline(); read() turns that into undefined, so
// the caller falls back to `yaml` and nothing is ever guessed.
//
// It relies on these internals of `yaml`, which is why package.json pins it to one exact version
// (2.9.1; bump it only with test/yaml/block-yaml.test.ts and test/yaml/json-reader.test.ts green):
//   - the node type marks: the property keyed Symbol.for('yaml.node.type') whose value is
//     Symbol.for('yaml.scalar' | 'yaml.pair' | 'yaml.map' | 'yaml.seq'), which isScalar()/isPair()/
//     isMap()/isSeq() test; nodes are made from prototypes carrying it (see markedPrototype);
//   - Schema internals: `schema.tags` (each tag's `default`, `test`, `format` and
//     `resolve(value, onError, options)`), the string tag at `schema[Symbol.for('yaml.scalar')]`,
//     and `schema.compat` (set for schemas with compat tags, which it declines);
//   - what `parseDocument` sets on the nodes it composes: `range` as [start, valueEnd, nodeEnd],
//     `source` (the value, escapes resolved, for quoted scalars; the text for plain ones) and `type`
//     on scalars (plus what a tag's resolve returns on a Scalar: `format`, `minFractionDigits`),
//     `schema` and `flow` on collections, `Document.range`, `directives.docStart`;
//   - the document options `version` and `uniqueKeys` (PARSE_OPTIONS) meaning what they do there.
import { Document, isScalar, Pair, Scalar, YAMLMap, YAMLSeq, type Node, type Schema } from 'yaml';

export type Range = [number, number, number];

export interface FastReadOptions {
  readonly version: '1.1' | '1.2';
  readonly uniqueKeys: boolean;
}

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  format?: string;
  resolve(value: string, onError: (message: string) => void, options: unknown): unknown;
}

/** Thrown inside a reader to give up; never escapes read(). */
const DECLINE = Symbol('decline');

export function decline(): never {
  throw DECLINE;
}

/** What `reader` returns, or undefined when it declined (or overflowed the stack: yaml reports that). */
export function read<T>(reader: () => T): T | undefined {
  try {
    return reader();
  } catch (error) {
    // a stack overflow (nesting thousands deep) is for yaml to report, with its position
    if (error === DECLINE || error instanceof RangeError) return undefined;
    throw error;
  }
}

const NODE_TYPE = Symbol.for('yaml.node.type');

/**
 * yaml's node constructors mark each node with a property defined one at a time
 * (Object.defineProperty), which costs about as much as reading the text; a node made from a
 * prototype carrying the mark is the same to isScalar()/isPair(), instanceof and clone().
 */
function markedPrototype<T extends object>(base: { prototype: T }, type: string): T {
  const prototype = Object.create(base.prototype) as T;
  Object.defineProperty(prototype, NODE_TYPE, { value: Symbol.for(type) });
  return prototype;
}
const SCALAR_PROTOTYPE = markedPrototype(Scalar, 'yaml.scalar');
const PAIR_PROTOTYPE = markedPrototype(Pair, 'yaml.pair');
const MAP_PROTOTYPE = markedPrototype(YAMLMap, 'yaml.map');
const SEQ_PROTOTYPE = markedPrototype(YAMLSeq, 'yaml.seq');

export function makeScalar(value: unknown, source: string, range: Range, type: Scalar.Type, extra?: object): Scalar {
  const scalar = Object.create(SCALAR_PROTOTYPE) as Scalar;
  scalar.value = value;
  scalar.range = range;
  scalar.source = source;
  scalar.type = type;
  if (extra) Object.assign(scalar, extra);
  return scalar;
}

export function makePair(key: Scalar, value: Node): Pair<Scalar, Node> {
  const pair = Object.create(PAIR_PROTOTYPE) as Pair<Scalar, Node>;
  pair.key = key;
  pair.value = value;
  return pair;
}

/** How a plain scalar's text resolves: its value and what else yaml sets (format, fraction digits). */
interface PlainResolution {
  readonly value: unknown;
  readonly extra: object | undefined;
}

/** The schema's scalar tags, and the resolutions of texts seen before (ports, names repeat). */
interface SchemaTags {
  readonly tags: ScalarTag[];
  readonly stringTag: ScalarTag;
  readonly resolved: Map<string, PlainResolution>;
}

const SCHEMA_TAGS = new Map<string, SchemaTags>();
const MAX_REMEMBERED = 20_000;

function schemaTags(version: string, schema: Schema): SchemaTags {
  let tags = SCHEMA_TAGS.get(version);
  if (!tags) {
    const all = schema as unknown as { tags: ScalarTag[]; [key: symbol]: ScalarTag };
    tags = {
      tags: all.tags.filter((tag) => tag.default === true && tag.test),
      stringTag: all[Symbol.for('yaml.scalar')] as ScalarTag,
      resolved: new Map(),
    };
    SCHEMA_TAGS.set(version, tags);
  }
  return tags;
}

/** The empty document a reader fills, and the nodes of its schema. */
export class DocumentNodes {
  readonly doc: Document.Parsed;
  private readonly tags: SchemaTags;
  /** prototypes of this document's collections, carrying its schema */
  private readonly mapPrototype: YAMLMap;
  private readonly seqPrototype: YAMLSeq;

  /** `doc`: a document read before, whose nodes these join (the same schema); a new one by default. */
  constructor(options: FastReadOptions, doc?: Document.Parsed) {
    this.doc = doc ?? (new Document(undefined, options) as unknown as Document.Parsed);
    const schema = this.doc.schema;
    // A schema with compat tags resolves differently; not one we read.
    if ((schema as unknown as { compat?: unknown }).compat) decline();
    this.tags = schemaTags(options.version, schema);
    const schemaProperty = { schema: { value: schema, writable: true, configurable: true } };
    this.mapPrototype = Object.create(MAP_PROTOTYPE, schemaProperty) as YAMLMap;
    this.seqPrototype = Object.create(SEQ_PROTOTYPE, schemaProperty) as YAMLSeq;
  }

  /** An empty mapping (see markedPrototype()); its schema comes from the prototype. */
  map(): YAMLMap {
    const node = Object.create(this.mapPrototype) as YAMLMap;
    node.items = [];
    return node;
  }

  /** An empty sequence (see markedPrototype()); its schema comes from the prototype. */
  seq(): YAMLSeq {
    const node = Object.create(this.seqPrototype) as YAMLSeq;
    node.items = [];
    return node;
  }

  /** A plain scalar of `text`, resolved by the schema's tags as yaml resolves it outside a key; its range is the caller's to set. */
  plain(text: string): Scalar {
    let resolution = this.tags.resolved.get(text);
    if (!resolution) {
      const tag = this.tags.tags.find((candidate) => (candidate.test as RegExp).test(text)) ?? this.tags.stringTag;
      const resolved = tag.resolve(text, () => decline(), this.doc.options);
      let extra: Record<string, unknown> | undefined = tag.format ? { format: tag.format } : undefined;
      if (isScalar(resolved)) {
        for (const [key, value] of Object.entries(resolved)) if (key !== 'value') (extra ??= {})[key] = value;
      }
      resolution = { value: isScalar(resolved) ? resolved.value : resolved, extra };
      // a Date (timestamps) must not be shared between nodes
      const shareable = resolution.value === null || typeof resolution.value !== 'object';
      if (shareable && this.tags.resolved.size < MAX_REMEMBERED) this.tags.resolved.set(text, resolution);
    }
    return makeScalar(resolution.value, text, [0, 0, 0], Scalar.PLAIN, resolution.extra);
  }
}
