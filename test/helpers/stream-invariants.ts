// What a successful run promises about its output, checked from the outside: every document no
// rule changed comes out byte for byte and in order, the only new documents are ConfigMaps, the
// counts add up, changed and added documents parse, a BOM and CRLF line endings survive.
import { isMap, parseDocument } from 'yaml';
import { splitStream, type Chunk } from '../../src/stream/split.js';
import type { TransformResult } from '../../src/transform.js';

const IS_CONFIGMAP = /^["']?kind["']?[ \t]*:[ \t]*["']?ConfigMap["']?[ \t]*(#.*)?\r?$/m;

function documentNumbers(chunks: readonly Chunk[]): number[] {
  let number = 0;
  return chunks.map((chunk) => (chunk.hasContent ? ++number : 0));
}

/** Only CRLF line breaks (and at least one). */
export function isPureCrlf(text: string): boolean {
  return text.includes('\r\n') && !/(^|[^\r])\n/.test(text);
}

/** The same chunk, possibly after a `---` line the tool put in front of it (after an added document). */
function sameChunk(out: string, original: string): boolean {
  return out === original || out === `---\n${original}` || out === `---\r\n${original}`;
}

export function streamViolations(input: string, result: Pick<TransformResult, 'text' | 'documents' | 'changedDocuments'>): string[] {
  const violations: string[] = [];
  const before = splitStream(input);
  const after = splitStream(result.text);
  if (after.bom !== before.bom) violations.push(`byte order mark ${before.bom ? 'lost' : 'added'}`);

  const inContent = before.chunks.filter((chunk) => chunk.hasContent).length;
  const outContent = after.chunks.filter((chunk) => chunk.hasContent).length;
  if (result.documents.in !== inContent) violations.push(`documents.in is ${result.documents.in}, the input has ${inContent}`);
  if (result.documents.out !== outContent) violations.push(`documents.out is ${result.documents.out}, the output has ${outContent}`);

  // Unchanged chunks are anchors: they must appear in the output, in order, with their exact bytes.
  const numbers = documentNumbers(before.chunks);
  const changed = new Set(result.changedDocuments);
  let j = 0;
  let pendingIn: Chunk[] = [];
  const segment = (outChunks: Chunk[], inChunks: Chunk[]): void => {
    // Between two anchors: the changed input documents, plus added ConfigMaps.
    const extra = outChunks.length - inChunks.length;
    if (extra < 0) violations.push(`${-extra} changed document(s) missing from the output`);
    const configMaps = outChunks.filter((chunk) => IS_CONFIGMAP.test(chunk.text)).length;
    if (extra > 0 && configMaps < extra) violations.push(`${extra} added document(s), but only ${configMaps} ConfigMap(s) among them`);
    for (const chunk of outChunks) {
      const doc = parseDocument(chunk.text, { version: '1.1', uniqueKeys: true });
      if (doc.errors.length > 0) violations.push(`a changed or added document does not parse: ${doc.errors[0]?.message}`);
      else if (chunk.hasContent && !isMap(doc.contents)) violations.push('a changed or added document is not a mapping');
    }
  };
  before.chunks.forEach((chunk, i) => {
    const number = numbers[i] ?? 0;
    if (number !== 0 && changed.has(number)) {
      pendingIn.push(chunk);
      return;
    }
    const start = j;
    while (j < after.chunks.length && !sameChunk(after.chunks[j]!.text, chunk.text)) j++;
    if (j === after.chunks.length) {
      violations.push(`document ${number || `(chunk ${i + 1})`} was not changed by any rule but is not in the output byte for byte`);
      j = start;
      pendingIn = [];
      return;
    }
    if (after.chunks[j]!.text !== chunk.text && j === start)
      violations.push(`chunk ${i + 1} got a "---" line without an added document before it`);
    segment(after.chunks.slice(start, j), pendingIn);
    pendingIn = [];
    j++;
  });
  segment(after.chunks.slice(j), pendingIn);

  if (isPureCrlf(input) && !isPureCrlf(result.text) && result.text !== '')
    violations.push('CRLF input gave output with bare LF line breaks');
  return violations;
}
