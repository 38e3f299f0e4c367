// Messages about a broken document: where (document number, line:column in the whole input), what
// and how to fix it, with a caret excerpt. A Secret's values must never reach a terminal or a CI
// log, so Secrets get a position and no excerpt, and when the kind cannot be read, lines that look
// like data/stringData entries are masked.
import { UserError } from './errors.js';

const SECRET_KIND = /^\s*["']?kind["']?\s*:\s*["']?Secret["']?\s*(#.*)?$/m;

export function looksLikeSecret(text: string): boolean {
  return SECRET_KIND.test(text);
}

/** Lines under a `data:`/`stringData:` key (or inside a flow value of one) hide their value. */
function maskedLines(lines: readonly string[]): boolean[] {
  const masked: boolean[] = [];
  let secretIndent = -1;
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    const trimmed = line.trim();
    if (secretIndent >= 0 && trimmed !== '' && indent <= secretIndent) secretIndent = -1;
    const opensSecretBlock = /^["']?(data|stringData|binaryData)["']?\s*:/.exec(trimmed);
    if (opensSecretBlock) {
      masked.push(!/:\s*(#.*)?$/.test(trimmed));
      secretIndent = indent;
      continue;
    }
    masked.push(secretIndent >= 0 && trimmed !== '');
  }
  return masked;
}

export interface SourcePosition {
  /** 0-based line in the chunk */
  line: number;
  /** 0-based column */
  column: number;
}

export function excerpt(chunkText: string, at: SourcePosition, firstLine: number): string {
  if (looksLikeSecret(chunkText)) return '  (no excerpt: the document is a Secret)';
  const lines = chunkText.split(/\r?\n/);
  const masked = maskedLines(lines);
  const from = Math.max(0, at.line - 2);
  const to = Math.min(lines.length - 1, at.line + 1);
  const width = String(firstLine + to + 1).length;
  const out: string[] = [];
  for (let i = from; i <= to; i++) {
    const shown = masked[i] ? (lines[i] ?? '').replace(/(:\s*).*$/, '$1<hidden>') : (lines[i] ?? '');
    out.push(`${String(firstLine + i + 1).padStart(width)} | ${shown.slice(0, 200)}`);
    if (i === at.line) out.push(`${' '.repeat(width)} | ${' '.repeat(Math.min(at.column, 200))}^`);
  }
  return out.join('\n');
}

export function documentError(
  documentNumber: number,
  chunkText: string,
  firstLine: number,
  at: SourcePosition | undefined,
  what: string,
  fix: string,
): UserError {
  const where = at ? ` at line ${firstLine + at.line + 1}:${at.column + 1}` : '';
  const lines = [`error: document ${documentNumber}${where}: ${what}`];
  if (at) lines.push(excerpt(chunkText, at, firstLine));
  lines.push(`fix: ${fix}`);
  return new UserError(lines.join('\n'));
}
