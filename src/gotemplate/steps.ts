// The privilege grant changes a template one step at a time: a step replaces, inserts or deletes
// whole lines at one place. After each step the structure is read again, so steps compose without
// tracking shifted line numbers; each line remembers its original number for the report.
import type { LineInfo } from './classify-lines.js';
import type { LineDoc, TextLine } from './lines.js';

/** One atomic change; the structure is read again after each, so changes compose. */
export interface Step {
  at: number;
  remove: number;
  insert: string[];
  /** Line the edit is reported at. */
  anchor: number;
  message: string;
}

/** The template as a step reads it: each line's text and what the line is, index for index. */
export interface View {
  info: LineInfo[];
  texts: string[];
}

function replaceLineStep(view: View, index: number, text: string, message: string): Step | undefined {
  if (view.texts[index] === text) return undefined;
  return { at: index, remove: 1, insert: [text], anchor: index, message };
}

export function replaceValueStep(view: View, index: number, value: string, message: string): Step | undefined {
  const line = view.info[index]!;
  const text = view.texts[index] ?? '';
  const separator = line.value === '' ? ' ' : '';
  return replaceLineStep(view, index, text.slice(0, line.valueStart) + separator + value + text.slice(line.valueEnd), message);
}

export function firstStep<T>(items: readonly T[], stepFor: (item: T) => Step | undefined): Step | undefined {
  for (const item of items) {
    const step = stepFor(item);
    if (step) return step;
  }
  return undefined;
}

export function originalLineNumber(doc: LineDoc, index: number): number {
  for (let i = Math.min(index, doc.lines.length - 1); i >= 0; i--) {
    const origin = doc.lines[i]?.origin;
    if (origin !== undefined) return origin + 1;
  }
  return 1;
}

export function applyStep(doc: LineDoc, step: Step): void {
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
