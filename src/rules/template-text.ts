/**
 * Text edits on Istio's gateway injection templates (`gateway`, `kube-gateway`, `agentgateway`).
 *
 * These templates are Go-template source whose *output* is YAML, so they are not YAML themselves:
 * `{{- if }}` lines sit at any indentation, values are Go actions, and whole blocks come from
 * `toYaml` of user values. So we read them line by line: YAML structure comes from the indentation
 * of content lines, Go control lines (`if` / `else` / `end`) are read as branches, and every edit
 * replaces, inserts or deletes whole lines. Lines we do not need to change keep their exact bytes,
 * line endings included, which keeps the ConfigMap or Istio CR that embeds the template diffable.
 */

export interface TemplateEdit {
  /** 1-based line in the original text. */
  line: number;
  message: string;
}

export interface TemplateEditResult {
  text: string;
  edits: TemplateEdit[];
}

export interface ProxyPrivileges {
  netBindService: boolean;
  runAsRoot: boolean;
}

const PROXY_CONTAINER = 'istio-proxy';
const NET_BIND_SERVICE = 'NET_BIND_SERVICE';
/** `runAsNonRoot: true` would make the kubelet refuse a uid-0 container (DOMAIN.md section 4). */
const ROOT_SETTINGS: ReadonlyArray<readonly [key: string, value: string]> = [
  ['runAsUser', '0'],
  ['runAsGroup', '0'],
  ['runAsNonRoot', 'false'],
];
/** A fixed point is reached in a few dozen steps; this only guards against a bug looping forever. */
const MAX_PRIVILEGE_STEPS = 1000;

// ---------------------------------------------------------------------------------------------
// Lines: split and join without losing a byte

interface TextLine {
  text: string;
  eol: string;
  /** 0-based index in the original text; undefined for lines we inserted. */
  origin: number | undefined;
}

interface LineDoc {
  bom: string;
  lines: TextLine[];
  defaultEol: string;
}

function splitLines(text: string): LineDoc {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const parts = text.slice(bom.length).split('\n');
  const lines: TextLine[] = [];
  parts.forEach((part, index) => {
    const isLast = index === parts.length - 1;
    if (isLast) {
      if (part !== '') lines.push({ text: part, eol: '', origin: index });
      return;
    }
    const crlf = part.endsWith('\r');
    lines.push({ text: crlf ? part.slice(0, -1) : part, eol: crlf ? '\r\n' : '\n', origin: index });
  });
  const defaultEol = lines.find((line) => line.eol !== '')?.eol ?? '\n';
  return { bom, lines, defaultEol };
}

function joinLines(doc: LineDoc): string {
  return doc.bom + doc.lines.map((line) => line.text + line.eol).join('');
}

function leadingSpaces(text: string): number {
  let count = 0;
  while (text.charCodeAt(count) === 0x20) count++;
  return count;
}

function pad(width: number): string {
  return ' '.repeat(width);
}

// ---------------------------------------------------------------------------------------------
// Go template actions

/** What a Go action does to the shape of the output. */
type Control = 'open' | 'branch' | 'else' | 'end';

interface ActionScan {
  controls: Control[];
  /** An action prints something (toYaml, a variable...) whose YAML we cannot see. */
  printsOutput: boolean;
  /** Literal text outside the actions, on a line that starts with an action. */
  hasText: boolean;
  /** An action is still open at the end of the text (it continues on the next line). */
  unclosed: boolean;
}

/** Index of the `}}` that closes an action whose body starts at `from`, or -1. */
function findActionClose(text: string, from: number): number {
  const body = /^-?\s*/.exec(text.slice(from));
  const start = from + (body ? body[0].length : 0);
  if (text.startsWith('/*', start)) {
    const commentEnd = text.indexOf('*/', start + 2);
    return commentEnd < 0 ? -1 : text.indexOf('}}', commentEnd + 2);
  }
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === '`' || ch === "'") {
      const close = findGoStringEnd(text, i);
      if (close < 0) return -1;
      i = close;
    } else if (ch === '}' && text[i + 1] === '}') {
      return i;
    }
  }
  return -1;
}

function findGoStringEnd(text: string, open: number): number {
  const quote = text[open];
  for (let i = open + 1; i < text.length; i++) {
    if (quote !== '`' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function classifyAction(inner: string): Control | 'silent' | 'output' {
  const body = inner.replace(/^-\s/, '').replace(/\s-$/, '').trim();
  if (body.startsWith('/*')) return 'silent';
  const word = /^(if|else|end|range|with|define|block|break|continue)\b/.exec(body)?.[1];
  if (word === 'if' || word === 'range' || word === 'with' || word === 'define' || word === 'block') return 'open';
  if (word === 'else') return body === 'else' ? 'else' : 'branch';
  if (word === 'end') return 'end';
  if (word === 'break' || word === 'continue') return 'silent';
  if (/^\$\w*\s*:?=/.test(body)) return 'silent';
  return 'output';
}

function scanActions(text: string): ActionScan {
  const scan: ActionScan = { controls: [], printsOutput: false, hasText: false, unclosed: false };
  let cursor = 0;
  while (cursor < text.length) {
    const open = text.indexOf('{{', cursor);
    const literal = text.slice(cursor, open < 0 ? text.length : open);
    if (/\S/.test(literal)) scan.hasText = true;
    if (open < 0) break;
    const close = findActionClose(text, open + 2);
    if (close < 0) {
      scan.unclosed = true;
      break;
    }
    const kind = classifyAction(text.slice(open + 2, close));
    if (kind === 'output') scan.printsOutput = true;
    else if (kind !== 'silent') scan.controls.push(kind);
    cursor = close + 2;
  }
  return scan;
}

// ---------------------------------------------------------------------------------------------
// Line classification

type LineKind = 'blank' | 'comment' | 'directive' | 'content' | 'literal' | 'continuation';

interface LineInfo {
  kind: LineKind;
  indent: number;
  /** directive: the control actions on the line, in order. */
  controls: Control[];
  /** directive: may print YAML we cannot see (an output action, or text beside the actions). */
  opaque: boolean;
  /** Ends with `-}}`, which swallows the newline and indentation that follow it. */
  trimsNext: boolean;
  /** content: starts with a `- ` sequence indicator. */
  dash: boolean;
  /** content: column of the node after any `- ` indicators. */
  keyCol: number;
  /** content: the mapping key at keyCol, unquoted. */
  key: string | undefined;
  /** content: inline value after `key:` (or after `- `), without comment, trimmed. */
  value: string;
  valueStart: number;
  valueEnd: number;
  /** continuation: the line where the multi-line action started. */
  head: number;
}

function baseInfo(kind: LineKind, indent: number): LineInfo {
  return {
    kind,
    indent,
    controls: [],
    opaque: false,
    trimsNext: false,
    dash: false,
    keyCol: indent,
    key: undefined,
    value: '',
    valueStart: 0,
    valueEnd: 0,
    head: -1,
  };
}

/** A plain, double- or single-quoted mapping key followed by `:` and a space or the line's end. */
const MAPPING_KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{}[\],&*!|>%@`][^#]*?)[ \t]*:(?=[ \t]|$)/;
const BLOCK_SCALAR = /^[|>][0-9+-]*$/;

function classifyContent(text: string, indent: number): LineInfo {
  const info = baseInfo('content', indent);
  let col = indent;
  while (text[col] === '-' && (col + 1 === text.length || text[col + 1] === ' ')) {
    info.dash = true;
    col++;
    while (text[col] === ' ') col++;
  }
  info.keyCol = col;
  const keyMatch = MAPPING_KEY.exec(text.slice(col));
  const valueArea = keyMatch ? col + keyMatch[0].length : col;
  if (keyMatch) info.key = unquote(keyMatch[1] ?? '');
  const commentAt = findCommentStart(text, valueArea);
  const raw = text.slice(valueArea, commentAt);
  info.valueStart = valueArea + (raw.length - raw.trimStart().length);
  info.valueEnd = valueArea + raw.trimEnd().length;
  info.value = raw.trim();
  // An empty value is written right after the colon, so `key: # note` becomes `key: [] # note`.
  if (info.value === '') info.valueStart = info.valueEnd = valueArea;
  return info;
}

/** Offset of a `#` comment (outside quotes and Go actions), or the text's length. */
function findCommentStart(text: string, from: number): number {
  let previous = from === 0 ? ' ' : (text[from - 1] ?? ' ');
  for (let i = from; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === '{' && text[i + 1] === '{') {
      const close = findActionClose(text, i + 2);
      if (close < 0) return text.length;
      i = close + 1;
      previous = '}';
      continue;
    }
    if ((ch === '"' || ch === "'") && startsYamlToken(text, i, from)) {
      const close = findYamlQuoteEnd(text, i);
      if (close < 0) return text.length;
      i = close;
      previous = ch;
      continue;
    }
    if (ch === '#' && (previous === ' ' || previous === '\t')) return i;
    previous = ch;
  }
  return text.length;
}

/** A quote opens a quoted scalar only where a YAML token can start. */
function startsYamlToken(text: string, index: number, from: number): boolean {
  const before = text.slice(from, index).trimEnd();
  return before === '' || /[[{,:]$/.test(before) || /(^|\s)-$/.test(before);
}

function findYamlQuoteEnd(text: string, open: number): number {
  const quote = text[open];
  for (let i = open + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (quote === "'" && text[i] === "'" && text[i + 1] === "'") i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function unquote(scalar: string): string {
  const text = scalar.trim();
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    try {
      return JSON.parse(text) as string;
    } catch {
      return text.slice(1, -1);
    }
  }
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  return text;
}

function classifyLines(texts: readonly string[]): LineInfo[] {
  const infos: LineInfo[] = [];
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i] ?? '';
    const trimmed = text.trim();
    const indent = leadingSpaces(text);
    if (trimmed === '') {
      infos.push(baseInfo('blank', indent));
      continue;
    }
    if (trimmed.startsWith('#')) {
      infos.push(baseInfo('comment', indent));
      continue;
    }
    // An action may run over several lines (`{{- toJsonMap` ... `| nindent 8 }}`): read it whole.
    let last = i;
    let source = text;
    let scan = scanActions(source);
    while (scan.unclosed && last + 1 < texts.length) {
      last++;
      source += '\n' + (texts[last] ?? '');
      scan = scanActions(source);
    }
    let info: LineInfo;
    if (trimmed.startsWith('{{')) {
      info = baseInfo('directive', indent);
      info.controls = scan.controls;
      info.opaque = scan.printsOutput || scan.hasText;
    } else {
      info = classifyContent(text, indent);
    }
    info.trimsNext = /-\}\}\s*$/.test(last === i ? text : (texts[last] ?? ''));
    infos.push(info);
    for (let j = i + 1; j <= last; j++) {
      const continuation = baseInfo('continuation', leadingSpaces(texts[j] ?? ''));
      continuation.head = i;
      infos.push(continuation);
    }
    i = last;
    if (info.kind === 'content') i = markLiteralLines(texts, infos, i, info);
  }
  return infos;
}

/**
 * Block scalars (`value: |`) and flow collections left open at the line's end hold text that
 * only looks like YAML structure; mark their lines `literal` so no rule reads keys in them.
 * Returns the index of the last line consumed.
 */
function markLiteralLines(texts: readonly string[], infos: LineInfo[], index: number, owner: LineInfo): number {
  let last = index;
  if (BLOCK_SCALAR.test(owner.value)) {
    const threshold = owner.key !== undefined ? owner.keyCol : owner.indent;
    for (let j = index + 1; j < texts.length; j++) {
      const text = texts[j] ?? '';
      if (text.trim() === '' || text.trim().startsWith('{{')) continue;
      if (leadingSpaces(text) <= threshold) break;
      last = j;
    }
  } else if (owner.value.startsWith('[') || owner.value.startsWith('{')) {
    let depth = flowDepth(owner.value);
    for (let j = index + 1; depth > 0 && j < texts.length; j++) {
      depth += flowDepth(texts[j] ?? '');
      last = j;
    }
  }
  for (let j = index + 1; j <= last; j++) {
    infos.push(baseInfo(texts[j]?.trim() === '' ? 'blank' : 'literal', leadingSpaces(texts[j] ?? '')));
  }
  return last;
}

function flowDepth(text: string): number {
  let depth = 0;
  walkFlow(text, (ch) => {
    if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
  });
  return depth;
}

// ---------------------------------------------------------------------------------------------
// Flow collections: `[a, b]` and `{k: v}` on one line

/** Calls `visit` for each character outside quotes and Go actions; false if one is left open. */
function walkFlow(text: string, visit: (ch: string, index: number) => void): boolean {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === '{' && text[i + 1] === '{') {
      const close = findActionClose(text, i + 2);
      if (close < 0) return false;
      i = close + 1;
      continue;
    }
    if ((ch === '"' || ch === "'") && startsYamlToken(text, i, 0)) {
      const close = findYamlQuoteEnd(text, i);
      if (close < 0) return false;
      i = close;
      continue;
    }
    if (ch === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) return true;
    visit(ch, i);
  }
  return true;
}

/** The top-level items of a one-line flow collection, or undefined if it is not one. */
function splitFlowCollection(value: string, open: '[' | '{'): string[] | undefined {
  const close = open === '[' ? ']' : '}';
  if (!value.startsWith(open) || !value.endsWith(close)) return undefined;
  const cuts: number[] = [];
  let depth = 0;
  let closedAt = -1;
  const complete = walkFlow(value, (ch, index) => {
    if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0 && closedAt < 0) closedAt = index;
    } else if (ch === ',' && depth === 1) cuts.push(index);
  });
  if (!complete || closedAt !== value.length - 1) return undefined;
  const pieces: string[] = [];
  let start = 1;
  for (const cut of [...cuts, value.length - 1]) {
    pieces.push(value.slice(start, cut).trim());
    start = cut + 1;
  }
  if (pieces.length === 1 && pieces[0] === '') return [];
  if (pieces[pieces.length - 1] === '') pieces.pop();
  return pieces;
}

interface FlowEntry {
  key: string;
  value: string;
  raw: string;
}

function parseFlowMap(value: string): FlowEntry[] | undefined {
  if (value === 'null' || value === '~') return [];
  const pieces = splitFlowCollection(value, '{');
  if (!pieces) return undefined;
  const entries: FlowEntry[] = [];
  for (const raw of pieces) {
    let colon = -1;
    let depth = 0;
    walkFlow(raw, (ch, index) => {
      if (ch === '[' || ch === '{') depth++;
      else if (ch === ']' || ch === '}') depth--;
      else if (ch === ':' && depth === 0 && colon < 0 && /^(\s|$)/.test(raw.slice(index + 1))) colon = index;
    });
    if (colon < 0) return undefined;
    entries.push({ key: unquote(raw.slice(0, colon)), value: raw.slice(colon + 1).trim(), raw });
  }
  return entries;
}

function flowMapGet(value: string, key: string): string | undefined {
  const entry = parseFlowMap(value)?.find((candidate) => candidate.key === key);
  return entry ? unquote(entry.value) : undefined;
}

/** Sets `key` in a parsed flow map; returns whether anything changed. */
function setFlowEntry(entries: FlowEntry[], key: string, value: string): boolean {
  const existing = entries.find((entry) => entry.key === key);
  if (existing?.value === value) return false;
  if (existing) {
    existing.value = value;
    existing.raw = `${key}: ${value}`;
  } else {
    entries.push({ key, value, raw: `${key}: ${value}` });
  }
  return true;
}

function renderFlowMap(entries: readonly FlowEntry[]): string {
  return `{${entries.map((entry) => entry.raw).join(', ')}}`;
}

/** `[...]` holding `item` exactly once, the original text when it already does. */
function withFlowItemOnce(value: string, item: string): string | undefined {
  const items = value === 'null' || value === '~' ? [] : splitFlowCollection(value, '[');
  if (!items) return undefined;
  const matches = items.filter((candidate) => unquote(candidate) === item).length;
  if (matches === 1) return value;
  let seen = false;
  const kept = items.filter((candidate) => {
    if (unquote(candidate) !== item) return true;
    if (seen) return false;
    seen = true;
    return true;
  });
  if (!seen) kept.push(item);
  return `[${kept.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------
// Structure: mapping levels and lists, with Go branches as alternatives

interface EntryNode {
  kind: 'entry';
  /** map: the key; list: the item's scalar value (undefined when the item is a mapping). */
  key: string | undefined;
  line: number;
  end: number;
}

interface OpaqueNode {
  kind: 'opaque';
  line: number;
}

interface CondNode {
  kind: 'cond';
  openLine: number;
  branches: Level[];
  /** Has a plain `else`, so some branch renders whatever the condition is. */
  exhaustive: boolean;
  endLine: number;
  /** Position of this block's `end` among the controls on endLine. */
  endTokenIndex: number;
}

type LevelNode = EntryNode | OpaqueNode | CondNode;

/** The nodes of one mapping (or list) level, as seen on one Go branch. */
interface Level {
  col: number;
  mode: 'map' | 'list';
  /** The line the level hangs from: the parent key, a list item's dash line, or a branch's control line. */
  header: number;
  nodes: LevelNode[];
}

function endsEntry(line: LineInfo, col: number, mode: 'map' | 'list'): boolean {
  if (mode === 'list') return line.indent <= col;
  // In a mapping, `- item` lines at the key's own column are that key's (compact) list.
  return line.indent < col || (line.indent === col && !line.dash);
}

/**
 * The last line of the entry (or list item) starting at `start`. A Go block opened inside the
 * entry must close inside it: its trailing `{{- end }}` is taken in; anything else is unbalanced.
 */
function entryExtent(
  info: readonly LineInfo[],
  start: number,
  limit: number,
  col: number,
  mode: 'map' | 'list',
): { end: number; balanced: boolean } {
  let end = start;
  for (let j = start + 1; j <= limit; j++) {
    const line = info[j]!;
    if (line.kind === 'content') {
      if (endsEntry(line, col, mode)) break;
      end = j;
    } else if (line.kind === 'literal') {
      end = j;
    }
  }
  const head = info[start]!;
  if (head.kind === 'content' && head.value === '' && end === start) end = renderedValueEnd(info, start, limit);

  let depth = 0;
  let balanced = true;
  for (let j = start + 1; j <= end; j++) {
    for (const control of info[j]!.kind === 'directive' ? info[j]!.controls : []) {
      if (control === 'open') depth++;
      else if (control === 'end') depth--;
      else if (depth === 0) balanced = false;
      if (depth < 0) balanced = false;
    }
  }
  for (let j = end + 1; depth > 0 && j <= limit; j++) {
    const line = info[j]!;
    if (line.kind === 'blank' || line.kind === 'comment' || line.kind === 'continuation') continue;
    if (line.kind !== 'directive' || line.controls.includes('open')) break;
    for (const control of line.controls) if (control === 'end') depth--;
    end = j;
  }
  return { end, balanced: balanced && depth === 0 };
}

/** `key:` followed only by `{{ toYaml ... | nindent N }}`: the action renders the key's value. */
function renderedValueEnd(info: readonly LineInfo[], start: number, limit: number): number {
  let end = start;
  for (let j = start + 1; j <= limit; j++) {
    const line = info[j]!;
    if (line.kind === 'blank' || line.kind === 'comment') continue;
    if (line.kind === 'continuation' && line.head <= end && line.head > start) end = j;
    else if (line.kind === 'directive' && line.opaque && line.controls.length === 0) end = j;
    else break;
  }
  return end;
}

function isEntryStart(line: LineInfo, col: number, mode: 'map' | 'list', isFirst: boolean): boolean {
  if (line.kind !== 'content') return false;
  if (mode === 'list') return line.dash && line.indent === col;
  return line.key !== undefined && line.keyCol === col && (line.indent === col || isFirst);
}

/**
 * Reads lines from..to as one level at column `col`. Returns undefined when the Go blocks in it
 * do not nest inside it (we would not know which branch an edit lands in).
 */
function parseLevel(
  info: readonly LineInfo[],
  from: number,
  to: number,
  col: number,
  mode: 'map' | 'list',
  header: number,
  firstIsEntry: boolean,
): Level | undefined {
  const root: Level = { col, mode, header, nodes: [] };
  const open: CondNode[] = [];
  const current = (): Level => {
    const cond = open[open.length - 1];
    return cond ? cond.branches[cond.branches.length - 1]! : root;
  };
  for (let i = from; i <= to; i++) {
    const line = info[i]!;
    if (line.kind === 'directive') {
      for (const [index, control] of line.controls.entries()) {
        if (control === 'open') {
          const cond: CondNode = {
            kind: 'cond',
            openLine: i,
            branches: [{ col, mode, header: i, nodes: [] }],
            exhaustive: false,
            endLine: -1,
            endTokenIndex: -1,
          };
          current().nodes.push(cond);
          open.push(cond);
        } else {
          const cond = open[open.length - 1];
          if (!cond) return undefined;
          if (control === 'end') {
            cond.endLine = i;
            cond.endTokenIndex = index;
            open.pop();
          } else {
            cond.branches.push({ col, mode, header: i, nodes: [] });
            if (control === 'else') cond.exhaustive = true;
          }
        }
      }
      if (line.opaque) current().nodes.push({ kind: 'opaque', line: i });
      continue;
    }
    if (isEntryStart(line, col, mode, i === from && firstIsEntry)) {
      const extent = entryExtent(info, i, to, col, mode);
      if (!extent.balanced) return undefined;
      const key = mode === 'map' ? line.key : line.key === undefined ? unquote(line.value) : undefined;
      current().nodes.push({ kind: 'entry', key, line: i, end: extent.end });
      i = extent.end;
    }
  }
  return open.length === 0 ? root : undefined;
}

function entriesOf(level: Level): EntryNode[] {
  return level.nodes.flatMap((node) => {
    if (node.kind === 'entry') return [node];
    if (node.kind === 'cond') return node.branches.flatMap(entriesOf);
    return [];
  });
}

function entriesNamed(level: Level, key: string): EntryNode[] {
  return entriesOf(level).filter((entry) => entry.key === key);
}

function containsOpaque(level: Level, blocks: (line: number) => boolean): boolean {
  return level.nodes.some(
    (node) =>
      (node.kind === 'opaque' && blocks(node.line)) ||
      (node.kind === 'cond' && node.branches.some((branch) => containsOpaque(branch, blocks))),
  );
}

/** True when `key` is rendered at this level on every path through its Go branches. */
function guaranteed(level: Level, key: string): boolean {
  return level.nodes.some(
    (node) =>
      (node.kind === 'entry' && node.key === key) ||
      (node.kind === 'cond' && node.exhaustive && node.branches.every((branch) => guaranteed(branch, key))),
  );
}

function firstContentLine(info: readonly LineInfo[], from: number, to: number): number | undefined {
  for (let j = from; j <= to; j++) if (info[j]!.kind === 'content') return j;
  return undefined;
}

/** The level under a `key:` entry; `fallbackCol` when the entry has no lines under it yet. */
function bodyLevel(
  info: readonly LineInfo[],
  entry: EntryNode,
  mode: 'map' | 'list',
  fallbackCol: number,
): Level | undefined {
  const first = firstContentLine(info, entry.line + 1, entry.end);
  const firstLine = first === undefined ? undefined : info[first]!;
  if (firstLine && firstLine.dash !== (mode === 'list')) return undefined;
  const col = firstLine ? firstLine.indent : fallbackCol;
  return parseLevel(info, entry.line + 1, entry.end, col, mode, entry.line, false);
}

/** The block list under each `key:` line whose value is empty (`sysctls:`, `containers:`). */
function blockListsUnder(info: readonly LineInfo[], keys: readonly string[]): Array<{ keyLine: number; list: Level }> {
  const found: Array<{ keyLine: number; list: Level }> = [];
  info.forEach((line, index) => {
    if (line.kind !== 'content' || line.key === undefined || !keys.includes(line.key) || line.value !== '') return;
    const extent = entryExtent(info, index, info.length - 1, line.keyCol, 'map');
    if (!extent.balanced) return;
    // Column -1 when no item follows the key: nothing to read (and nothing to edit) there.
    const list = bodyLevel(info, { kind: 'entry', key: line.key, line: index, end: extent.end }, 'list', -1);
    if (list && list.col >= 0) found.push({ keyLine: index, list });
  });
  return found;
}

/** Column of the mapping a list item holds, if it holds one. */
function itemMappingCol(info: readonly LineInfo[], item: EntryNode): number | undefined {
  const head = info[item.line]!;
  if (head.key !== undefined) return head.keyCol;
  if (head.value !== '') return undefined;
  const first = firstContentLine(info, item.line + 1, item.end);
  return first === undefined ? undefined : info[first]!.indent;
}

function itemMapping(info: readonly LineInfo[], item: EntryNode): Level | undefined {
  const col = itemMappingCol(info, item);
  if (col === undefined) return undefined;
  const headIsEntry = info[item.line]!.key !== undefined;
  return parseLevel(info, item.line, item.end, col, 'map', item.line, headIsEntry);
}

/** The unquoted value of `field` in a list item written as a block or a flow mapping. */
function itemField(info: readonly LineInfo[], item: EntryNode, field: string): string | undefined {
  const head = info[item.line]!;
  if (head.key === undefined && head.value.startsWith('{')) return flowMapGet(head.value, field);
  const mapping = itemMapping(info, item);
  const entry = mapping?.nodes.find((node): node is EntryNode => node.kind === 'entry' && node.key === field);
  return entry ? unquote(info[entry.line]!.value) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Removing sysctls

interface LinePlan {
  deletions: Set<number>;
  replacements: Map<number, string>;
  edits: TemplateEdit[];
}

function planSysctlRemoval(texts: readonly string[], names: readonly string[]): LinePlan {
  const info = classifyLines(texts);
  const plan: LinePlan = { deletions: new Set(), replacements: new Map(), edits: [] };
  for (const { keyLine, list } of blockListsUnder(info, ['sysctls'])) {
    planBlockListRemoval(texts, info, keyLine, list, names, plan);
  }
  info.forEach((line, index) => {
    if (line.kind === 'content' && line.key === 'sysctls' && line.value.startsWith('[')) {
      planFlowListRemoval(texts[index] ?? '', line, index, names, plan);
    }
  });
  return plan;
}

function planBlockListRemoval(
  texts: readonly string[],
  info: readonly LineInfo[],
  keyLine: number,
  list: Level,
  names: readonly string[],
  plan: LinePlan,
): void {
  const items = entriesOf(list);
  const doomed = items.filter((item) => names.includes(itemField(info, item, 'name') ?? ''));
  for (const item of doomed) {
    deleteItemLines(info, item, plan.deletions);
    plan.edits.push({ line: item.line + 1, message: `removed sysctl ${itemField(info, item, 'name')}` });
  }
  // An output action in or right after the list (`{{ toYaml .Values.extra | nindent 4 }}`) may
  // render more items, and `sysctls: []` followed by items would not be YAML.
  if (doomed.length === 0 || doomed.length < items.length) return;
  if (containsOpaque(list, () => true) || opaqueBeforeNextContent(info, lastLineOf(list, keyLine))) return;
  const keyText = texts[keyLine] ?? '';
  const key = info[keyLine]!;
  plan.replacements.set(keyLine, `${keyText.slice(0, key.valueStart)} []${keyText.slice(key.valueStart)}`);
  plan.edits.push({
    line: keyLine + 1,
    message: 'sysctls list left empty: wrote `sysctls: []` so the securityContext does not render as null',
  });
}

function lastLineOf(level: Level, fallback: number): number {
  const ends = level.nodes.map((node) => {
    if (node.kind === 'entry') return node.end;
    if (node.kind === 'opaque') return node.line;
    return Math.max(node.endLine, ...node.branches.map((branch) => lastLineOf(branch, -1)));
  });
  return Math.max(fallback, ...ends);
}

function opaqueBeforeNextContent(info: readonly LineInfo[], after: number): boolean {
  for (let j = after + 1; j < info.length; j++) {
    const line = info[j]!;
    if (line.kind === 'content' || line.kind === 'literal') return false;
    if (line.kind === 'directive' && line.opaque) return true;
  }
  return false;
}

/**
 * Deletes an item's lines but keeps Go control lines in it: deleting an `if` without its `end`
 * would break the template, while an empty `if ... end` renders nothing.
 */
function deleteItemLines(info: readonly LineInfo[], item: EntryNode, deletions: Set<number>): void {
  for (let j = item.line; j <= item.end; j++) {
    const line = info[j]!;
    const keepsControl =
      (line.kind === 'directive' && line.controls.length > 0) ||
      (line.kind === 'continuation' && !deletions.has(line.head));
    if (!keepsControl) deletions.add(j);
  }
}

function planFlowListRemoval(text: string, line: LineInfo, index: number, names: readonly string[], plan: LinePlan): void {
  const items = splitFlowCollection(line.value, '[');
  if (!items) return;
  const removedNames: string[] = [];
  const kept = items.filter((item) => {
    const name = item.startsWith('{') ? flowMapGet(item, 'name') : undefined;
    if (name === undefined || !names.includes(name)) return true;
    removedNames.push(name);
    return false;
  });
  if (removedNames.length === 0) return;
  plan.replacements.set(index, `${text.slice(0, line.valueStart)}[${kept.join(', ')}]${text.slice(line.valueEnd)}`);
  for (const name of removedNames) plan.edits.push({ line: index + 1, message: `removed sysctl ${name}` });
}

function applyLinePlan(doc: LineDoc, plan: LinePlan): string {
  const lastOriginal = doc.lines[doc.lines.length - 1];
  const kept: TextLine[] = [];
  doc.lines.forEach((line, index) => {
    if (plan.deletions.has(index)) return;
    kept.push({ ...line, text: plan.replacements.get(index) ?? line.text });
  });
  // The original's final newline, or its absence, must survive deleting its last line.
  const lastKept = kept[kept.length - 1];
  if (lastOriginal && lastKept && lastOriginal.eol === '') lastKept.eol = '';
  return joinLines({ ...doc, lines: kept });
}

// ---------------------------------------------------------------------------------------------
// Granting NET_BIND_SERVICE / root to istio-proxy

/** One atomic change; the structure is read again after each, so changes compose. */
interface Step {
  at: number;
  remove: number;
  insert: string[];
  /** Line the edit is reported at. */
  anchor: number;
  message: string;
}

interface View {
  info: LineInfo[];
  texts: string[];
}

interface Style {
  /** Spaces per nesting level of mappings. */
  step: number;
  /** Where `- item` sits relative to its key: 0 for `key:\n- item`, 2 for `key:\n  - item`. */
  dashOffset: number;
}

interface FillSpec {
  key: string;
  /** The lines of a new entry at a column. */
  fresh: (col: number) => string[];
  /** What the new entry grants, for messages. */
  what: string;
  /** Which opaque lines may render this key themselves (so we must not add it beside them). */
  blocks: (line: number) => boolean;
}

function detectStyle(info: readonly LineInfo[], ranges: ReadonlyArray<readonly [number, number]>): Style {
  let step: number | undefined;
  let dashOffset: number | undefined;
  for (const [from, to] of ranges) {
    for (let i = from; i <= to && (step === undefined || dashOffset === undefined); i++) {
      const line = info[i]!;
      if (line.kind !== 'content' || line.key === undefined || line.value !== '') continue;
      const next = firstContentLine(info, i + 1, to);
      if (next === undefined) continue;
      const child = info[next]!;
      if (child.dash && child.indent >= line.keyCol) dashOffset ??= child.indent - line.keyCol;
      else if (!child.dash && child.indent > line.keyCol) step ??= child.indent - line.keyCol;
    }
  }
  return { step: step ?? 2, dashOffset: dashOffset ?? 0 };
}

function canInsertAfter(line: LineInfo, col: number): boolean {
  // After `{{ if x -}}` the new line's indentation is swallowed and the control line's own
  // indentation is rendered instead: fine only when that indentation is the new line's column.
  return !line.trimsNext || (line.kind === 'directive' && line.indent === col);
}

function insertStep(view: View, level: Level, spec: FillSpec): Step | undefined {
  const lastEntry = level.nodes.filter((node): node is EntryNode => node.kind === 'entry').pop();
  const anchors = lastEntry ? [lastEntry.end, level.header] : [level.header];
  for (const anchor of anchors) {
    if (anchor < 0 || !canInsertAfter(view.info[anchor]!, level.col)) continue;
    return { at: anchor + 1, remove: 0, insert: spec.fresh(level.col), anchor, message: `istio-proxy: added ${spec.what}` };
  }
  return undefined;
}

function addElseStep(view: View, cond: CondNode, level: Level, spec: FillSpec): Step | undefined {
  if (cond.endTokenIndex !== 0 || cond.endLine < 0) return undefined;
  const openerIndent = leadingSpaces(view.texts[cond.openLine] ?? '');
  return {
    at: cond.endLine,
    remove: 0,
    insert: [`${pad(openerIndent)}{{- else }}`, ...spec.fresh(level.col)],
    anchor: cond.openLine,
    message: `istio-proxy: added ${spec.what} in a new else branch of this condition, so it holds whichever way the condition goes`,
  };
}

/**
 * The next change that makes `spec.key` render on every path through the level's Go branches
 * (the injector renders the template with values we cannot know, e.g. the KubeVersion122 or
 * openshift variants, so each branch needs the grant).
 * - an exhaustive if/else: fill each branch;
 * - an `if` without `else` that holds the key: add an `else` branch with it;
 * - no branch holds it: add it at this level, unless an opaque action here (a `toYaml` of user
 *   values) may render it too; a duplicate key would make the injector fail, which is worse than
 *   a missing grant, so such branches are left as the user wrote them.
 */
function fillStep(view: View, level: Level, spec: FillSpec): Step | undefined {
  if (guaranteed(level, spec.key)) return undefined;
  if (level.nodes.some((node) => node.kind === 'opaque' && spec.blocks(node.line))) return undefined;
  const holder = level.nodes.find(
    (node): node is CondNode => node.kind === 'cond' && node.branches.some((branch) => entriesNamed(branch, spec.key).length > 0),
  );
  if (!holder) {
    if (!containsOpaque(level, spec.blocks)) return insertStep(view, level, spec);
    for (const node of level.nodes) {
      if (node.kind !== 'cond' || !node.exhaustive) continue;
      for (const branch of node.branches) {
        const step = fillStep(view, branch, spec);
        if (step) return step;
      }
    }
    return undefined;
  }
  if (!holder.exhaustive) return addElseStep(view, holder, level, spec);
  for (const branch of holder.branches) {
    const step = fillStep(view, branch, spec);
    if (step) return step;
  }
  return undefined;
}

function replaceLineStep(view: View, index: number, text: string, message: string): Step | undefined {
  if (view.texts[index] === text) return undefined;
  return { at: index, remove: 1, insert: [text], anchor: index, message };
}

function replaceValueStep(view: View, index: number, value: string, message: string): Step | undefined {
  const line = view.info[index]!;
  const text = view.texts[index] ?? '';
  const separator = line.value === '' ? ' ' : '';
  return replaceLineStep(view, index, text.slice(0, line.valueStart) + separator + value + text.slice(line.valueEnd), message);
}

function scalarStep(view: View, entry: EntryNode, key: string, value: string): Step | undefined {
  const line = view.info[entry.line]!;
  // A value spread over more lines (or rendered by an action) is not one we can rewrite in place.
  if (entry.end !== entry.line || line.value === value) return undefined;
  const was = line.value === '' ? 'empty' : line.value;
  return replaceValueStep(view, entry.line, value, `istio-proxy: securityContext.${key} set to ${value} (was ${was})`);
}

function freshCapabilities(col: number, style: Style): string[] {
  return [`${pad(col)}capabilities:`, `${pad(col + style.step)}add:`, `${pad(col + style.step + style.dashOffset)}- ${NET_BIND_SERVICE}`];
}

function freshSecurityContext(col: number, style: Style, privileges: ProxyPrivileges): string[] {
  const inner = col + style.step;
  const lines = [`${pad(col)}securityContext:`];
  if (privileges.netBindService) lines.push(...freshCapabilities(inner, style));
  if (privileges.runAsRoot) lines.push(...ROOT_SETTINGS.map(([key, value]) => `${pad(inner)}${key}: ${value}`));
  return lines;
}

function grantFlowCapabilities(value: string): string | undefined {
  const entries = parseFlowMap(value);
  if (!entries) return undefined;
  const add = entries.find((entry) => entry.key === 'add');
  const newAdd = withFlowItemOnce(add ? add.value : '[]', NET_BIND_SERVICE);
  if (newAdd === undefined) return undefined;
  return setFlowEntry(entries, 'add', newAdd) ? renderFlowMap(entries) : value;
}

function grantFlowSecurityContext(value: string, privileges: ProxyPrivileges): string | undefined {
  const entries = parseFlowMap(value);
  if (!entries) return undefined;
  let changed = false;
  if (privileges.netBindService) {
    const capabilities = entries.find((entry) => entry.key === 'capabilities');
    const newCapabilities = grantFlowCapabilities(capabilities ? capabilities.value : '{}');
    if (newCapabilities === undefined) return undefined;
    changed = setFlowEntry(entries, 'capabilities', newCapabilities) || changed;
  }
  if (privileges.runAsRoot) {
    for (const [key, setting] of ROOT_SETTINGS) changed = setFlowEntry(entries, key, setting) || changed;
  }
  return changed ? renderFlowMap(entries) : value;
}

function flowValueStep(view: View, index: number, newValue: string | undefined, what: string): Step | undefined {
  const line = view.info[index]!;
  if (newValue === undefined || newValue === line.value) return undefined;
  return replaceValueStep(view, index, newValue, `istio-proxy: ${what} (was ${line.value})`);
}

function addListStep(view: View, add: EntryNode, style: Style): Step | undefined {
  const head = view.info[add.line]!;
  if (head.value !== '') {
    const newValue = head.value.startsWith('[') || head.value === 'null' ? withFlowItemOnce(head.value, NET_BIND_SERVICE) : undefined;
    return flowValueStep(view, add.line, newValue, `capabilities.add now holds ${NET_BIND_SERVICE} once`);
  }
  const list = bodyLevel(view.info, add, 'list', head.keyCol + style.dashOffset);
  if (!list) return undefined;
  const direct = list.nodes.filter((node): node is EntryNode => node.kind === 'entry' && node.key === NET_BIND_SERVICE);
  const duplicate = direct[1];
  if (duplicate) {
    return {
      at: duplicate.line,
      remove: duplicate.end - duplicate.line + 1,
      insert: [],
      anchor: duplicate.line,
      message: `istio-proxy: removed a duplicate ${NET_BIND_SERVICE} from capabilities.add`,
    };
  }
  return fillStep(view, list, {
    key: NET_BIND_SERVICE,
    fresh: (col) => [`${pad(col)}- ${NET_BIND_SERVICE}`],
    what: `${NET_BIND_SERVICE} to securityContext.capabilities.add`,
    blocks: () => true,
  });
}

function capabilitiesStep(view: View, capabilities: EntryNode, style: Style): Step | undefined {
  const head = view.info[capabilities.line]!;
  if (head.value !== '') {
    return flowValueStep(view, capabilities.line, grantFlowCapabilities(head.value), `${NET_BIND_SERVICE} added to capabilities`);
  }
  const body = bodyLevel(view.info, capabilities, 'map', head.keyCol + style.step);
  if (!body) return undefined;
  const localStyle = detectStyle(view.info, [[capabilities.line, capabilities.end]]);
  const dashOffset = entriesOf(body).some((entry) => view.info[entry.line]!.value === '') ? localStyle.dashOffset : style.dashOffset;
  // Keep the look of the sibling `drop: [ALL]` when it is written as a flow list.
  const flowLists = entriesOf(body).some((entry) => view.info[entry.line]!.value.startsWith('['));
  const step = fillStep(view, body, {
    key: 'add',
    fresh: (col) => (flowLists ? [`${pad(col)}add: [${NET_BIND_SERVICE}]`] : [`${pad(col)}add:`, `${pad(col + dashOffset)}- ${NET_BIND_SERVICE}`]),
    what: `${NET_BIND_SERVICE} to securityContext.capabilities.add`,
    blocks: () => true,
  });
  if (step) return step;
  for (const add of entriesNamed(body, 'add')) {
    const addStep = addListStep(view, add, { ...style, dashOffset });
    if (addStep) return addStep;
  }
  return undefined;
}

function securityContextStep(view: View, securityContext: EntryNode, style: Style, privileges: ProxyPrivileges): Step | undefined {
  const head = view.info[securityContext.line]!;
  if (head.value !== '') {
    return flowValueStep(view, securityContext.line, grantFlowSecurityContext(head.value, privileges), 'securityContext granted');
  }
  const body = bodyLevel(view.info, securityContext, 'map', head.keyCol + style.step);
  if (!body) return undefined;
  const localStyle: Style = { ...style, step: body.col > head.keyCol ? body.col - head.keyCol : style.step };
  if (privileges.netBindService) {
    const step =
      fillStep(view, body, {
        key: 'capabilities',
        fresh: (col) => freshCapabilities(col, localStyle),
        what: `securityContext.capabilities.add: [${NET_BIND_SERVICE}]`,
        blocks: () => true,
      }) ?? firstStep(entriesNamed(body, 'capabilities'), (entry) => capabilitiesStep(view, entry, localStyle));
    if (step) return step;
  }
  if (privileges.runAsRoot) {
    for (const [key, value] of ROOT_SETTINGS) {
      const step =
        firstStep(entriesNamed(body, key), (entry) => scalarStep(view, entry, key, value)) ??
        fillStep(view, body, {
          key,
          fresh: (col) => [`${pad(col)}${key}: ${value}`],
          what: `securityContext.${key}: ${value}`,
          blocks: () => true,
        });
      if (step) return step;
    }
  }
  return undefined;
}

function firstStep<T>(items: readonly T[], stepFor: (item: T) => Step | undefined): Step | undefined {
  for (const item of items) {
    const step = stepFor(item);
    if (step) return step;
  }
  return undefined;
}

interface ContainerItem {
  item: EntryNode;
  mapping: Level;
}

function proxyContainers(info: readonly LineInfo[]): ContainerItem[] {
  return blockListsUnder(info, ['containers', 'initContainers']).flatMap(({ list }) =>
    entriesOf(list).flatMap((item) => {
      if (itemField(info, item, 'name') !== PROXY_CONTAINER) return [];
      const mapping = itemMapping(info, item);
      return mapping ? [{ item, mapping }] : [];
    }),
  );
}

function containerStep(view: View, container: ContainerItem, privileges: ProxyPrivileges): Step | undefined {
  const { item, mapping } = container;
  const style = detectStyle(view.info, [
    [item.line, item.end],
    [0, view.info.length - 1],
  ]);
  // Container-level actions like `{{with .Values.global.imagePullPolicy}}imagePullPolicy: ...{{end}}`
  // are common and harmless; only one that may print a securityContext stops us adding ours.
  const mayPrintSecurityContext = (line: number): boolean => /securitycontext/i.test(view.texts[line] ?? '');
  return (
    fillStep(view, mapping, {
      key: 'securityContext',
      fresh: (col) => freshSecurityContext(col, style, privileges),
      what: 'a securityContext',
      blocks: mayPrintSecurityContext,
    }) ??
    firstStep(entriesNamed(mapping, 'securityContext'), (entry) => securityContextStep(view, entry, style, privileges))
  );
}

function nextPrivilegeStep(doc: LineDoc, privileges: ProxyPrivileges): Step | undefined {
  const texts = doc.lines.map((line) => line.text);
  const view: View = { info: classifyLines(texts), texts };
  return firstStep(proxyContainers(view.info), (container) => containerStep(view, container, privileges));
}

function originalLineNumber(doc: LineDoc, index: number): number {
  for (let i = Math.min(index, doc.lines.length - 1); i >= 0; i--) {
    const origin = doc.lines[i]?.origin;
    if (origin !== undefined) return origin + 1;
  }
  return 1;
}

function applyStep(doc: LineDoc, step: Step): void {
  const removed = doc.lines.slice(step.at, step.at + step.remove);
  const neighbour = removed[0] ?? doc.lines[step.at - 1] ?? doc.lines[step.at];
  const eol = neighbour?.eol || doc.defaultEol;
  const added: TextLine[] = step.insert.map((text, index) => ({
    text,
    eol,
    origin: index === 0 ? removed[0]?.origin : undefined,
  }));
  const endsDoc = step.at + step.remove >= doc.lines.length;
  const previous = doc.lines[step.at - 1];
  if (endsDoc) {
    // Keep "no newline at the end of the text" true after adding or removing the last lines.
    const lastWasBare = (removed.length > 0 ? removed[removed.length - 1]! : previous)?.eol === '';
    if (lastWasBare) {
      if (previous && removed.length === 0) previous.eol = doc.defaultEol;
      const newLast = added[added.length - 1] ?? previous;
      if (newLast) newLast.eol = '';
    }
  }
  doc.lines.splice(step.at, step.remove, ...added);
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Removes every sysctl list item named in `sysctlNames` (block `- name: X` items in either key
 * order, flow items `{name: X, value: "0"}`); a list left empty becomes `sysctls: []`.
 */
export function removeSysctlsFromTemplate(text: string, sysctlNames: readonly string[]): TemplateEditResult {
  if (!mentionsAny(text, sysctlNames)) return { text, edits: [] };
  const doc = splitLines(text);
  const plan = planSysctlRemoval(
    doc.lines.map((line) => line.text),
    sysctlNames,
  );
  if (plan.edits.length === 0) return { text, edits: [] };
  plan.edits.sort((a, b) => a.line - b.line);
  return { text: applyLinePlan(doc, plan), edits: plan.edits };
}

/**
 * Grants the `istio-proxy` container `NET_BIND_SERVICE` and/or root in every Go branch of its
 * securityContext, adding a securityContext when it has none. Other containers are left alone.
 */
export function grantProxyPrivilegesInTemplate(text: string, privileges: ProxyPrivileges): TemplateEditResult {
  if (!privileges.netBindService && !privileges.runAsRoot) return { text, edits: [] };
  if (!text.includes(PROXY_CONTAINER)) return { text, edits: [] };
  const doc = splitLines(text);
  const edits: TemplateEdit[] = [];
  for (let count = 0; ; count++) {
    if (count >= MAX_PRIVILEGE_STEPS) throw new Error('granting istio-proxy privileges did not settle');
    const step = nextPrivilegeStep(doc, privileges);
    if (!step) break;
    edits.push({ line: originalLineNumber(doc, step.anchor), message: step.message });
    applyStep(doc, step);
  }
  return edits.length === 0 ? { text, edits } : { text: joinLines(doc), edits };
}

/** Whether `removeSysctlsFromTemplate` would remove anything. */
export function templateHasSysctl(text: string, sysctlNames: readonly string[]): boolean {
  if (!mentionsAny(text, sysctlNames)) return false;
  const texts = splitLines(text).lines.map((line) => line.text);
  return planSysctlRemoval(texts, sysctlNames).edits.length > 0;
}

function mentionsAny(text: string, names: readonly string[]): boolean {
  return names.some((name) => name !== '' && text.includes(name));
}
