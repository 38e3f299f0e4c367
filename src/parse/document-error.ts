// Messages about a broken document: where (document number, line:column in the whole input), what
// and how to fix it, with a caret excerpt. A Secret's values must never reach a terminal or a CI
// log, so Secrets get a position and no excerpt (and no source text quoted in the message), and
// when the kind cannot be read, lines that look like data/stringData entries are masked.
import { parseYaml } from '../yaml/editable-document.js';
import { DocumentError } from '../errors.js';
import { secretIn } from '../kube/secrets.js';

// `kind: Secret` in block style (any indentation: List items too), in flow style or JSON
// (`{"kind": "Secret", ...}`), quoted, tagged (`!!str`) or followed by a comment.
const SECRET_KIND = /(^|[\s{,])["']?kind["']?[ \t]*:[ \t]*(!!str[ \t]+)?["']?Secret["']?[ \t]*(?=$|[,}#\r])/m;
// A ConfigMap's data is not secret: its excerpts stay readable (the injector ConfigMap is the
// document this tool edits most).
const CONFIGMAP_KIND = /^["']?kind["']?[ \t]*:[ \t]*["']?ConfigMap["']?[ \t]*(#.*)?\r?$/m;
// A data, stringData or binaryData key anywhere on a line: block style, flow style or JSON.
const SECRET_KEY = /(^|[\s{,])["']?(data|stringData|binaryData)["']?[ \t]*:/;

/**
 * Whether a broken document may be a Secret: the kind line as written, or what the parser made
 * of the document despite its error (the kind on the next line, a block scalar, an escape, JSON
 * over two lines, an alias: see kube/secrets.ts).
 */
export function looksLikeSecret(text: string): boolean {
  if (SECRET_KIND.test(text)) return true;
  try {
    return secretIn(parseYaml(text)) !== undefined;
  } catch {
    // a parse that overflows the stack tells nothing; the text's kind line was all there was
    return false;
  }
}

/** A line with its data/stringData value hidden, or undefined when it holds none. */
function maskSecretKey(line: string): string | undefined {
  const match = SECRET_KEY.exec(line);
  if (!match) return undefined;
  const colon = match.index + match[0].length;
  const rest = line.slice(colon);
  return /^\s*(#.*)?$/.test(rest) ? line : `${line.slice(0, colon)} <hidden>`;
}

/**
 * Each line as it may be shown: lines under a `data:`/`stringData:`/`binaryData:` key (or inside
 * a flow value of one) hide their value, and so does the rest of any line that holds such a key.
 */
function shownLines(lines: readonly string[], maskData: boolean): string[] {
  if (!maskData) return [...lines];
  const shown: string[] = [];
  let secretIndent = -1;
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    const trimmed = line.trim();
    if (secretIndent >= 0 && trimmed !== '' && indent <= secretIndent) secretIndent = -1;
    const masked = maskSecretKey(line);
    if (masked !== undefined) {
      shown.push(masked);
      // A key that opens a block (or a flow collection continued below) hides what is nested under it.
      if (secretIndent < 0) secretIndent = indent;
      continue;
    }
    shown.push(
      secretIndent >= 0 && trimmed !== ''
        ? line.replace(
            /^(\s*(?:-\s+)?)(?:([^\s:#][^:#]*?:)\s.*|.*)$/,
            (_m, lead: string, key?: string) => `${lead}${key ? `${key} ` : ''}<hidden>`,
          )
        : line,
    );
  }
  return shown;
}

function masksData(chunkText: string): boolean {
  return !CONFIGMAP_KIND.test(chunkText);
}

/** Whether the error's own line is one whose content must not be shown. */
function sensitiveLine(chunkText: string, line: number): boolean {
  if (!masksData(chunkText)) return false;
  const lines = chunkText.split(/\r?\n/);
  return shownLines(lines, true)[line] !== lines[line];
}

// yaml messages that quote source text: with a Secret, keep only the words before the quote.
const QUOTING_MESSAGES = [
  /^(.*?Block scalar header includes extra characters)\b.*$/,
  /^(.*?Invalid escape sequence)\b.*$/,
  /^(.*?Unresolved alias \(the anchor must be set before the alias\)).*$/,
  /^(.*?Unresolved tag)\b.*$/,
  /^(.*?Plain value cannot start with)\b.*$/,
  /^(.*?an alias refers to no anchor defined before it)\b.*$/,
];

function withoutQuotedSource(what: string): string {
  for (const pattern of QUOTING_MESSAGES) {
    const match = pattern.exec(what);
    if (match?.[1]) return match[1];
  }
  return what;
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
  const shown = shownLines(lines, masksData(chunkText));
  const from = Math.max(0, at.line - 2);
  const to = Math.min(lines.length - 1, at.line + 1);
  const width = String(firstLine + to + 1).length;
  const out: string[] = [];
  for (let i = from; i <= to; i++) {
    out.push(`${String(firstLine + i + 1).padStart(width)} | ${(shown[i] ?? '').slice(0, 200)}`);
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
): DocumentError {
  const where = at ? ` at line ${firstLine + at.line + 1}:${at.column + 1}` : '';
  const sensitive = looksLikeSecret(chunkText) || (at !== undefined && sensitiveLine(chunkText, at.line));
  const lines = [`error: document ${documentNumber}${where}: ${sensitive ? withoutQuotedSource(what) : what}`];
  if (at) lines.push(excerpt(chunkText, at, firstLine));
  lines.push(`fix: ${fix}`);
  return new DocumentError(lines.join('\n'), documentNumber);
}
