// A template as a list of lines, split and joined without losing a byte: the BOM, each line's own
// ending (LF or CRLF) and a missing final newline all survive. Every edit replaces, inserts or
// deletes whole lines, so lines no edit touches keep their exact bytes, which keeps the ConfigMap
// or Istio CR that embeds the template diffable.

export interface TextLine {
  text: string;
  eol: string;
  /** 0-based index in the original text; undefined for lines we inserted. */
  origin: number | undefined;
}

export interface LineDoc {
  bom: string;
  lines: TextLine[];
  defaultEol: string;
}

export function splitLines(text: string): LineDoc {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const parts = text.slice(bom.length).split('\n');
  const lines: TextLine[] = [];
  parts.forEach((part, index) => {
    const isLast = index === parts.length - 1;
    if (isLast) {
      if (part !== '') lines.push({ text: part, eol: '', origin: index });
      return;
    }
    const crlf = part.endsWith('\r');
    lines.push({ text: crlf ? part.slice(0, -1) : part, eol: crlf ? '\r\n' : '\n', origin: index });
  });
  const defaultEol = lines.find((line) => line.eol !== '')?.eol ?? '\n';
  return { bom, lines, defaultEol };
}

export function joinLines(doc: LineDoc): string {
  return doc.bom + doc.lines.map((line) => line.text + line.eol).join('');
}

export function leadingSpaces(text: string): number {
  let count = 0;
  while (text.charCodeAt(count) === 0x20) count++;
  return count;
}

export function pad(width: number): string {
  return ' '.repeat(width);
}
