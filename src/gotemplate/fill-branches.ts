// Making one key render on every path through a level's Go branches, one step at a time. This is
// the privilege grant's one move, used for the securityContext itself, its capabilities, their
// `add` list and each root setting.
import type { LineInfo } from './classify-lines.js';
import { containsOpaque, entriesNamed, guaranteed, type CondNode, type EntryNode, type Level } from './levels.js';
import { leadingSpaces, pad } from './lines.js';
import type { Step, View } from './steps.js';

interface FillSpec {
  key: string;
  /** The lines of a new entry at a column. */
  fresh: (col: number) => string[];
  /** What the new entry grants, for messages. */
  what: string;
  /** Which opaque lines may render this key themselves (so we must not add it beside them). */
  blocks: (line: number) => boolean;
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
export function fillStep(view: View, level: Level, spec: FillSpec): Step | undefined {
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
