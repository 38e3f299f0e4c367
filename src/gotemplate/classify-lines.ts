// What each line of a template is: blank, a comment, a Go action line (`directive`), YAML content
// (with its key, `- ` indicators and inline value), a line inside a block scalar or an open flow
// collection (`literal`), or the rest of an action that started on an earlier line
// (`continuation`). The structure and the edits read the template only through these kinds, so
// text that merely looks like YAML (inside `|` blocks, or `toYaml` output) is never taken for keys.
import { findActionClose, scanActions, type Control } from './go-actions.js';
import { flowDepth } from './flow.js';
import { leadingSpaces } from './lines.js';
import { findYamlQuoteEnd, startsYamlToken, unquote } from './yaml-quotes.js';

type LineKind = 'blank' | 'comment' | 'directive' | 'content' | 'literal' | 'continuation';

export interface LineInfo {
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

/**
 * Classifies a template's lines from the first on, one chunk at a time: a line and the lines it
 * takes in (the rest of a multi-line action, a block scalar's or an open flow collection's body).
 * A chunk's kinds depend only on the lines before it and its own, so the lines classified after
 * any number of steps are exactly the same prefix of what `classifyLines` returns; an edit that
 * can prove it needs no line past some point stops there (remove-sysctls.ts).
 */
export class LineClassifier {
  readonly infos: LineInfo[] = [];

  constructor(private readonly texts: readonly string[]) {}

  get done(): boolean {
    return this.infos.length >= this.texts.length;
  }

  /** Classifies the next chunk; returns the index of its first line. */
  step(): number {
    const { texts, infos } = this;
    const i = infos.length;
    const text = texts[i] ?? '';
    const trimmed = text.trim();
    const indent = leadingSpaces(text);
    if (trimmed === '') {
      infos.push(baseInfo('blank', indent));
      return i;
    }
    if (trimmed.startsWith('#')) {
      infos.push(baseInfo('comment', indent));
      return i;
    }
    // An action may run over several lines (`{{- toJsonMap` ... `| nindent 8 }}`): read it whole.
    let last = i;
    let source = text;
    let scan = scanActions(source);
    while (scan.unclosed && last + 1 < texts.length) {
      last++;
      const next = texts[last] ?? '';
      source += '\n' + next;
      // Only a line holding `}}` can close the open action (the scanner reads left to right and an
      // action ends at a `}}`), so the lines before it need no new scan of the whole action: a
      // `toJsonMap (...)` over 20 lines is scanned twice, not 20 times. The last line is scanned
      // whatever it holds, for the results of the unclosed whole.
      if (next.includes('}}') || last + 1 === texts.length) scan = scanActions(source);
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
    if (info.kind === 'content') markLiteralLines(texts, infos, last, info);
    return i;
  }
}

export function classifyLines(texts: readonly string[]): LineInfo[] {
  const classifier = new LineClassifier(texts);
  while (!classifier.done) classifier.step();
  return classifier.infos;
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
