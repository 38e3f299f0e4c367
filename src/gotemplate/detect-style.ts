// The indentation a template already uses (spaces per mapping level, where `- ` sits under its
// key), so the lines the privilege grant adds look like the lines around them.
import type { LineInfo } from './classify-lines.js';
import { firstContentLine } from './levels.js';

export interface Style {
  /** Spaces per nesting level of mappings. */
  step: number;
  /** Where `- item` sits relative to its key: 0 for `key:\n- item`, 2 for `key:\n  - item`. */
  dashOffset: number;
}

export function detectStyle(info: readonly LineInfo[], ranges: ReadonlyArray<readonly [number, number]>): Style {
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
