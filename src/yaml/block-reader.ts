// A fast reader for the plain block-style YAML that `helm template` renders, building the very
// nodes `parseDocument(source, PARSE_OPTIONS)` would build (same classes, values, ranges, scalar
// types and formats), or declining.
//
// Why: the documents a rule edits are read twice (before and after the edit), and the `yaml`
// library spends most of a run's time composing them while its code is still cold. A Helm render
// uses a small part of YAML: block mappings and sequences, one-line plain or quoted scalars,
// flow collections written on one line (`listeners: [{name: http, port: 80}]`, `verbs: ["get"]`),
// literal block scalars (`config: |-`, the injector's templates), comment lines. This reader
// handles exactly that part and returns undefined for anything else (tabs, CR line endings, byte
// order marks, flow collections over several lines, folded scalars, block scalars with an
// indentation indicator or a comment on their header, multi-line plain scalars, escapes, anchors,
// aliases, tags, merge keys, directives, keys over 1000 characters, duplicate keys, comment lines
// where yaml's own rules for them get intricate, anything invalid), so the caller falls back to
// `yaml` and nothing is ever guessed.
//
// Scalars are resolved by the same YAML 1.1 schema tags `yaml` uses. Comments are not attached
// to nodes (no rule reads them; edits are text patches). test/yaml/block-yaml.test.ts holds this
// reader to `yaml` on every document of the corpus, the fixtures, the benchmark streams and
// generated documents: wherever it answers, its tree equals yaml's.
//
// It relies on the internals of `yaml` that src/yaml/fast-nodes.ts lists (node type marks, Schema
// tags and compat, the ranges and fields parseDocument sets), through that module, which makes its
// nodes and resolves its plain scalars; package.json pins yaml to one exact version for them.
import { Scalar, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { decline, DocumentNodes, makePair, makeScalar, read, type FastReadOptions, type Range } from './fast-nodes.js';

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
const COMMA = 0x2c;
const PIPE = 0x7c;

/** Flow indicators: they end a plain scalar inside a flow collection. */
const FLOW_INDICATOR = new Set([0x2c, 0x5b, 0x5d, 0x7b, 0x7d]);

export type BlockYamlOptions = FastReadOptions;

/**
 * The document of `source` as `parseDocument(source, options)` would compose it, when `source`
 * is plain block YAML; undefined otherwise (the caller then uses `yaml`).
 */
export function readBlockYaml(source: string, options: BlockYamlOptions): Document.Parsed | undefined {
  // yaml skips a byte order mark wherever a document may start; one in the text is left to it
  if (source.includes('\t') || source.includes('\r') || source.includes('\uFEFF')) return undefined;
  return read(() => new BlockReader(source, options).document());
}

class BlockReader {
  private readonly lineCount: number;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly indents: Int32Array;
  /** 0 blank, 1 comment, 2 content */
  private readonly kinds: Uint8Array;
  private readonly nodes: DocumentNodes;
  private readonly doc: Document.Parsed;
  /** comment lines after the last value that the collection ending there may take (see done()) */
  private pending: { indent: number; end: number } | undefined;

  constructor(
    private readonly src: string,
    options: BlockYamlOptions,
  ) {
    this.nodes = new DocumentNodes(options);
    this.doc = this.nodes.doc;
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
    if (comment < next) this.pendComments(comment, next);
  }

  /**
   * Comment lines from `comment` up to the next content on line `next`, after a value: pending for
   * the innermost collection at or left of their indentation that ends there (see done()).
   */
  private pendComments(comment: number, next: number): void {
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
    const map = this.nodes.map();
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
    const seq = this.nodes.seq();
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
    const code = src.charCodeAt(at);
    if (code === PIPE) return this.literal(line, column, at);
    // `- {a: 1}` is a flow mapping in the entry, not a block mapping with a strange key
    if (code === 0x5b || code === 0x7b) return this.oneLine(line, column, at, false);
    if (inSequence && this.startsMapping(at, lineEnd)) {
      return this.mapping(line, at - (this.starts[line] as number));
    }
    return this.oneLine(line, column, at, true);
  }

  /** A value that fits on `line` from `at`: a quoted or plain scalar, `{}` or `[]`. */
  private oneLine(line: number, column: number, at: number, plainAllowed: boolean): { node: Node; next: number } {
    const lineEnd = this.ends[line] as number;
    let found = this.quotedOrFlow(at, lineEnd);
    if (!found) {
      if (!plainAllowed) decline();
      found = this.plain(at, lineEnd, false);
    }
    const { node, end: valueEnd } = found;
    this.expectLineEnd(valueEnd, lineEnd);
    (node as Scalar).range = [at, valueEnd, this.afterLine(line)];
    const next = this.nextContent(line);
    // A deeper line after a one-line value continues it (multi-line scalar) or is invalid.
    if (next < this.lineCount && (this.indents[next] as number) > column) decline();
    this.commentsAfter(node, line, column, next);
    return { node, next };
  }

  /**
   * A literal block scalar whose `|` (then `-` or `+`, nothing else) is at `at` on `line`, under a
   * key or dash at `column`. Its content is the lines below indented as deep as the first one (more
   * than `column`), up to a less indented line; blank lines inside are empty lines of the value.
   * Comment lines after it never extend it (unlike a one-line value's): they are pending for the
   * collections around it. Declined: no content line, a blank line with spaces past the content's
   * indentation.
   */
  private literal(line: number, column: number, at: number): { node: Node; next: number } {
    const { src } = this;
    const lineEnd = this.ends[line] as number;
    let headerEnd = at + 1;
    const chomp = src[headerEnd];
    if (chomp === '-' || chomp === '+') headerEnd++;
    if (this.skipSpaces(headerEnd) !== lineEnd) decline();
    // the content's indentation: the first line with more than spaces
    let first = line + 1;
    while (first < this.lineCount && this.kinds[first] === 0) {
      if ((this.indents[first] as number) > 0) decline();
      first++;
    }
    if (first >= this.lineCount) decline();
    const indent = this.indents[first] as number;
    if (indent <= column) decline();
    const parts: string[] = [];
    for (let blank = line + 1; blank < first; blank++) parts.push('');
    let last = first;
    let current = first;
    for (; current < this.lineCount; current++) {
      const spaces = this.indents[current] as number;
      if (this.kinds[current] === 0) {
        // a blank line: an empty line of the value (or trailing, see below)
        if (spaces > indent) decline();
        continue;
      }
      if (spaces < indent) break;
      for (let blank = last + 1; blank < current; blank++) parts.push('');
      parts.push(src.slice((this.starts[current] as number) + indent, this.ends[current]));
      last = current;
    }
    // `current` is the first line with more than spaces after the block (or the line count)
    const next = current < this.lineCount && this.kinds[current] === 1 ? this.nextContent(current) : current;
    if (next !== current) this.pendComments(current, next);
    let value = parts.join('\n');
    let endLine = last;
    if (chomp === '+') {
      // keep: the line breaks of the trailing blank lines too, and the range covers them (the
      // empty "line" after a final line break is none)
      if (this.ends[last] === src.length) decline();
      for (let blank = last + 1; blank < current; blank++) if ((this.indents[blank] as number) > 0) decline();
      endLine = current === this.lineCount && this.starts[current - 1] === src.length ? current - 2 : current - 1;
      value += '\n'.repeat(endLine - last + 1);
    } else if (chomp !== '-') {
      value += '\n';
    }
    const nodeEnd = this.afterLine(endLine);
    const node = makeScalar(value, value, [at, nodeEnd, nodeEnd], Scalar.BLOCK_LITERAL);
    // A deeper line after the block would be invalid (the block took every deeper line).
    if (next < this.lineCount && (this.indents[next] as number) > column) decline();
    return { node, next };
  }

  /**
   * A flow collection opened at `at` and closed on the same line: entries separated by `,`, a
   * flow mapping's keys followed by `: `. Its range (and its entries') end after the closing
   * bracket; the caller extends the outer one to the line end as for any one-line value.
   */
  private flow(at: number, lineEnd: number): { node: YAMLMap | YAMLSeq; end: number } {
    const { src } = this;
    const isSeq = src.charCodeAt(at) === 0x5b;
    const close = isSeq ? 0x5d : 0x7d;
    const node = isSeq ? this.nodes.seq() : this.nodes.map();
    node.flow = true;
    const seen = isSeq ? undefined : new Set<unknown>();
    let i = this.skipSpaces(at + 1);
    if (src.charCodeAt(i) !== close) {
      for (;;) {
        if (i >= lineEnd) decline();
        if (seen) {
          const { key, colon } = this.flowKey(i, lineEnd);
          if (seen.has(key.value)) decline();
          seen.add(key.value);
          // `{a:1}` is a key without a value in yaml; a value follows `: ` here
          if (src.charCodeAt(colon + 1) !== SPACE) decline();
          const { node: value, end } = this.flowValue(this.skipSpaces(colon + 1), lineEnd, false);
          (node as YAMLMap).items.push(makePair(key, value));
          i = end;
        } else {
          const { node: item, end } = this.flowValue(i, lineEnd, true);
          (node as YAMLSeq).items.push(item);
          i = end;
        }
        const code = src.charCodeAt(i);
        if (code === close) break;
        if (code !== COMMA) decline();
        i = this.skipSpaces(i + 1);
        // a trailing comma, or an empty entry
        if (src.charCodeAt(i) === close || src.charCodeAt(i) === COMMA) decline();
      }
    }
    node.range = [at, i + 1, i + 1];
    return { node, end: i + 1 };
  }

  /** A flow mapping's key at `at`: quoted, or plain up to its `:` (no space before it). */
  private flowKey(at: number, lineEnd: number): { key: Scalar; colon: number } {
    const { src } = this;
    const char = src[at] as string;
    let key: Scalar;
    let end: number;
    if (char === '"' || char === "'") {
      ({ node: key, end } = this.quoted(at, lineEnd));
    } else {
      if (INDICATOR.has(char)) decline();
      end = at;
      while (end < lineEnd && src.charCodeAt(end) !== COLON) {
        const code = src.charCodeAt(end);
        if (FLOW_INDICATOR.has(code) || code === SPACE || code === HASH) decline();
        end++;
      }
      key = this.resolvePlain(src.slice(at, end));
      if (key.source === '<<') decline();
    }
    if (src.charCodeAt(end) !== COLON || end - at > MAX_KEY_LENGTH) decline();
    key.range = [at, end, end];
    return { key, colon: end };
  }

  /**
   * An entry's value inside a flow collection: a quoted or plain scalar, or a nested flow
   * collection. `end` is past the spaces after it, where its range ends too.
   */
  private flowValue(at: number, lineEnd: number, inSequence: boolean): { node: Node; end: number } {
    const { src } = this;
    const char = src[at] as string;
    let found = this.quotedOrFlow(at, lineEnd);
    if (!found) {
      // `-` starts a plain scalar when something other than a space or an indicator follows
      const after = src.charCodeAt(at + 1);
      if (INDICATOR.has(char) && (char !== '-' || after === SPACE || FLOW_INDICATOR.has(after) || at + 1 >= lineEnd)) decline();
      let plainEnd = at;
      for (let i = at; i < lineEnd; i++) {
        const code = src.charCodeAt(i);
        if (FLOW_INDICATOR.has(code)) break;
        if (code === HASH && src.charCodeAt(i - 1) === SPACE) break;
        // `: ` makes a key of what came before: a pair in a sequence, or invalid in a value
        if (code === COLON) {
          const next = src.charCodeAt(i + 1);
          if (next === SPACE || FLOW_INDICATOR.has(next) || i + 1 >= lineEnd) decline();
        }
        if (code !== SPACE) plainEnd = i + 1;
      }
      if (plainEnd === at) decline();
      found = { node: this.resolvePlain(src.slice(at, plainEnd)), end: plainEnd };
    }
    const { node, end: valueEnd } = found;
    const end = this.skipSpaces(valueEnd);
    // `["a": 1]` is a pair inside the sequence
    if (inSequence && src.charCodeAt(end) === COLON) decline();
    (node as Scalar).range = [at, valueEnd, end];
    return { node, end };
  }

  /** A quoted scalar or a flow collection starting at `at`; undefined when neither starts there. */
  private quotedOrFlow(at: number, lineEnd: number): { node: Node; end: number } | undefined {
    const char = this.src[at];
    if (char === '"' || char === "'") return this.quoted(at, lineEnd);
    if (char === '[' || char === '{') return this.flow(at, lineEnd);
    return undefined;
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
    return this.nodes.plain(text);
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
}
