// Splits a multi-document YAML stream into chunks that keep their exact source text, so that a
// document no rule touches can be written back byte for byte without ever being parsed.
//
// A chunk is everything from one document's start (its directives or `---` line) up to the next
// document's start: separator, `# Source:` comments, body, `...` end marker and trailing blank lines.
// Concatenating the chunks gives back the input exactly.
//
// YAML forbids a line that starts with `---` or `...` (followed by white space or the line end)
// inside any scalar, so a line scan finds the same boundaries a full parser would.

export interface Chunk {
  /** exact source text of this chunk, separator line included */
  readonly text: string;
  /** 0-based line of the chunk's first line in the whole input (for error messages) */
  readonly firstLine: number;
  /** false when the chunk holds only separators, comments, directives and blank lines */
  readonly hasContent: boolean;
}

export interface SplitStream {
  /** a UTF-8 byte order mark removed from the start, to be written back in front of the output */
  readonly bom: string;
  readonly chunks: Chunk[];
}

const BOM = '\uFEFF';

function isMarkerLine(text: string, lineStart: number, marker: '---' | '...'): boolean {
  if (!text.startsWith(marker, lineStart)) return false;
  const next = text.charCodeAt(lineStart + 3);
  // end of input, space, tab, \n or \r
  return Number.isNaN(next) || next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d;
}

function isBlankOrComment(line: string): boolean {
  const trimmed = line.trimStart();
  return trimmed === '' || trimmed.startsWith('#');
}

export function splitStream(input: string): SplitStream {
  const bom = input.startsWith(BOM) ? BOM : '';
  const text = bom ? input.slice(1) : input;
  const starts: number[] = [];
  // Where directives (%YAML, %TAG) of the next document began, so they stay with its `---`.
  let directivesStart = -1;
  // After `...` (or at the start) a document has ended; what follows belongs to the next one.
  let betweenDocuments = true;
  let seenDocument = false;

  const nextMarker = markerFinder(text);
  let lineStart = 0;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline + 1;
    if (isMarkerLine(text, lineStart, '---')) {
      starts.push(directivesStart >= 0 ? directivesStart : lineStart);
      directivesStart = -1;
      betweenDocuments = false;
      seenDocument = true;
    } else if (isMarkerLine(text, lineStart, '...')) {
      betweenDocuments = true;
      // What follows `...` is a new document, even when the stream starts with `...` (which ends
      // an empty document): without this, `...` and the bare document after it were one chunk,
      // which the parser rejects as two documents.
      seenDocument = true;
    } else if (betweenDocuments && text.charCodeAt(lineStart) === 0x25 /* % */) {
      if (directivesStart < 0) directivesStart = lineStart;
    } else if (betweenDocuments && !isBlankOrComment(text.slice(lineStart, lineEnd))) {
      // A bare document after `...` starts without a marker.
      if (seenDocument) starts.push(directivesStart >= 0 ? directivesStart : lineStart);
      directivesStart = -1;
      betweenDocuments = false;
      seenDocument = true;
    }
    lineStart = lineEnd;
    // Inside a document only a `---` or `...` line matters: jump to the next line that could be
    // one instead of visiting every line of a large ConfigMap.
    if (!betweenDocuments) lineStart = nextMarker(lineStart);
  }

  const boundaries = [0, ...starts.filter((start) => start > 0), text.length];
  const chunks: StreamChunk[] = [];
  const lines = new FirstLines(chunks);
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const chunkText = text.slice(boundaries[i], boundaries[i + 1]);
    if (chunkText === '') continue;
    chunks.push(new StreamChunk(chunkText, chunkHasContent(chunkText), chunks.length, lines));
  }
  return { bom, chunks };
}

/** Line numbers are only needed for messages: counted for all chunks of a stream on the first request. */
class FirstLines {
  private lines: number[] | undefined;
  constructor(private readonly chunks: readonly Chunk[]) {}

  of(index: number): number {
    if (!this.lines) {
      const lines: number[] = [];
      let line = 0;
      for (const chunk of this.chunks) {
        lines.push(line);
        line += countLines(chunk.text);
      }
      this.lines = lines;
    }
    return this.lines[index] as number;
  }
}

// A class, not an object literal with a getter: a literal's getter is a closure of its own for
// every chunk, and a stream of many small documents has hundreds of thousands (440 bytes a chunk
// against about 60).
class StreamChunk implements Chunk {
  constructor(
    readonly text: string,
    readonly hasContent: boolean,
    private readonly index: number,
    private readonly lines: FirstLines,
  ) {}

  get firstLine(): number {
    return this.lines.of(this.index);
  }
}

/**
 * Finds the next line that begins with `---` or `...`. Each search result is kept until the scan
 * passes it, so the whole stream is searched once for each marker.
 */
function markerFinder(text: string): (from: number) => number {
  let dashes = -2;
  let dots = -2;
  return (from) => {
    if (from >= text.length) return from;
    if (dashes !== -1 && dashes < from - 1) dashes = text.indexOf('\n---', from - 1);
    if (dots !== -1 && dots < from - 1) dots = text.indexOf('\n...', from - 1);
    if (dashes === -1 && dots === -1) return text.length;
    const next = dashes === -1 ? dots : dots === -1 ? dashes : Math.min(dashes, dots);
    return next + 1;
  };
}

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function chunkHasContent(chunkText: string): boolean {
  // Stops at the first line that carries content: usually the second or third line of a chunk.
  let lineStart = 0;
  while (lineStart < chunkText.length) {
    const newline = chunkText.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? chunkText.length : newline + 1;
    const line = chunkText.slice(lineStart, lineEnd);
    lineStart = lineEnd;
    if (isBlankOrComment(line) || line.startsWith('%') || isMarkerLine(line, 0, '...')) continue;
    // `--- # comment` and a bare `---` carry nothing; `--- {a: 1}` does.
    if (isMarkerLine(line, 0, '---') && isBlankOrComment(line.slice(3))) continue;
    return true;
  }
  return false;
}

/** The line ending a chunk uses, so that inserted lines match it. */
export function lineEndingOf(text: string): '\n' | '\r\n' {
  const newline = text.indexOf('\n');
  return newline > 0 && text.charCodeAt(newline - 1) === 0x0d ? '\r\n' : '\n';
}
