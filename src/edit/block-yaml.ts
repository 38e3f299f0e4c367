// A fast reader for the plain block-style YAML that `helm template` renders, building the very
// nodes `parseDocument(source, PARSE_OPTIONS)` would build (same classes, values, ranges, scalar
// types and formats), or declining.
//
// Why: the documents a rule edits are read twice (before and after the edit), and the `yaml`
// library spends most of a run's time composing them while its code is still cold. A Helm render
// uses a small part of YAML: block mappings and sequences, one-line plain or quoted scalars, `{}`
// and `[]`, comment lines. This reader handles exactly that part and returns undefined for
// anything else (tabs, CR line endings, byte order marks, flow collections with content, block
// scalars, multi-line scalars, escapes, anchors, aliases, tags, merge keys, directives, keys over
// 1000 characters, duplicate keys, comment lines where yaml's own rules for them get intricate,
// anything invalid), so the caller falls back to `yaml` and nothing is ever guessed.
//
// Scalars are resolved by the same YAML 1.1 schema tags `yaml` uses. Comments are not attached
// to nodes (no rule reads them; edits are text patches). test/block-yaml.test.ts holds this
// reader to `yaml` on every document of the corpus, the fixtures, the benchmark streams and
// generated documents: wherever it answers, its tree equals yaml's.
import { Document, isScalar, Pair, Scalar, YAMLMap, YAMLSeq, type Node, type Schema } from 'yaml';

type Range = [number, number, number];

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  format?: string;
  resolve(value: string, onError: (message: string) => void, options: unknown): unknown;
}

/** Thrown inside the reader to give up; never escapes it. */
const DECLINE = Symbol('decline');

function decline(): never {
  throw DECLINE;
}

// Characters a plain scalar may not start with (YAML indicators), besides `-`, `?` and `:`,
// which may start one when a non-space follows; we decline those too.
const INDICATOR = new Set('-?:,[]{}#&*!|>\'"%@`'.split(''));

// yaml rejects an implicit key whose `:` comes more than 1024 characters after its start
const MAX_KEY_LENGTH = 1000;

const SPACE = 0x20;
const NEWLINE = 0x0a;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;

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

function makeScalar(value: unknown, source: string, range: Range, type: Scalar.Type, extra?: object): Scalar {
  const scalar = Object.create(SCALAR_PROTOTYPE) as Scalar;
  scalar.value = value;
  scalar.range = range;
  scalar.source = source;
  scalar.type = type;
  if (extra) Object.assign(scalar, extra);
  return scalar;
}

function makePair(key: Scalar, value: Node): Pair<Scalar, Node> {
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

export interface BlockYamlOptions {
  readonly version: '1.1' | '1.2';
  readonly uniqueKeys: boolean;
}

/**
 * The document of `source` as `parseDocument(source, options)` would compose it, when `source`
 * is plain block YAML; undefined otherwise (the caller then uses `yaml`).
 */
export function readBlockYaml(source: string, options: BlockYamlOptions): Document.Parsed | undefined {
  // yaml skips a byte order mark wherever a document may start; one in the text is left to it
  if (source.includes('\t') || source.includes('\r') || source.includes('\uFEFF')) return undefined;
  try {
    return new BlockReader(source, options).document();
  } catch (error) {
    // a stack overflow (nesting thousands deep) is for yaml to report, with its position
    if (error === DECLINE || error instanceof RangeError) return undefined;
    throw error;
  }
}

class BlockReader {
  private readonly lineCount: number;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly indents: Int32Array;
  /** 0 blank, 1 comment, 2 content */
  private readonly kinds: Uint8Array;
  /** prototypes of this document's collections, carrying its schema */
  private readonly mapPrototype: YAMLMap;
  private readonly seqPrototype: YAMLSeq;
  private readonly doc: Document.Parsed;
  private readonly schema: Schema;
  private readonly tags: SchemaTags;
  /** comment lines after the last value that the collection ending there may take (see done()) */
  private pending: { indent: number; end: number } | undefined;

  constructor(
    private readonly src: string,
    options: BlockYamlOptions,
  ) {
    this.doc = new Document(undefined, options) as unknown as Document.Parsed;
    this.schema = this.doc.schema;
    // A schema with compat tags resolves differently; not one we read.
    if ((this.schema as unknown as { compat?: unknown }).compat) decline();
    this.tags = schemaTags(options.version, this.schema);
    const schemaProperty = { schema: { value: this.schema, writable: true, configurable: true } };
    this.mapPrototype = Object.create(MAP_PROTOTYPE, schemaProperty) as YAMLMap;
    this.seqPrototype = Object.create(SEQ_PROTOTYPE, schemaProperty) as YAMLSeq;
    let count = 1;
    for (let newline = src.indexOf('\n'); newline !== -1; newline = src.indexOf('\n', newline + 1)) count++;
    this.lineCount = count;
    this.starts = new Int32Array(count);
    this.ends = new Int32Array(count);
    this.indents = new Int32Array(count);
    this.kinds = new Uint8Array(count);
    let start = 0;
    for (let line = 0; line < count; line++) {
      let end = src.indexOf('\n', start);
      if (end === -1) end = src.length;
      let indent = 0;
      while (src.charCodeAt(start + indent) === SPACE) indent++;
      const first = start + indent;
      this.starts[line] = start;
      this.ends[line] = end;
      this.indents[line] = indent;
      this.kinds[line] = first === end ? 0 : src.charCodeAt(first) === HASH ? 1 : 2;
      start = end + 1;
    }
  }

  document(): Document.Parsed {
    const { src } = this;
    const count = this.lineCount;
    let line = 0;
    let markerAt = -1;
    // Before the content: blank lines, comments, at most one `---` (a comment may follow it).
    for (; line < count; line++) {
      const kind = this.kinds[line] as number;
      if (kind !== 2) continue;
      const start = this.starts[line] as number;
      if (this.isMarker(start, '---') && markerAt === -1) {
        markerAt = start;
        const rest = this.skipSpaces(start + 3);
        if (rest !== this.ends[line] && src.charCodeAt(rest) !== HASH) decline();
        continue;
      }
      break;
    }
    if (line === count) decline();
    if (this.indents[line] !== 0) decline();
    const { node: contents, next } = this.mapping(line, 0, true);
    // content left over (a `- ` at column 0 after the mapping): invalid, yaml says why
    if (next < count) decline();
    // comments after the last content that no collection took belong to the document
    this.pending = undefined;
    const contentEnd = (contents.range as Range)[2];
    this.doc.contents = contents as never;
    // The end of the document's own range (after trailing blank lines and comments) follows rules
    // of yaml's lexer that nothing here needs; it is the end of the text.
    this.doc.range = [markerAt === -1 ? (contents.range as Range)[0] : markerAt, contentEnd, src.length];
    if (markerAt !== -1) this.doc.directives.docStart = true;
    return this.doc;
  }

  private isMarker(at: number, marker: string): boolean {
    if (!this.src.startsWith(marker, at)) return false;
    const next = this.src.charCodeAt(at + 3);
    return Number.isNaN(next) || next === SPACE || next === NEWLINE;
  }

  private skipSpaces(at: number): number {
    while (this.src.charCodeAt(at) === SPACE) at++;
    return at;
  }

  /** The next line with content after `line` (comment lines skipped), or the line count. */
  private nextContent(line: number): number {
    let next = line + 1;
    while (next < this.lineCount && this.kinds[next] !== 2) next++;
    return next;
  }

  /**
   * The comment lines between a one-line value on `line` (in a collection at `column`) and the
   * next content, as `yaml` attributes them: the first ones, deeper than the collection, trail
   * the value and extend its range; the rest are left pending for the innermost collection at
   * or left of their indentation that ends there (see done()).
   */
  private commentsAfter(node: Node, line: number, column: number, next: number): void {
    let comment = line + 1;
    while (comment < next && this.kinds[comment] !== 1) comment++;
    if (comment >= next) return;
    let trailing = -1;
    for (; comment < next; comment++) {
      if (this.kinds[comment] !== 1) continue;
      if ((this.indents[comment] as number) <= column) break;
      trailing = comment;
    }
    if (trailing !== -1) (node.range as Range)[2] = this.afterLine(trailing);
    if (comment >= next) return;
    // which collection takes comments of different indentations follows rules of yaml's own
    const indent = this.indents[comment] as number;
    for (let rest = comment; rest < next; rest++) if (this.kinds[rest] === 1 && this.indents[rest] !== indent) decline();
    // they reach up to the next content (its indentation included), or the end of the text
    const end = next < this.lineCount ? (this.starts[next] as number) + (this.indents[next] as number) : this.src.length;
    this.pending = { indent, end };
  }

  /**
   * A collection at `column` goes on after pending comments: at or right of its column they
   * belong inside it and change no range; left of it, `yaml` lets them change how the next entry
   * ends, so decline.
   */
  private continues(column: number): boolean {
    if (!this.pending) return false;
    if (this.pending.indent < column) decline();
    this.pending = undefined;
    return true;
  }

  /** Does a block sequence entry (`-` then a space or the line end) start at `at`? */
  private isDash(at: number): boolean {
    if (this.src.charCodeAt(at) !== DASH) return false;
    const next = this.src.charCodeAt(at + 1);
    return next === SPACE || next === NEWLINE || Number.isNaN(next);
  }

  /** After a node ends on `line`: its end offset including the line break. */
  private afterLine(line: number): number {
    const end = this.ends[line] as number;
    return end === this.src.length ? end : end + 1;
  }

  /**
   * A block mapping whose first key starts at column `column` of `line` (after `- ` for a
   * mapping in a sequence entry); further keys are the lines indented exactly `column`.
   */
  private mapping(line: number, column: number, top = false): { node: YAMLMap; next: number } {
    const map = this.collection(this.mapPrototype);
    // yaml's uniqueKeys: keys whose values are === (a Set also takes NaN for NaN: declines more)
    const seen = new Set<unknown>();
    let start = -1;
    let end = 0;
    let current = line;
    for (;;) {
      const keyAt = (this.starts[current] as number) + column;
      if (start === -1) start = keyAt;
      if (this.isDash(keyAt)) decline();
      const { key, colon } = this.key(keyAt, this.ends[current] as number);
      if (seen.has(key.value)) decline();
      seen.add(key.value);
      const { node: value, next } = this.value(current, column, colon + 1, false);
      map.items.push(makePair(key, value));
      end = (value.range as Range)[2];
      // the document, not its top mapping, takes the comments after the last content
      if (next >= this.lineCount) return this.done(map, start, end, next, top ? false : column);
      const indent = this.indents[next] as number;
      if (indent < column) return this.done(map, start, end, next, column);
      if (indent > column) decline();
      // a sequence entry at the mapping's own indentation ends it (a `key:` above took it, or
      // the input is invalid: either way the caller decides)
      if (this.isDash((this.starts[next] as number) + indent)) return this.done(map, start, end, next, column);
      this.continues(column);
      current = next;
    }
  }

  /**
   * A collection at `column` ends before line `next`. If comments are pending at or right of its
   * column and no inner collection took them, `yaml` extends its range over them. A sequence at
   * its parent key's own column (`compact`) shares that column with the parent; which of the two
   * takes the comments then differs by case in `yaml`, so decline.
   */
  private done<T extends YAMLMap | YAMLSeq>(
    node: T,
    start: number,
    end: number,
    next: number,
    column: number | false,
    compact = false,
  ): { node: T; next: number } {
    let nodeEnd = end;
    if (this.pending && column !== false && this.pending.indent >= column) {
      if (compact) decline();
      nodeEnd = this.pending.end;
      this.pending = undefined;
    }
    node.range = [start, end, nodeEnd];
    return { node, next };
  }

  /** A block sequence whose entries are the lines with `- ` at column `column`. */
  private sequence(line: number, column: number, compact: boolean): { node: YAMLSeq; next: number } {
    const seq = this.collection(this.seqPrototype);
    const start = (this.starts[line] as number) + column;
    let end = start;
    let current = line;
    let afterComment = false;
    for (;;) {
      const dashAt = (this.starts[current] as number) + column;
      const { node: item, next } = this.value(current, column, dashAt + 1, true, afterComment);
      seq.items.push(item);
      end = (item.range as Range)[2];
      if (next >= this.lineCount) return this.done(seq, start, end, next, column, compact);
      const indent = this.indents[next] as number;
      if (indent < column) return this.done(seq, start, end, next, column, compact);
      if (indent > column) decline();
      if (!this.isDash((this.starts[next] as number) + indent)) return this.done(seq, start, end, next, column, compact);
      afterComment = this.continues(column);
      current = next;
    }
  }

  /**
   * The value after a key's colon or an entry's dash at `from` on `line`, whose key or dash is at
   * `column`. Returns the node and the next content line after it.
   */
  private value(line: number, column: number, from: number, inSequence: boolean, afterComment = false): { node: Node; next: number } {
    const { src } = this;
    const lineEnd = this.ends[line] as number;
    if (from < lineEnd && src.charCodeAt(from) !== SPACE) decline();
    const at = this.skipSpaces(from);
    if (at === lineEnd || src.charCodeAt(at) === HASH) {
      // Comment lines before a nested block change no range.
      const next = this.nextContent(line);
      if (next < this.lineCount) {
        const indent = this.indents[next] as number;
        const first = (this.starts[next] as number) + indent;
        if (indent > column) {
          const char = src[first];
          // `annotations:` then `{}` on the next line, as the gateway chart renders it
          if (char === '{' || char === '[') return this.oneLine(next, column, first, false);
          if (this.isDash(first)) return this.sequence(next, indent, false);
          return this.mapping(next, indent);
        }
        // `key:` followed by `- ` entries at the key's own indentation
        if (!inSequence && indent === column && this.isDash(first)) return this.sequence(next, indent, true);
      }
      // `yaml` lets comment lines after an empty value, or before an empty sequence entry,
      // extend it by rules of their own
      if (inSequence && afterComment) decline();
      for (let comment = line + 1; comment < next; comment++) if (this.kinds[comment] === 1) decline();
      const empty = this.resolvePlain('');
      let end = at;
      if (at !== lineEnd) {
        // after a comment on its line, an empty value reaches the next line's first character
        if (next !== line + 1) decline();
        end = next < this.lineCount ? (this.starts[next] as number) + (this.indents[next] as number) : decline();
      }
      empty.range = [at, at, end];
      return { node: empty, next };
    }
    if (inSequence && this.isDash(at)) decline();
    if (inSequence && this.startsMapping(at, lineEnd)) {
      return this.mapping(line, at - (this.starts[line] as number));
    }
    return this.oneLine(line, column, at, true);
  }

  /** A value that fits on `line` from `at`: a quoted or plain scalar, `{}` or `[]`. */
  private oneLine(line: number, column: number, at: number, plainAllowed: boolean): { node: Node; next: number } {
    const { src } = this;
    const lineEnd = this.ends[line] as number;
    const char = src[at] as string;
    let node: Node;
    let valueEnd: number;
    if (char === '"' || char === "'") {
      ({ node, end: valueEnd } = this.quoted(at, lineEnd));
    } else if (char === '[' || char === '{') {
      const close = char === '[' ? ']' : '}';
      if (src[at + 1] !== close) decline();
      const collection = char === '[' ? this.collection(this.seqPrototype) : this.collection(this.mapPrototype);
      collection.flow = true;
      node = collection;
      valueEnd = at + 2;
    } else {
      if (!plainAllowed) decline();
      ({ node, end: valueEnd } = this.plain(at, lineEnd, false));
    }
    this.expectLineEnd(valueEnd, lineEnd);
    (node as Scalar).range = [at, valueEnd, this.afterLine(line)];
    const next = this.nextContent(line);
    // A deeper line after a one-line value continues it (multi-line scalar) or is invalid.
    if (next < this.lineCount && (this.indents[next] as number) > column) decline();
    this.commentsAfter(node, line, column, next);
    return { node, next };
  }

  /** After a value: only spaces, then a comment or the line end. */
  private expectLineEnd(at: number, lineEnd: number): void {
    const after = this.skipSpaces(at);
    if (after === lineEnd) return;
    if (this.src.charCodeAt(after) === HASH && after > at) return;
    decline();
  }

  /** Does a `key: ` (or `key:` at the line end) start at `at`? */
  private startsMapping(at: number, lineEnd: number): boolean {
    const char = this.src[at];
    if (char === '"' || char === "'") {
      const { end } = this.quoted(at, lineEnd);
      return this.src.charCodeAt(end) === COLON;
    }
    return this.plainKeyColon(at, lineEnd) !== -1;
  }

  /** The colon ending a plain key that starts at `at`, or -1 when the line holds no key. */
  private plainKeyColon(at: number, lineEnd: number): number {
    const { src } = this;
    for (let i = at; i < lineEnd; i++) {
      const code = src.charCodeAt(i);
      if (code === HASH && src.charCodeAt(i - 1) === SPACE) return -1;
      if (code === COLON) {
        const next = src.charCodeAt(i + 1);
        if (i + 1 === lineEnd || next === SPACE) return i;
      }
    }
    return -1;
  }

  private key(at: number, lineEnd: number): { key: Scalar; colon: number } {
    const { src } = this;
    const char = src[at] as string;
    if (char === '"' || char === "'") {
      const { node, end } = this.quoted(at, lineEnd);
      if (src.charCodeAt(end) !== COLON || end - at > MAX_KEY_LENGTH) decline();
      node.range = [at, end, end];
      return { key: node, colon: end };
    }
    const colon = this.plainKeyColon(at, lineEnd);
    if (colon === -1 || colon - at > MAX_KEY_LENGTH) decline();
    const { node, end } = this.plain(at, colon, true);
    if (end !== colon) decline();
    // merge keys take entries from elsewhere; yaml composes them specially
    if (node.source === '<<') decline();
    node.range = [at, end, end];
    return { key: node, colon };
  }

  /** A plain scalar from `at` up to a comment or `limit`, trailing spaces excluded. */
  private plain(at: number, limit: number, isKey: boolean): { node: Scalar; end: number } {
    const { src } = this;
    const char = src[at] as string;
    // `-` may start a plain scalar when a non-space follows (`--domain`); not a key, though.
    if (INDICATOR.has(char) && (isKey || char !== '-' || this.isDash(at))) decline();
    let end = at;
    for (let i = at; i < limit; i++) {
      const code = src.charCodeAt(i);
      if (code === HASH && src.charCodeAt(i - 1) === SPACE) break;
      // `: ` inside a value makes it a mapping where none may start (yaml rejects it)
      if (!isKey && code === COLON && (i + 1 === limit || src.charCodeAt(i + 1) === SPACE)) decline();
      if (code !== SPACE) end = i + 1;
    }
    const text = src.slice(at, end);
    // flow indicators inside a key: valid in a block plain scalar, but rare; decline
    if (isKey && /[[\]{},]/.test(text)) decline();
    return { node: this.resolvePlain(text), end };
  }

  private resolvePlain(text: string): Scalar {
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

  /** A one-line quoted scalar without escapes; `end` is after the closing quote. */
  private quoted(at: number, lineEnd: number): { node: Scalar; end: number } {
    const { src } = this;
    const quote = src[at] as string;
    let value = '';
    let i = at + 1;
    for (;;) {
      const close = src.indexOf(quote, i);
      if (close === -1 || close >= lineEnd) decline();
      if (quote === "'" && src[close + 1] === "'") {
        value += src.slice(i, close + 1);
        i = close + 2;
        continue;
      }
      value += src.slice(i, close);
      i = close + 1;
      break;
    }
    if (quote === '"' && value.includes('\\')) decline();
    const node = makeScalar(value, value, [at, i, i], quote === '"' ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE);
    return { node, end: i };
  }

  /** An empty collection (see markedPrototype()); its schema comes from the prototype. */
  private collection<T extends YAMLMap | YAMLSeq>(prototype: T): T {
    const node = Object.create(prototype) as T;
    node.items = [];
    return node;
  }
}
