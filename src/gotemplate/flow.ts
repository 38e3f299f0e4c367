// Flow collections written on one line: `[a, b]` and `{k: v}`. Block edits cannot reach inside
// them, so sysctl removal and the privilege grant read their items and rewrite them whole; line
// classification uses the bracket depth to find where a collection left open at a line's end stops.
import { findActionClose } from './go-actions.js';
import { findYamlQuoteEnd, startsYamlToken, unquote } from './yaml-quotes.js';

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

export function flowDepth(text: string): number {
  let depth = 0;
  walkFlow(text, (ch) => {
    if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
  });
  return depth;
}

/** The top-level items of a one-line flow collection, or undefined if it is not one. */
export function splitFlowCollection(value: string, open: '[' | '{'): string[] | undefined {
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

export function parseFlowMap(value: string): FlowEntry[] | undefined {
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

export function flowMapGet(value: string, key: string): string | undefined {
  const entry = parseFlowMap(value)?.find((candidate) => candidate.key === key);
  return entry ? unquote(entry.value) : undefined;
}

/** Sets `key` in a parsed flow map; returns whether anything changed. */
export function setFlowEntry(entries: FlowEntry[], key: string, value: string): boolean {
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

export function renderFlowMap(entries: readonly FlowEntry[]): string {
  return `{${entries.map((entry) => entry.raw).join(', ')}}`;
}

/** `[...]` holding `item` exactly once, the original text when it already does. */
export function withFlowItemOnce(value: string, item: string): string | undefined {
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
