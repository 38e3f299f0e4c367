// YAML quoted scalars: where a quote opens one, where it ends, and the plain text of a quoted or
// plain key or value. Line classification and the flow collection helpers both step over quoted
// text (which may hold `#`, `,`, `:` or brackets) and compare keys and items by their unquoted text.
import { parse } from 'yaml';

/** A quote opens a quoted scalar only where a YAML token can start. */
export function startsYamlToken(text: string, index: number, from: number): boolean {
  const before = text.slice(from, index).trimEnd();
  return before === '' || /[[{,:]$/.test(before) || /(^|\s)-$/.test(before);
}

export function findYamlQuoteEnd(text: string, open: number): number {
  const quote = text[open];
  for (let i = open + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (quote === "'" && text[i] === "'" && text[i + 1] === "'") i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

/**
 * Printable ASCII but `"` and `\`: inside double quotes on one line, YAML reads each of these as
 * itself (no escape, no line folding, no end of the scalar).
 */
const VERBATIM_IN_DOUBLE_QUOTES = /^[ !#-[\]-~]*$/;

export function unquote(scalar: string): string {
  const text = scalar.trim();
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    // Most quoted keys (`"{{ .Name }}":`, `"sidecar.istio.io/inject":`) hold nothing to resolve, and
    // the parser's first call in a run costs more than all of a template's other lines.
    const inner = text.slice(1, -1);
    if (VERBATIM_IN_DOUBLE_QUOTES.test(inner)) return inner;
    // YAML's escapes, not JSON's: `\x5f`, `\_`, `\N` and the rest (YAML 1.2, 5.7) name characters too.
    try {
      const value: unknown = parse(text);
      return typeof value === 'string' ? value : text.slice(1, -1);
    } catch {
      return text.slice(1, -1);
    }
  }
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  return text;
}
