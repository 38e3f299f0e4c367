// Position arithmetic on source text: the edits we make are whole-line edits wherever possible,
// because removing or inserting whole lines cannot disturb the bytes of the lines around them.

export function lineStartAt(text: string, position: number): number {
  return text.lastIndexOf('\n', position - 1) + 1;
}

/** Offset just past the newline that ends the line holding `position` (or the text's end). */
export function lineEndAt(text: string, position: number): number {
  const newline = text.indexOf('\n', position);
  return newline === -1 ? text.length : newline + 1;
}

export function columnAt(text: string, position: number): number {
  return position - lineStartAt(text, position);
}

/** 1-based line and column, for messages a person reads. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) line++;
  return { line, column: columnAt(text, position) + 1 };
}

/**
 * End of the last line a node's source touches. `valueEnd` may sit just past a newline already,
 * or past the indentation of the next line (when a deeper comment closes the node): step back over
 * that indentation, or the next line would be taken into the edit.
 */
export function endOfLastLine(text: string, nodeStart: number, nodeEnd: number): number {
  let last = Math.max(nodeStart, nodeEnd - 1);
  while (last > nodeStart && (text.charCodeAt(last) === 0x20 || text.charCodeAt(last) === 0x09)) last--;
  return text.charCodeAt(last) === 0x0a ? last + 1 : lineEndAt(text, last);
}

export function indentText(block: string, indent: number, eol: string): string {
  const pad = ' '.repeat(indent);
  return block
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line === '' ? '' : pad + line))
    .join(eol)
    .concat(eol);
}

export interface Patch {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Applies non-overlapping patches; patches at the same offset keep the order they were given in. */
export function applyPatches(text: string, patches: readonly Patch[]): string {
  const ordered = patches.map((patch, order) => ({ patch, order }));
  ordered.sort((a, b) => a.patch.start - b.patch.start || a.order - b.order);
  let result = '';
  let cursor = 0;
  for (const { patch } of ordered) {
    if (patch.start < cursor) throw new Error(`overlapping edits at offset ${patch.start}`);
    result += text.slice(cursor, patch.start) + patch.text;
    cursor = patch.end;
  }
  return result + text.slice(cursor);
}
