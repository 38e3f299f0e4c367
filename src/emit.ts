// Emit: untouched documents as their original bytes, edited ones as their new text, added ones
// before the chunk they were placed at (with a separator when that chunk has none). Every output
// document says where it came from, so that a host maps it back without splitting text again.
import type { Chunk } from './stream/split.js';
import type { DocumentEdit, ResourceId } from './report/records.js';
import type { EditableDocument } from './yaml/editable-document.js';

/** What a document was added for: a resource of an input document, which it is placed before. */
export interface AddedFor {
  readonly resource: ResourceId;
  /** 1-based number of the input document holding `resource`; the added document comes right before it */
  readonly document: number;
  /** the string annotations of `resource` itself (hosts copy their bookkeeping from them) */
  readonly annotations: Readonly<Record<string, string>>;
}

/** An input document by its 1-based number, or a document added for a resource. */
export type DocumentOrigin = { readonly input: number } | { readonly addedFor: AddedFor };

export interface OutputDocument {
  /** the document's output text: an input one's chunk (separator line and comments included), or the added text */
  readonly text: string;
  readonly origin: DocumentOrigin;
}

/** An added document's text, and what it was added for. */
export interface AddedText {
  readonly text: string;
  readonly addedFor: AddedFor;
}

/** @internal (its types are the parser's, which the published types leave out) */
export interface EmitInput {
  readonly bom: string;
  readonly chunks: readonly Chunk[];
  /** each chunk's document number (0 for separators and comments) */
  readonly numbers: readonly number[];
  readonly parsed: ReadonlyMap<number, EditableDocument>;
  /** added documents (full text) to place before the chunk with that index */
  readonly insertBefore: ReadonlyMap<number, readonly AddedText[]>;
}

/** @internal */
export interface Emitted {
  readonly pieces: string[];
  readonly added: number;
  readonly changedDocuments: number[];
  readonly documentEdits: DocumentEdit[];
  /** the documents with content, in output order, each with its origin */
  readonly output: OutputDocument[];
}

/**
 * @internal `verify` checks an edited document before its text goes out (it throws when the edit broke it).
 */
export function emit(
  { bom, chunks, numbers, parsed, insertBefore }: EmitInput,
  verify: (ed: EditableDocument, chunk: Chunk) => void,
): Emitted {
  // The output as pieces: joining 100 MB into one string (and encoding it again to write it) would
  // double the peak memory; the CLI writes the pieces, the library joins them when asked.
  const pieces: string[] = bom ? [bom] : [];
  let added = 0;
  const changedDocuments: number[] = [];
  const documentEdits: DocumentEdit[] = [];
  const output: OutputDocument[] = [];
  chunks.forEach((chunk, index) => {
    const additions = insertBefore.get(index) ?? [];
    added += additions.length;
    for (const { text: after, addedFor } of additions) {
      documentEdits.push({ number: numbers[index] ?? 0, added: true, before: '', after });
      output.push({ text: after, origin: { addedFor } });
      pieces.push(after);
    }
    const eol = chunk.text.includes('\r\n') ? '\r\n' : '\n';
    // Directives (%YAML, %TAG) may only follow the end of a document: close the added one with
    // `...`, or they would read as its content and the next run would fail.
    if (additions.length > 0 && startsWithDirective(chunk.text)) pieces.push(`...${eol}`);
    else if (additions.length > 0 && !startsWithMarker(chunk.text)) pieces.push(`---${eol}`);
    const ed = parsed.get(index);
    // Documents re-parse lazily, so an edit nobody read again is checked here: a patch that
    // broke the YAML is our bug and must fail the run, never reach the output.
    if (ed?.changed) verify(ed, chunk);
    if (ed?.changed) changedDocuments.push(ed.number);
    if (ed?.changed) documentEdits.push({ number: ed.number, added: false, before: chunk.text, after: ed.source });
    const text = ed?.changed ? ed.source : chunk.text;
    pieces.push(text);
    if (chunk.hasContent) output.push({ text, origin: { input: numbers[index] ?? 0 } });
    ed?.release();
  });
  return { pieces, added, changedDocuments, documentEdits, output };
}

function startsWithMarker(text: string): boolean {
  for (const line of text.split('\n')) {
    if (line.startsWith('---')) return true;
    if (line.trim() !== '' && !line.trimStart().startsWith('#') && !line.startsWith('%')) return false;
  }
  return false;
}

/** Whether the first line that is not blank or a comment is a directive. */
function startsWithDirective(text: string): boolean {
  return /^(?:[ \t]*(?:#[^\n]*)?\n)*%/.test(text);
}
