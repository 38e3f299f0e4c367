// The YAML structure of a template, with Go branches in it: a level is the entries of one mapping
// or list at one column, and a Go `if`/`else`/`end` inside it is a node whose branches are
// alternative levels. A level is only built where the Go blocks nest inside it, so an edit always
// knows which branch it lands in. The queries here say which entries a level holds, whether a key
// renders on every path, and what an opaque action (`toYaml` of user values) may add.
import type { LineInfo } from './classify-lines.js';
import { flowMapGet } from './flow.js';
import { unquote } from './yaml-quotes.js';

export interface EntryNode {
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

export interface CondNode {
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
export interface Level {
  col: number;
  /** The line the level hangs from: the parent key, a list item's dash line, or a branch's control line. */
  header: number;
  nodes: LevelNode[];
}

/** Whether a content line ends the entry (map) or item (list) at column `col` that precedes it. */
export function endsEntry(line: LineInfo, col: number, mode: 'map' | 'list'): boolean {
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
  const root: Level = { col, header, nodes: [] };
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
            branches: [{ col, header: i, nodes: [] }],
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
            cond.branches.push({ col, header: i, nodes: [] });
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

export function entriesOf(level: Level): EntryNode[] {
  return level.nodes.flatMap((node) => {
    if (node.kind === 'entry') return [node];
    if (node.kind === 'cond') return node.branches.flatMap(entriesOf);
    return [];
  });
}

export function entriesNamed(level: Level, key: string): EntryNode[] {
  return entriesOf(level).filter((entry) => entry.key === key);
}

export function containsOpaque(level: Level, blocks: (line: number) => boolean): boolean {
  return level.nodes.some(
    (node) =>
      (node.kind === 'opaque' && blocks(node.line)) ||
      (node.kind === 'cond' && node.branches.some((branch) => containsOpaque(branch, blocks))),
  );
}

/** True when `key` is rendered at this level on every path through its Go branches. */
export function guaranteed(level: Level, key: string): boolean {
  return level.nodes.some(
    (node) =>
      (node.kind === 'entry' && node.key === key) ||
      (node.kind === 'cond' && node.exhaustive && node.branches.every((branch) => guaranteed(branch, key))),
  );
}

export function firstContentLine(info: readonly LineInfo[], from: number, to: number): number | undefined {
  for (let j = from; j <= to; j++) if (info[j]!.kind === 'content') return j;
  return undefined;
}

/** The level under a `key:` entry; `fallbackCol` when the entry has no lines under it yet. */
export function bodyLevel(info: readonly LineInfo[], entry: EntryNode, mode: 'map' | 'list', fallbackCol: number): Level | undefined {
  const first = firstContentLine(info, entry.line + 1, entry.end);
  const firstLine = first === undefined ? undefined : info[first]!;
  if (firstLine && firstLine.dash !== (mode === 'list')) return undefined;
  const col = firstLine ? firstLine.indent : fallbackCol;
  return parseLevel(info, entry.line + 1, entry.end, col, mode, entry.line, false);
}

/** The block list under each `key:` line whose value is empty (`sysctls:`, `containers:`). */
export function blockListsUnder(info: readonly LineInfo[], keys: readonly string[]): Array<{ keyLine: number; list: Level }> {
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

export function itemMapping(info: readonly LineInfo[], item: EntryNode): Level | undefined {
  const col = itemMappingCol(info, item);
  if (col === undefined) return undefined;
  const headIsEntry = info[item.line]!.key !== undefined;
  return parseLevel(info, item.line, item.end, col, 'map', item.line, headIsEntry);
}

/** The unquoted value of `field` in a list item written as a block or a flow mapping. */
export function itemField(info: readonly LineInfo[], item: EntryNode, field: string): string | undefined {
  const head = info[item.line]!;
  if (head.key === undefined && head.value.startsWith('{')) return flowMapGet(head.value, field);
  const mapping = itemMapping(info, item);
  const entry = mapping?.nodes.find((node): node is EntryNode => node.kind === 'entry' && node.key === field);
  return entry ? unquote(info[entry.line]!.value) : undefined;
}
