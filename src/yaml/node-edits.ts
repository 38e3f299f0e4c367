// Text patches computed from parsed nodes: remove list items or keys, set scalars, add keys and
// list items. Block collections are edited line by line in the document's own indentation. Flow
// collections (`[a, b]`, `{}`, JSON) are edited in place too: an entry is cut out with its comma,
// a new one goes in after the last, and every other entry keeps its text, so a value such as
// `2024-01-01` is never read and written back as something else (a timestamp). In a JSON document
// what goes in is JSON, so that `kubectl get -o json` output stays JSON.
import { isAlias, isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import type { EditableDocument } from './editable-document.js';
import { renderPlain } from './render-plain.js';
import { columnAt, endOfLastLine, indentText, lineEndAt, lineStartAt, type Patch } from './source-text.js';

type Range = [number, number, number];

export class UnsupportedYamlError extends Error {
  constructor(
    message: string,
    /** offset in the document's text as it was when the edit was refused */
    readonly position: number,
    /** how to fix it, when the message does not end with that already */
    readonly fix?: string,
  ) {
    super(message);
  }
}

function rangeOf(node: Node): Range {
  if (!node.range) throw new Error('node without a source range');
  return node.range as Range;
}

/** The pair of `map` whose key is `key`; refuses aliases and merge keys we would edit through. */
export function findPair(map: YAMLMap, key: string): Pair<Node, Node | null> | undefined {
  let merge: Pair | undefined;
  for (const pair of map.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    if (pair.key.value === key) {
      const value = pair.value as Node | null;
      if (value && isAlias(value)) {
        throw new UnsupportedYamlError(
          `"${key}" is a YAML alias (*${value.source}); gateway-compat will not edit through an alias, because the change would also apply to every other use of the anchor. Expand the alias in this document`,
          rangeOf(value)[0],
        );
      }
      return pair as Pair<Node, Node | null>;
    }
    // YAML 1.1 (our parse mode) reads a merge key as Symbol(<<), YAML 1.2 as the string '<<'.
    if (pair.key.value === '<<' || (typeof pair.key.value === 'symbol' && pair.key.value.description === '<<')) merge = pair;
  }
  if (merge) {
    throw new UnsupportedYamlError(
      `this mapping takes keys from a YAML merge key (<<), so "${key}" may come from an anchor elsewhere; gateway-compat will not guess. Write the keys out in this document`,
      rangeOf(merge.key as Node)[0],
    );
  }
  return undefined;
}

export function mapAt(map: YAMLMap, key: string): YAMLMap | undefined {
  const value = findPair(map, key)?.value;
  return value && isMap(value) ? value : undefined;
}

export function seqAt(map: YAMLMap, key: string): YAMLSeq | undefined {
  const value = findPair(map, key)?.value;
  return value && isSeq(value) ? value : undefined;
}

export function stringAt(map: YAMLMap | undefined, key: string): string | undefined {
  if (!map) return undefined;
  const value = findPair(map, key)?.value;
  if (!value || !isScalar(value) || value.value === null || value.value === undefined) return undefined;
  return String(value.value);
}

export function mapIn(map: YAMLMap, path: readonly string[]): YAMLMap | undefined {
  let current: YAMLMap | undefined = map;
  for (const key of path) {
    current = current && mapAt(current, key);
    if (!current) return undefined;
  }
  return current;
}

/** Where a block list item begins: the line of its `-` indicator. */
function itemLineStart(text: string, itemStart: number): number {
  let position = itemStart - 1;
  while (position >= 0 && text[position] !== '-') position--;
  return lineStartAt(text, Math.max(position, 0));
}

/** Where a flow mapping's pair starts and ends in the text. */
function pairSpan(pair: Pair<Node, Node | null>): [number, number] {
  const [start, keyEnd] = rangeOf(pair.key);
  return [start, pair.value ? rangeOf(pair.value)[1] : keyEnd];
}

/** The offset of a flow collection's closing bracket. */
function closingBracket(ed: EditableDocument, collection: YAMLMap | YAMLSeq): number {
  return ed.source.lastIndexOf(collection.flow && isSeq(collection) ? ']' : '}', rangeOf(collection)[1]);
}

/**
 * Cuts the `dropped` entries (of `spans`) out of a flow collection with one comma each: a run of
 * them up to the entry after it, or, at the end, from the entry before it. The rest keeps its text
 * and layout; nothing left is `[]` / `{}`.
 */
function removeFromFlow(
  ed: EditableDocument,
  collection: YAMLMap | YAMLSeq,
  spans: readonly (readonly number[])[],
  dropped: readonly boolean[],
): Patch[] {
  if (dropped.every(Boolean)) return [{ start: rangeOf(collection)[0] + 1, end: closingBracket(ed, collection), text: '' }];
  const patches: Patch[] = [];
  for (let first = 0; first < spans.length; first++) {
    if (!dropped[first]) continue;
    let last = first;
    while (last + 1 < spans.length && dropped[last + 1]) last++;
    const after = spans[last + 1];
    const before = spans[first - 1];
    if (after) patches.push({ start: spans[first]![0] as number, end: after[0] as number, text: '' });
    else patches.push({ start: before![1] as number, end: spans[last]![1] as number, text: '' });
    first = last;
  }
  return patches;
}

/**
 * Puts rendered entries into a flow collection after its last entry (inside an empty one): on a
 * line of their own at that entry's column when it sits on a line of its own (JSON from kubectl),
 * else after a comma on the same line.
 */
function insertIntoFlow(
  ed: EditableDocument,
  collection: YAMLMap | YAMLSeq,
  render: (indentUnit: number | undefined) => string[],
): Patch[] {
  const items = collection.items as (Node | Pair<Node, Node | null>)[];
  const last = items[items.length - 1];
  if (!last) {
    const close = closingBracket(ed, collection);
    return [{ start: close, end: close, text: render(undefined).join(', ') }];
  }
  const [lastStart, lastEnd] = isPair(last) ? pairSpan(last) : rangeOf(last);
  const lineStart = lineStartAt(ed.source, lastStart);
  if (ed.source.slice(lineStart, lastStart).trim() !== '')
    return [
      {
        start: lastEnd,
        end: lastEnd,
        text: render(undefined)
          .map((entry) => `, ${entry}`)
          .join(''),
      },
    ];
  const column = lastStart - lineStart;
  const openLine = lineStartAt(ed.source, rangeOf(collection)[0]);
  const openIndent = ed.source.slice(openLine).search(/\S/);
  const pad = ' '.repeat(column);
  const entries = render(Math.max(1, column - openIndent));
  return [{ start: lastEnd, end: lastEnd, text: entries.map((entry) => `,${ed.eol}${pad}${entry.replace(/\n/g, ed.eol + pad)}`).join('') }];
}

/**
 * A value written inside a flow collection: JSON in a JSON document; elsewhere yaml's flow style,
 * with a string that is not a plain word written as a JSON string (a block scalar cannot stand in
 * flow context, and a quoted string keeps its type).
 */
function renderInFlow(ed: EditableDocument, value: unknown, indentUnit?: number): string {
  if (ed.json) return JSON.stringify(value, null, indentUnit);
  if (typeof value === 'string') return /^[A-Za-z_][\w./-]*$/.test(value) ? renderScalar(value) : JSON.stringify(value);
  return value !== null && typeof value === 'object' ? renderFlow(value) : renderScalar(value);
}

/** A key written inside a flow mapping. */
function renderFlowKey(ed: EditableDocument, key: string): string {
  return ed.json ? JSON.stringify(key) : renderScalar(key);
}

/** Removes the items `drop` selects; returns no patch when nothing is dropped. */
export function removeSeqItems(ed: EditableDocument, seq: YAMLSeq, drop: (item: unknown) => boolean): Patch[] {
  const items = seq.items as Node[];
  const dropped = items.map((item) => drop(item));
  if (!dropped.includes(true)) return [];
  if (seq.flow)
    return removeFromFlow(
      ed,
      seq,
      items.map((item) => rangeOf(item)),
      dropped,
    );
  const patches: Patch[] = [];
  items.forEach((item, i) => {
    if (!dropped[i]) return;
    const start = itemLineStart(ed.source, rangeOf(item)[0]);
    const next = items[i + 1];
    const end = next ? itemLineStart(ed.source, rangeOf(next)[0]) : endOfLastLine(ed.source, rangeOf(item)[0], rangeOf(item)[1]);
    patches.push({ start, end, text: '' });
  });
  return patches;
}

/** Comment lines right above a key, at its indentation, belong to it and go with it. */
function startWithLeadingComments(text: string, keyStart: number): number {
  const indent = columnAt(text, keyStart);
  let start = lineStartAt(text, keyStart);
  while (start > 0) {
    const previous = lineStartAt(text, start - 1);
    const line = text.slice(previous, start);
    if (columnAt(text, previous + line.search(/\S/)) !== indent || !line.trimStart().startsWith('#')) break;
    start = previous;
  }
  return start;
}

export function removePair(ed: EditableDocument, map: YAMLMap, pair: Pair<Node, Node | null>): Patch[] {
  if (map.flow) {
    const pairs = map.items as Pair<Node, Node | null>[];
    return removeFromFlow(
      ed,
      map,
      pairs.map(pairSpan),
      pairs.map((other) => other === pair),
    );
  }
  const index = map.items.indexOf(pair);
  const keyStart = rangeOf(pair.key)[0];
  if (/-\s*$/.test(ed.source.slice(lineStartAt(ed.source, keyStart), keyStart))) {
    throw new Error('removing the first key of a list item is not supported');
  }
  const start = startWithLeadingComments(ed.source, keyStart);
  const next = map.items[index + 1] as Pair<Node, Node | null> | undefined;
  const end = next
    ? startWithLeadingComments(ed.source, rangeOf(next.key)[0])
    : endOfLastLine(ed.source, keyStart, pair.value ? rangeOf(pair.value)[1] : rangeOf(pair.key)[1]);
  return [{ start, end, text: '' }];
}

/** Replaces a key's whole value (block or flow) with `inline`, keeping the key's line. */
export function replaceValueInline(ed: EditableDocument, pair: Pair<Node, Node | null>, inline: string): Patch[] {
  const colon = ed.source.indexOf(':', rangeOf(pair.key)[1]);
  if (!pair.value) return [{ start: colon + 1, end: colon + 1, text: ` ${inline}` }];
  const [valueStart, valueEnd] = rangeOf(pair.value);
  const block = !isScalar(pair.value) && !(pair.value as YAMLMap | YAMLSeq).flow;
  const end = block ? endOfLastLine(ed.source, valueStart, valueEnd) : valueEnd;
  return [{ start: colon + 1, end, text: ` ${inline}${block ? ed.eol : ''}` }];
}

export function renderScalar(value: unknown): string {
  return renderPlain(value, { version: '1.1', lineWidth: 0 }).trimEnd();
}

/** Block YAML in the list style of the mapping it goes into (or of the document, failing that). */
function renderBlock(value: Record<string, unknown> | unknown[], ed: EditableDocument, context: Node): string {
  const [start, , end] = rangeOf(context);
  const indentSeq = usesIndentedSequences(ed.source.slice(lineStartAt(ed.source, start), end)) ?? usesIndentedSequences(ed.source) ?? false;
  return renderPlain(value, { version: '1.1', lineWidth: 0, indentSeq });
}

function renderFlow(value: unknown): string {
  return renderPlain(value, { version: '1.1', lineWidth: 0, collectionStyle: 'flow' }).trimEnd();
}

/** Helm charts write `key:\n- item`; ruamel and kubectl write `key:\n  - item`. Follow the text. */
function usesIndentedSequences(text: string): boolean | undefined {
  const match = /^( *)[^\s#-][^\n]*:[ \t]*\r?\n( *)- /m.exec(text);
  return match ? (match[2]?.length ?? 0) > (match[1]?.length ?? 0) : undefined;
}

/** `inFlow`: the scalar sits in a flow collection (so it is written as renderInFlow does). */
export function setScalar(ed: EditableDocument, node: Node, value: unknown, inFlow = false): Patch[] {
  const [start, end] = rangeOf(node);
  return [{ start, end, text: inFlow || ed.json ? renderInFlow(ed, value) : renderScalar(value) }];
}

/** A value that replaces another after `key: `, in the style of the mapping that holds it. */
function renderInline(ed: EditableDocument, value: unknown, inFlow: boolean): string {
  if (inFlow || ed.json) return renderInFlow(ed, value);
  return value !== null && typeof value === 'object' ? renderFlow(value) : renderScalar(value);
}

/** Adds keys to a mapping: after its last entry for block style, rewritten for flow style. */
export function addToMap(ed: EditableDocument, map: YAMLMap, entries: Record<string, unknown>): Patch[] {
  const [start] = rangeOf(map);
  if (map.flow) {
    return insertIntoFlow(ed, map, (unit) =>
      Object.entries(entries).map(([key, value]) => `${renderFlowKey(ed, key)}: ${renderInFlow(ed, value, unit)}`),
    );
  }
  const last = map.items[map.items.length - 1] as Pair<Node, Node | null>;
  const lastEnd = last.value ? rangeOf(last.value)[1] : rangeOf(last.key)[1];
  const at = endOfLastLine(ed.source, start, lastEnd);
  const lead = at === ed.source.length && !ed.source.endsWith('\n') ? ed.eol : '';
  return [{ start: at, end: at, text: lead + indentText(renderBlock(entries, ed, map), keyColumn(ed.source, start), ed.eol) }];
}

/**
 * The column a block mapping's keys sit at. yaml's range starts after the first key's tag or
 * anchor (`- !!str name: x`, `- &a name: x`), but the next keys line up with those properties.
 */
function keyColumn(source: string, start: number): number {
  const before = source.slice(source.lastIndexOf('\n', start - 1) + 1, start);
  const properties = /(?:[!&]\S*[ \t]+)+$/.exec(before);
  return columnAt(source, start) - (properties ? properties[0].length : 0);
}

/** Gives a key that has no value (`key:`) a block mapping. */
export function fillEmptyValue(ed: EditableDocument, pair: Pair<Node, Node | null>, value: Record<string, unknown>): Patch[] {
  const keyStart = rangeOf(pair.key)[0];
  const colon = ed.source.indexOf(':', rangeOf(pair.key)[1]);
  const end = lineEndAt(ed.source, colon);
  return [
    {
      start: colon + 1,
      end,
      text: ed.eol + indentText(renderBlock(value, ed, pair.key as Node), keyColumn(ed.source, keyStart) + 2, ed.eol),
    },
  ];
}

export function appendToSeq(ed: EditableDocument, seq: YAMLSeq, values: unknown[]): Patch[] {
  if (seq.flow || seq.items.length === 0) return insertIntoFlow(ed, seq, (unit) => values.map((value) => renderInFlow(ed, value, unit)));
  const items = seq.items as Node[];
  const lastItem = items[items.length - 1] as Node;
  const at = endOfLastLine(ed.source, rangeOf(lastItem)[0], rangeOf(lastItem)[1]);
  const firstItemLine = itemLineStart(ed.source, rangeOf(items[0] as Node)[0]);
  const dashColumn = ed.source.indexOf('-', firstItemLine) - firstItemLine;
  const lead = at === ed.source.length && !ed.source.endsWith('\n') ? ed.eol : '';
  return [
    {
      start: at,
      end: at,
      text: lead + indentText(renderPlain(values, { version: '1.1', lineWidth: 0 }), dashColumn, ed.eol),
    },
  ];
}

/** A list that must contain these values (added once, order kept). */
export class Union {
  constructor(readonly values: readonly unknown[]) {}
}

/**
 * What a mapping must contain. A nested object is merged key by key; a Union is a list that must
 * hold these values; an array is a default, set only when the key is absent (the user's list wins).
 */
export type Desired = { [key: string]: Desired | Union | readonly unknown[] | string | number | boolean | null };

/**
 * The patches that make `map` contain `desired`, computed in one pass over the parsed tree, or
 * none when it already does. Patches inside a child come before an insertion at the end of its
 * parent, so that two insertions at the same offset land in the right order.
 */
export function mergePatches(ed: EditableDocument, map: YAMLMap, desired: Desired, inFlow = false): Patch[] {
  if (map.flow && map.items.length === 0 && !inFlow && !ed.json) {
    const block = emptyFlowMapAsBlock(ed, map, desired);
    if (block) return block;
  }
  const flow = Boolean(map.flow);
  const patches: Patch[] = [];
  const missing: Record<string, unknown> = {};
  for (const [key, want] of Object.entries(desired)) {
    const pair = findPair(map, key);
    if (!pair) {
      missing[key] = toPlainValue(want);
      continue;
    }
    const value = pair.value;
    if (Array.isArray(want)) continue;
    if (want instanceof Union) {
      if (!value || !isSeq(value)) {
        patches.push(...replaceValueInline(ed, pair, renderInline(ed, [...want.values], flow)));
        continue;
      }
      const present = (value.toJSON() as unknown[]).map(String);
      const absent = want.values.filter((v) => !present.includes(String(v)));
      if (absent.length > 0) patches.push(...appendToSeq(ed, value, absent));
      continue;
    }
    if (isDesiredMap(want)) {
      const empty = !value || (isScalar(value) && (value.value === null || value.value === undefined));
      if (empty && !flow) {
        patches.push(...fillEmptyValue(ed, pair, toPlain(want)));
      } else if (!value || !isMap(value)) {
        patches.push(...replaceValueInline(ed, pair, renderInline(ed, toPlain(want), flow)));
      } else {
        patches.push(...mergePatches(ed, value, want, flow));
      }
      continue;
    }
    if (!value || !isScalar(value) || value.value !== want) {
      patches.push(...(value ? setScalar(ed, value, want, flow) : replaceValueInline(ed, pair, renderInline(ed, want, flow))));
    }
  }
  if (Object.keys(missing).length > 0) patches.push(...addToMap(ed, map, missing));
  return patches;
}

/**
 * `key: {}` in a block mapping (a Sail `spec.values: {}`): what goes in may be a multi-line
 * template, which a flow mapping cannot hold at that indentation; it becomes a block mapping.
 */
function emptyFlowMapAsBlock(ed: EditableDocument, map: YAMLMap, desired: Desired): Patch[] | undefined {
  const [start] = rangeOf(map);
  const lineStart = ed.source.lastIndexOf('\n', start - 1) + 1;
  const prefix = ed.source.slice(lineStart, start);
  if (!/^[ \t]*(?:- )?[^{}[\],#]*:[ \t]*$/.test(prefix)) return undefined;
  const indent = prefix.length - prefix.trimStart().length + (prefix.trimStart().startsWith('- ') ? 2 : 0);
  const colon = lineStart + prefix.lastIndexOf(':');
  return [
    {
      start: colon + 1,
      end: closingBracket(ed, map) + 1,
      text: ed.eol + indentText(renderBlock(toPlain(desired), ed, map), indent + 2, ed.eol).replace(/(\r?\n)$/, ''),
    },
  ];
}

function isDesiredMap(value: Desired[string]): value is Desired {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Union);
}

function toPlainValue(value: Desired[string]): unknown {
  if (value instanceof Union) return [...value.values];
  return isDesiredMap(value) ? toPlain(value) : value;
}

export function toPlain(desired: Desired): Record<string, unknown> {
  return Object.fromEntries(Object.entries(desired).map(([key, value]) => [key, toPlainValue(value)]));
}
