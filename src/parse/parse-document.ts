// Parse: one document's text into a yaml Document, checked before any rule reads it. Invalid
// YAML, nesting too deep to handle and aliases without anchors (or too many of them) become
// errors that name the document, the line and column, and the fix.
import { isAlias, isMap, isPair, isScalar, isSeq, visit, YAMLError, type Document } from 'yaml';
import type { Chunk } from '../stream/split.js';
import { mightHoldAlias } from '../yaml/anchor-guard.js';
import { EditableDocument } from '../yaml/editable-document.js';
import { lineAndColumn } from '../yaml/source-text.js';
import { documentError } from './document-error.js';

const FIXES: Record<string, string> = {
  DUPLICATE_KEY: 'remove or rename one of the two keys',
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs for indentation',
  BAD_INDENT: 'align the line with its siblings (YAML indentation is significant)',
  MISSING_CHAR: 'close the bracket or quote that was opened',
  UNEXPECTED_TOKEN: 'check the indentation, brackets and quotes around this position',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; check for a missing colon or quote',
  BLOCK_AS_IMPLICIT_KEY: 'check the indentation: a nested block cannot be used as a key',
};

/**
 * Kubernetes objects nest about 30 levels at most (CRD schemas). Deeper documents are refused
 * up front: the parser itself gives up near 1,000 levels, and a document just below that would
 * overflow the stack later, when a rule re-parses it after an edit.
 */
const MAX_NESTING = 200;

function nestingError(number: number, chunk: Chunk, at: { line: number; column: number } | undefined): Error {
  return documentError(
    number,
    chunk.text,
    chunk.firstLine,
    at,
    `the document nests too deeply to be read (more than ${MAX_NESTING} levels)`,
    'flatten the document; Kubernetes objects never nest this deep',
  );
}

/**
 * Where the first collection deeper than MAX_NESTING starts. The recursion stops at MAX_NESTING + 1
 * levels, so it cannot overflow; it visits the nodes in the order an explicit stack would (items
 * from the last, a pair's value before its key), and allocates nothing: it runs on every parsed document.
 */
function tooDeepAt(ed: EditableDocument): number | undefined {
  return deeperAt(ed.doc.contents, 1);
}

function deeperAt(node: unknown, depth: number): number | undefined {
  if (!isMap(node) && !isSeq(node)) return undefined;
  if (depth > MAX_NESTING) return node.range?.[0] ?? 0;
  const items = node.items as unknown[];
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    const found = isPair(item) ? (deeperAt(item.value, depth + 1) ?? deeperAt(item.key, depth + 1)) : deeperAt(item, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `tree`: the chunk's text as parseYaml reads it, when the caller read it already. */
export function parseChecked(chunk: Chunk, number: number, tree?: Document.Parsed): EditableDocument {
  let ed: EditableDocument;
  try {
    ed = new EditableDocument(chunk.text, number, chunk.firstLine, tree);
  } catch (error) {
    if (error instanceof RangeError) throw nestingError(number, chunk, undefined);
    throw error;
  }
  const firstError = ed.doc.errors[0];
  if (firstError) throw yamlError(firstError, chunk, number);
  const deep = tooDeepAt(ed);
  if (deep !== undefined) throw nestingError(number, chunk, positionOf(chunk.text, deep));
  const contents = ed.doc.contents;
  if (contents !== null && !isMap(contents)) {
    const what = isSeq(contents) ? 'a sequence' : isScalar(contents) ? 'a scalar' : 'not a mapping';
    throw documentError(
      number,
      chunk.text,
      chunk.firstLine,
      positionOf(chunk.text, contents.range?.[0] ?? 0),
      `the document is ${what}, not a Kubernetes object`,
      'each document must be a mapping with apiVersion, kind and metadata; check for a stray "-" or a missing "---" separator',
    );
  }
  // only a document that may hold an alias has its tree walked for them
  if (mightHoldAlias(chunk.text)) checkAliases(ed, chunk);
  return ed;
}

function checkAliases(ed: EditableDocument, chunk: Chunk): void {
  // An alias must come after its anchor; yaml only finds out (with an error that reads like an
  // alias bomb) when the document is converted.
  const anchors = new Set<string>();
  let aliases = 0;
  let unresolved: { source: string; offset: number } | undefined;
  visit(ed.doc, (_key, node) => {
    if (isAlias(node)) {
      aliases++;
      if (!anchors.has(node.source)) {
        unresolved = { source: node.source, offset: node.range?.[0] ?? 0 };
        return visit.BREAK;
      }
    } else if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) {
      anchors.add(node.anchor);
    }
    return undefined;
  });
  if (unresolved) {
    throw documentError(
      ed.number,
      chunk.text,
      chunk.firstLine,
      positionOf(chunk.text, unresolved.offset),
      `an alias refers to no anchor defined before it: *${unresolved.source}`,
      'define the anchor (&name) before the alias, or quote the value if the "*" is part of it',
    );
  }
  if (aliases === 0) return;
  try {
    ed.doc.toJS({ maxAliasCount: 100 });
  } catch {
    let first = 0;
    visit(ed.doc, {
      Alias: (_key, node) => {
        if (isAlias(node)) first = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    throw documentError(
      ed.number,
      chunk.text,
      chunk.firstLine,
      positionOf(chunk.text, first),
      'the document expands YAML aliases too often (an alias bomb, "billion laughs")',
      'write the values out instead of nesting aliases',
    );
  }
}

export function positionOf(text: string, offset: number): { line: number; column: number } {
  const { line, column } = lineAndColumn(text, offset);
  return { line: line - 1, column: column - 1 };
}

function yamlError(error: YAMLError, chunk: Chunk, number: number): Error {
  const at = positionOf(chunk.text, error.pos[0]);
  // yaml turns a stack overflow while composing into this code (compose-node.ts).
  if (error.code === 'RESOURCE_EXHAUSTION') return nestingError(number, chunk, at);
  let what = error.message.split('\n')[0] ?? error.message;
  if (error.code === 'DUPLICATE_KEY') {
    // a quoted key (JSON) is named without its quotes
    const key = /^\s*([^:#\n]+?)\s*:/.exec(chunk.text.slice(error.pos[0]))?.[1]?.replace(/^(["'])(.*)\1$/, '$2');
    what = `duplicate key${key ? ` "${key}"` : ''} in a mapping`;
  }
  const unclosed = /end with an? ([\]}])/.exec(what)?.[1];
  const fix = unclosed
    ? `close the flow collection with "${unclosed}" (or write it in block style)`
    : (FIXES[error.code] ?? 'correct the YAML syntax at this position');
  return documentError(number, chunk.text, chunk.firstLine, at, `invalid YAML: ${what}`, fix);
}
