// Changing a long string held in a `|` block scalar (injection templates, the injector's
// data.config) without rewriting it: each content line of a literal block maps to one source line,
// so a line diff between the old and new value tells exactly which source lines to drop or add,
// and every other line keeps its bytes.
import { diffArrays } from 'diff';
import { Scalar } from 'yaml';
import { columnAt, endOfLastLine, lineEndAt, type Patch } from './source-text.js';

function contentIndent(lines: readonly string[], fallback: number): number {
  for (const line of lines) {
    const text = line.replace(/\r?\n$/, '');
    if (text.trim() !== '') return text.length - text.trimStart().length;
  }
  return fallback;
}

function splitKeepingNewlines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * A patch that turns the string `node` (found in `source`) into `value`. `keyColumn` is the column
 * of the key that owns it, used when the string has to be written anew as a block scalar.
 * `inFlow`: the string sits in a flow collection (`{...}`, JSON from `kubectl get -o json`), where
 * no block scalar may stand; it is written as a JSON string, which YAML reads the same and which
 * keeps a JSON document JSON.
 */
export function replaceStringValue(source: string, node: Scalar, value: string, keyColumn: number, eol: string, inFlow = false): Patch {
  const [start, valueEnd] = node.range as [number, number, number];
  if (node.type === Scalar.BLOCK_LITERAL && typeof node.value === 'string') {
    const contentStart = lineEndAt(source, start);
    const contentEnd = Math.max(contentStart, endOfLastLine(source, start, valueEnd));
    const sourceLines = splitKeepingNewlines(source.slice(contentStart, contentEnd));
    const indent = ' '.repeat(contentIndent(sourceLines, keyColumn + 2));
    let sourceIndex = 0;
    let text = '';
    for (const part of diffArrays(node.value.split('\n'), value.split('\n'))) {
      for (const line of part.value) {
        if (part.added) {
          text += line === '' ? eol : indent + line + eol;
          continue;
        }
        // An old line (kept or removed) consumes its source line, if the block has one for it:
        // the value's final "" after its last newline has none.
        const sourceLine = sourceIndex < sourceLines.length ? sourceLines[sourceIndex++] : undefined;
        if (!part.removed && sourceLine !== undefined) text += sourceLine;
      }
    }
    text += sourceLines.slice(sourceIndex).join('');
    // A block that ends the text without a final line break must still end without one.
    if (!source.slice(contentStart, contentEnd).endsWith('\n') && text.endsWith(eol)) text = text.slice(0, -eol.length);
    return { start: contentStart, end: contentEnd, text };
  }
  if (inFlow) return { start, end: valueEnd, text: JSON.stringify(value) };
  return { start, end: endOfLastLine(source, start, valueEnd), text: renderLiteralBlock(value, keyColumn + 2, eol) };
}

/** A `|` block scalar for `value` under a key at column indent-2, ending with a line break. */
export function renderLiteralBlock(value: string, indent: number, eol: string): string {
  const trailing = /\n*$/.exec(value)?.[0].length ?? 0;
  const chomping = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = value.slice(0, value.length - trailing);
  const pad = ' '.repeat(indent);
  // A first line that starts with a space would be read as deeper indentation: say the width.
  const indicator = /^[ \n]/.test(body) ? '2' : '';
  const lines = body.split('\n').map((line) => (line === '' ? '' : pad + line));
  return `|${indicator}${chomping}${eol}${lines.join(eol)}${eol}${eol.repeat(Math.max(0, trailing - 1))}`;
}

/**
 * Where offset `innerOffset` of the string `node` holds sits in `source`, so that a problem inside
 * an embedded document (the injector's data.config) is reported at its own line of the stream.
 * Exact for a `|` block (one source line per content line, at the block's indentation); for any
 * other style, the start of the string.
 */
export function sourceOffsetOf(source: string, node: Scalar, innerOffset: number): number {
  const [start, valueEnd] = node.range as [number, number, number];
  if (node.type !== Scalar.BLOCK_LITERAL || typeof node.value !== 'string') return start;
  const before = node.value.slice(0, innerOffset);
  const line = before.split('\n').length - 1;
  const column = innerOffset - (before.lastIndexOf('\n') + 1);
  const contentStart = lineEndAt(source, start);
  const sourceLines = splitKeepingNewlines(source.slice(contentStart, Math.max(contentStart, endOfLastLine(source, start, valueEnd))));
  const indent = contentIndent(sourceLines, 0);
  let at = contentStart;
  for (let i = 0; i < line && i < sourceLines.length; i++) at += (sourceLines[i] as string).length;
  return at + indent + column;
}

export function keyColumnOf(source: string, keyNode: { range?: [number, number, number] | null }): number {
  return keyNode.range ? columnAt(source, keyNode.range[0]) : 0;
}
