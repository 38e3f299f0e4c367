// A fast reader for JSON documents (`kubectl get -o json`, JSON manifests), building the very
// nodes `parseDocument(source, PARSE_OPTIONS)` would build for that text (same classes, values,
// ranges, scalar types and formats), or declining.
//
// Why: yaml's general parser reads a large JSON document slowly and with much memory (flow
// collections over many lines: a 7.5 MB `kubectl get -o json` List took 27 s and 570 MB), and a
// document a rule edits is read again after every edit. JSON is a small, exact part of YAML's
// flow style; this reader takes exactly JSON as `JSON.parse` takes it (a mapping or a sequence at
// the top, strings with JSON's escapes, JSON's numbers, true, false, null, spaces and line feeds
// between tokens) and returns undefined for anything else (tabs, CR line endings, byte order
// marks, comments, a trailing comma, a duplicate key, a second document or any text after the
// value, a `...` marker, nesting deeper than MAX_DEPTH, anything invalid), so the caller falls
// back to `yaml` and nothing is ever guessed.
//
// What yaml makes of JSON (resolve-flow-collection.js and the CST parser of yaml 2.9.1), as
// test/yaml/json-reader.test.ts holds it to:
//   - every collection is `flow: true`, its range [open, after the close, end]; every string is a
//     QUOTE_DOUBLE scalar whose `source` is its value (escapes resolved, as yaml does for double
//     quotes: JSON's escapes mean the same there, `\/` and surrogate pairs included); numbers,
//     true, false and null are PLAIN scalars resolved by the schema's tags (YAML 1.1 here: `1e3`
//     gets format EXP, `1.50` minFractionDigits 2);
//   - a key's range ends where its text does ([start, end, end]);
//   - a mapping's value and the top value end after the spaces that follow them and one line
//     feed; an entry of a sequence ends where the `,` or `]` after it starts (all the spaces and
//     line feeds before it are its own);
//   - the document starts at the `---` marker if there is one, else at the start of the line of the
//     first token; its content ends where the top value does.
//   - a node after a blank line gets `spaceBefore` (declined: JSON printers write none);
//   - keys longer than 1024 characters are no error in a flow mapping (only in a pair inside a
//     flow sequence, which JSON has not).
// After an edit, rereadJson reads again only the collections around the edits and moves every
// other offset (held to a fresh parse by test/yaml/json-reader.test.ts too).
// It makes its nodes through fast-nodes.ts, which lists the internals of `yaml` it relies on.
import { isMap, isSeq, Scalar, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { decline, DocumentNodes, makePair, makeScalar, read, type FastReadOptions, type Range } from './fast-nodes.js';

const SPACE = 0x20;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_MAP = 0x7b;
const CLOSE_MAP = 0x7d;
const OPEN_SEQ = 0x5b;
const CLOSE_SEQ = 0x5d;

/** Deeper documents are left to yaml (and refused by the caller, far below this). */
const MAX_DEPTH = 1000;

const BLANK_LINE = /\n *\n/g;

/** A number, true, false or null as JSON writes them. */
const JSON_LITERAL = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)$/;

/** Where a value ends and how far its range reaches past it (see the header). */
const enum Place {
  /** a mapping's value, or the document's top value: its spaces and one line feed */
  Line,
  /** an entry of a sequence: every space and line feed up to the `,` or `]` */
  Entry,
}

/** The first offset from `at` on that is neither a space nor a line feed. */
function skipBlankFrom(source: string, at: number): number {
  let next = at;
  while (source.charCodeAt(next) === SPACE || source.charCodeAt(next) === NEWLINE) next++;
  return next;
}

/** Where the first token is, if the text may be a JSON document: `{` or `[` after spaces, line feeds and an optional `---`. */
function firstToken(source: string): number {
  const at = skipBlankFrom(source, 0);
  const code = source.charCodeAt(at);
  if (code === OPEN_MAP || code === OPEN_SEQ) return at;
  // `---` at a line's start, then a space or a line feed: a document marker (a stream of JSON
  // documents), when a `{` or `[` follows it. Every document of a Helm render starts with `---`
  // too, then a comment or a key: that is block YAML, for the block reader.
  if (code === 0x2d && source.startsWith('---', at) && (at === 0 || source.charCodeAt(at - 1) === NEWLINE)) {
    const marker = source.charCodeAt(at + 3);
    if (marker !== SPACE && marker !== NEWLINE) return -1;
    const next = source.charCodeAt(skipBlankFrom(source, at + 3));
    if (next === OPEN_MAP || next === OPEN_SEQ) return at;
  }
  return -1;
}

/** Whether `source` starts like a JSON document (cheap: it looks at the first token only). */
export function looksLikeJson(source: string): boolean {
  return firstToken(source) !== -1;
}

/**
 * The document of `source` as `parseDocument(source, options)` would compose it, when `source`
 * is one JSON mapping or sequence; undefined otherwise (the caller then uses `yaml`).
 */
export function readJson(source: string, options: FastReadOptions): Document.Parsed | undefined {
  const first = firstToken(source);
  if (first === -1) return undefined;
  // yaml skips a byte order mark wherever a document may start; tabs and CR are left to it too
  if (source.includes('\t') || source.includes('\r') || source.includes('\uFEFF')) return undefined;
  const doc = read(() => new JsonReader(source, options).document(first));
  if (doc) READ.add(doc);
  return doc;
}

/** The documents this reader made and nobody changed since (see rereadJson). */
const READ = new WeakSet<Document.Parsed>();

/** How often rereadJson changed each document's tree in place. */
const VERSIONS = new WeakMap<Document.Parsed, number>();

/** A number that changes whenever rereadJson changes the tree of `doc` in place (0 for a tree never changed). */
export function treeVersionOf(doc: Document.Parsed): number {
  return VERSIONS.get(doc) ?? 0;
}

/** A replacement of the old text's [start, end) by `text`. */
export interface JsonEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A collection read again, and what the edits inside it changed of the text's length. */
interface Group {
  readonly around: Around;
  delta: number;
}

/**
 * After `edits` (of the text `doc` was read from) made `after`: when `doc` came from readJson and
 * each edit lies inside a collection (between its brackets), only those collections (the innermost
 * around each edit; one around another takes both) are read again from `after`; each takes the old
 * one's place and every other offset moves by what the edits before it changed: `doc` becomes, in
 * place, the tree readJson would make of `after` (no second tree of a large List for every object a
 * rule edits in it). Returns false, with `doc` untouched, when it cannot (the caller then parses
 * `after` whole).
 */
export function rereadJson(doc: Document.Parsed, after: string, edits: readonly JsonEdit[], options: FastReadOptions): boolean {
  if (!READ.has(doc) || edits.length === 0) return false;
  const top = doc.contents as Node;
  const groups: Group[] = [];
  for (const edit of [...edits].sort((x, y) => x.start - y.start || x.end - y.end)) {
    const around = innermostAround(top, edit.start, edit.end);
    if (!around) return false;
    let delta = edit.text.length - (edit.end - edit.start);
    let last = groups[groups.length - 1];
    while (last && contains(around.node, last.around.node)) {
      delta += last.delta;
      groups.pop();
      last = groups[groups.length - 1];
    }
    if (last && contains(last.around.node, around.node)) last.delta += delta;
    else groups.push({ around, delta });
  }
  // read each again where it now starts, before changing anything
  const fresh: Node[] = [];
  let before = 0;
  for (const { around, delta } of groups) {
    const old = around.node.range as Range;
    const start = old[0] + before;
    const close = old[1] + before + delta;
    // the rest of the text was read before; what the edits wrote must be free of these too
    const region = after.slice(start, close);
    if (region.includes('\t') || region.includes('\r') || region.includes('\uFEFF')) return false;
    const reader = new JsonReader(after, options, doc, true);
    const node = read(() => reader.valueAt(start, around.place, around.depth - 1));
    // the collection must close where the old one did, moved by the edits, and end alike
    const range = node?.range as Range | undefined;
    if (!node || !range || range[1] !== close || range[2] !== old[2] + before + delta) return false;
    BLANK_LINE.lastIndex = start;
    const blank = BLANK_LINE.exec(after);
    if (blank && blank.index < close) return false;
    fresh.push(node);
    before += delta;
  }
  // offsets at or after a group's old close move by the deltas of that group and those before it
  const closes = groups.map((group) => (group.around.node.range as Range)[1]);
  const moves: number[] = [];
  let moved = 0;
  for (const group of groups) moves.push((moved += group.delta));
  const shift = (offset: number): number => {
    let low = 0;
    let high = closes.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if ((closes[mid] as number) <= offset) {
        found = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    return found === -1 ? offset : offset + (moves[found] as number);
  };
  groups.forEach((group, index) => group.around.replace(fresh[index] as Node));
  VERSIONS.set(doc, treeVersionOf(doc) + 1);
  shiftTree(top, closes[0] as number, shift, new Set(fresh));
  const docRange = doc.range as Range;
  doc.range = [docRange[0], shift(docRange[1]), after.length];
  return true;
}

/** Whether collection `outer` holds `inner` (or is it). */
function contains(outer: Node, inner: Node): boolean {
  const a = outer.range as Range;
  const b = inner.range as Range;
  return a[0] <= b[0] && b[1] <= a[1];
}

/**
 * A copy of `text` that keeps no larger string alive: V8 makes a slice of 13 characters or more a
 * view into its whole text, and a node read again after an edit would keep that version of the
 * whole document in memory (a List edited for 40 objects held 40 copies of its 8 MB).
 */
function detached(text: string): string {
  return text.length < 13 ? text : (JSON.parse(`"${text}"`) as string);
}

interface Around {
  readonly node: YAMLMap | YAMLSeq;
  /** 1 for the top collection */
  readonly depth: number;
  readonly place: Place;
  readonly replace: (node: Node) => void;
}

/** The deepest collection below the top one whose brackets hold [start, end) inside them. */
function innermostAround(top: Node, start: number, end: number): Around | undefined {
  let found: Around | undefined;
  let node: Node = top;
  let depth = 1;
  for (;;) {
    let next: Around | undefined;
    if (isMap(node)) {
      for (const pair of node.items) {
        const value = pair.value as Node;
        if ((isMap(value) || isSeq(value)) && holds(value, start, end)) {
          next = { node: value, depth: depth + 1, place: Place.Line, replace: (fresh) => void (pair.value = fresh) };
          break;
        }
      }
    } else if (isSeq(node)) {
      const items = node.items as Node[];
      for (let index = 0; index < items.length; index++) {
        const item = items[index] as Node;
        if ((isMap(item) || isSeq(item)) && holds(item, start, end)) {
          next = { node: item, depth: depth + 1, place: Place.Entry, replace: (fresh) => void (items[index] = fresh) };
          break;
        }
      }
    }
    if (!next) return found;
    found = next;
    node = next.node;
    depth = next.depth;
  }
}

/** Whether an edit of [start, end) lies between the collection's brackets, leaving both. */
function holds(node: Node, start: number, end: number): boolean {
  const range = node.range as Range;
  return range[0] < start && end <= range[1] - 1;
}

/** Moves every offset of the tree by `shift`, but for the nodes just read (`skip`); nodes ending before `from` keep theirs. */
function shiftTree(top: Node, from: number, shift: (offset: number) => number, skip: ReadonlySet<Node>): void {
  const pending: Node[] = [top];
  while (pending.length > 0) {
    const node = pending.pop() as Node;
    const range = node.range as Range;
    // a node that ends before the first edited collection holds none of the offsets that move
    if (skip.has(node) || range[2] < from) continue;
    range[0] = shift(range[0]);
    range[1] = shift(range[1]);
    range[2] = shift(range[2]);
    if (isMap(node)) {
      for (const pair of node.items) pending.push(pair.key as Node, pair.value as Node);
    } else if (isSeq(node)) {
      for (const item of node.items) pending.push(item as Node);
    }
  }
}

class JsonReader {
  private readonly nodes: DocumentNodes;
  private at = 0;
  private depth = 0;

  constructor(
    private readonly src: string,
    options: FastReadOptions,
    doc?: Document.Parsed,
    /** strings of their own, not slices of `src` (see detached) */
    private readonly copies = false,
  ) {
    this.nodes = new DocumentNodes(options, doc);
  }

  /** The value at `at`, in its place, `depth` collections deep (see rereadJson). */
  valueAt(at: number, place: Place, depth: number): Node {
    this.at = at;
    this.depth = depth;
    return this.value(place);
  }

  document(first: number): Document.Parsed {
    const { src } = this;
    const doc = this.nodes.doc;
    let start = src.lastIndexOf('\n', first) + 1;
    this.at = first;
    if (src.charCodeAt(first) === 0x2d) {
      // `---`: the document starts there; its content follows on that line or below
      start = first;
      doc.directives.docStart = true;
      this.at = first + 3;
      this.skipSpace();
      const code = src.charCodeAt(this.at);
      if (code !== OPEN_MAP && code !== OPEN_SEQ) decline();
    }
    const contents = this.value(Place.Line);
    // only spaces and line feeds may follow
    this.skipSpace();
    if (this.at !== src.length) decline();
    // yaml marks a node after a blank line (spaceBefore, which its printer keeps); not ours to copy
    const contentEnd = (contents.range as Range)[2];
    BLANK_LINE.lastIndex = start;
    const blank = BLANK_LINE.exec(src);
    if (blank && blank.index < contentEnd - 1) decline();
    doc.contents = contents as never;
    doc.range = [start, (contents.range as Range)[2], src.length];
    return doc;
  }

  private skipSpace(): void {
    const { src } = this;
    let at = this.at;
    for (;;) {
      const code = src.charCodeAt(at);
      if (code === SPACE || code === NEWLINE) at++;
      else break;
    }
    this.at = at;
  }

  /** The value at `this.at` (a token, not a space), its range ended as its place says; `this.at` after that end. */
  private value(place: Place): Node {
    const { src } = this;
    const start = this.at;
    const code = src.charCodeAt(start);
    let node: Node;
    if (code === QUOTE) node = this.string();
    else if (code === OPEN_MAP) node = this.map();
    else if (code === OPEN_SEQ) node = this.seq();
    else node = this.literal();
    const valueEnd = this.at;
    if (place === Place.Entry) {
      this.skipSpace();
    } else {
      let at = valueEnd;
      while (src.charCodeAt(at) === SPACE) at++;
      if (src.charCodeAt(at) === NEWLINE) at++;
      this.at = at;
    }
    node.range = [start, valueEnd, this.at];
    return node;
  }

  /** A string at `this.at`: a QUOTE_DOUBLE scalar whose source is its value; `this.at` after the closing quote. */
  private string(): Scalar {
    const { src } = this;
    const start = this.at;
    let at = start + 1;
    let escaped = false;
    for (;;) {
      const code = src.charCodeAt(at);
      if (code === QUOTE) break;
      if (code === BACKSLASH) {
        escaped = true;
        at += 2;
        continue;
      }
      // a raw control character (or the end of the text): not JSON
      if (code < SPACE || Number.isNaN(code)) decline();
      at++;
    }
    if (at >= src.length) decline();
    let value: string;
    if (escaped || this.copies) {
      try {
        value = JSON.parse(src.slice(start, at + 1)) as string;
      } catch {
        decline();
      }
    } else {
      value = src.slice(start + 1, at);
    }
    this.at = at + 1;
    return makeScalar(value, value, [0, 0, 0], Scalar.QUOTE_DOUBLE);
  }

  /** A number, true, false or null: a plain scalar resolved by the schema's tags. */
  private literal(): Scalar {
    const { src } = this;
    const start = this.at;
    let at = start;
    for (;;) {
      const code = src.charCodeAt(at);
      if (code === COMMA || code === CLOSE_MAP || code === CLOSE_SEQ || code === SPACE || code === NEWLINE || Number.isNaN(code)) break;
      at++;
    }
    const text = src.slice(start, at);
    if (!JSON_LITERAL.test(text)) decline();
    this.at = at;
    return this.nodes.plain(this.copies ? detached(text) : text);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) decline();
  }

  private map(): YAMLMap {
    const { src } = this;
    this.enter();
    const map = this.nodes.map();
    map.flow = true;
    const seen = new Set<string>();
    this.at++;
    this.skipSpace();
    if (src.charCodeAt(this.at) !== CLOSE_MAP) {
      for (;;) {
        if (src.charCodeAt(this.at) !== QUOTE) decline();
        const keyStart = this.at;
        const key = this.string();
        key.range = [keyStart, this.at, this.at];
        // yaml's uniqueKeys: a duplicate is an error, which yaml reports
        if (seen.has(key.value as string)) decline();
        seen.add(key.value as string);
        this.skipSpace();
        if (src.charCodeAt(this.at) !== COLON) decline();
        this.at++;
        this.skipSpace();
        const value = this.value(Place.Line);
        map.items.push(makePair(key, value));
        this.skipSpace();
        const code = src.charCodeAt(this.at);
        if (code === CLOSE_MAP) break;
        if (code !== COMMA) decline();
        this.at++;
        this.skipSpace();
      }
    }
    this.at++;
    this.depth--;
    return map;
  }

  private seq(): YAMLSeq {
    const { src } = this;
    this.enter();
    const seq = this.nodes.seq();
    seq.flow = true;
    this.at++;
    this.skipSpace();
    if (src.charCodeAt(this.at) !== CLOSE_SEQ) {
      for (;;) {
        const code = src.charCodeAt(this.at);
        // an empty entry or a trailing comma (yaml takes the latter; JSON does not)
        if (code === COMMA || code === CLOSE_SEQ || code === CLOSE_MAP || Number.isNaN(code)) decline();
        seq.items.push(this.value(Place.Entry));
        const next = src.charCodeAt(this.at);
        if (next === CLOSE_SEQ) break;
        if (next !== COMMA) decline();
        this.at++;
        this.skipSpace();
      }
    }
    this.at++;
    this.depth--;
    return seq;
  }
}
