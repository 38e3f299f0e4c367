// Removing named sysctls from a template's `sysctls:` lists, block or flow. Removal only deletes
// or rewrites lines, never inserts, so it is planned in one pass over the original lines (whose
// numbers are the ones reported) and then applied.
import { LineClassifier, type LineInfo } from './classify-lines.js';
import { flowMapGet, splitFlowCollection } from './flow.js';
import { blockListsUnder, containsOpaque, endsEntry, entriesOf, itemField, type EntryNode, type Level } from './levels.js';
import { joinLines, splitLines, type LineDoc, type TextLine } from './lines.js';
import type { TemplateEdit, TemplateEditResult } from './types.js';
import { isNamedSysctl, mightMentionSysctl } from '../kube/sysctl-names.js';

export interface LinePlan {
  deletions: Set<number>;
  replacements: Map<number, string>;
  edits: TemplateEdit[];
}

/**
 * The classified lines the removal needs, from the first: classifying is most of the edit's time,
 * and Istio's gateway templates put `sysctls:` in their first fifth (it was ~40% of the transform
 * of the istiod chart's render). Classifying only a prefix is exact (LineClassifier), and this one
 * is enough:
 * - the plan starts only from lines whose key is `sysctls`, and `unquote` yields that key only
 *   from a line that spells `sysctls` or holds a `\` escape: none lies past the last such line;
 * - a flow `sysctls: [...]` is read from its own line; a block `sysctls:` key's reading (its
 *   entry's extent, the Go `end`s closing after it, an opaque action after its list) stops at the
 *   first content line that ends its entry, so a content line that ends every one of them is the
 *   last line any of them reads.
 */
export function classifySysctlRegion(texts: readonly string[]): LineInfo[] {
  let lastMention = -1;
  for (let i = texts.length - 1; i >= 0; i--) {
    const text = texts[i]!;
    if (text.includes('sysctls') || text.includes('\\')) {
      lastMention = i;
      break;
    }
  }
  const classifier = new LineClassifier(texts);
  while (!classifier.done && classifier.infos.length <= lastMention) classifier.step();
  const keyCols = classifier.infos
    .filter((line) => line.kind === 'content' && line.key === 'sysctls' && line.value === '')
    .map((line) => line.keyCol);
  if (keyCols.length === 0) return classifier.infos;
  while (!classifier.done) {
    const line = classifier.infos[classifier.step()]!;
    if (line.kind === 'content' && keyCols.every((col) => endsEntry(line, col, 'map'))) break;
  }
  return classifier.infos;
}

/** The plan, from `info` (the whole template classified, or the part classifySysctlRegion proves enough). */
export function planSysctlRemoval(texts: readonly string[], names: readonly string[], info = classifySysctlRegion(texts)): LinePlan {
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
  const doomed = items.filter((item) => isNamedSysctl(itemField(info, item, 'name'), names));
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
      (line.kind === 'directive' && line.controls.length > 0) || (line.kind === 'continuation' && !deletions.has(line.head));
    if (!keepsControl) deletions.add(j);
  }
}

function planFlowListRemoval(text: string, line: LineInfo, index: number, names: readonly string[], plan: LinePlan): void {
  const items = splitFlowCollection(line.value, '[');
  if (!items) return;
  const removedNames: string[] = [];
  const kept = items.filter((item) => {
    const name = item.startsWith('{') ? flowMapGet(item, 'name') : undefined;
    if (name === undefined || !isNamedSysctl(name, names)) return true;
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

/** Whether `removeSysctlsFromTemplate` would remove anything. */
export function templateHasSysctl(text: string, sysctlNames: readonly string[]): boolean {
  if (!mentionsAny(text, sysctlNames)) return false;
  const texts = splitLines(text).lines.map((line) => line.text);
  return planSysctlRemoval(texts, sysctlNames).edits.length > 0;
}

function mentionsAny(text: string, names: readonly string[]): boolean {
  return mightMentionSysctl(text, names);
}
