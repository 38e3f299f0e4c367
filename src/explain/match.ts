// Pasted text -> findings: every match of every pattern, grouped by failure group and resource.
import { ERROR_PATTERNS, SYSCTL_MENTION, type ErrorPattern } from './patterns.js';
import { describeNamed, indexLines, lineAt, resourceFor, type NamedResource } from './resource.js';

export interface Finding {
  pattern: ErrorPattern;
  resource: NamedResource | undefined;
  /** 1-based line of the first occurrence */
  line: number;
  /** the first occurrence, whitespace collapsed */
  excerpt: string;
  occurrences: number;
  /** distinct details the pattern captured (ports), in order of appearance */
  details: string[];
}

export interface Explanation {
  findings: Finding[];
  /** how often the text names the sysctl at all */
  sysctlMentions: number;
}

// An excerpt is for recognising the line, not for reading a whole log record.
const EXCERPT_LIMIT = 240;

export function explainText(text: string): Explanation {
  const index = indexLines(text);
  const byKey = new Map<string, Finding>();
  const found: Array<{ offset: number; finding: Finding }> = [];
  for (const pattern of ERROR_PATTERNS) {
    pattern.pattern.lastIndex = 0;
    for (const match of text.matchAll(pattern.pattern)) {
      const offset = match.index;
      const firstLine = lineAt(index, offset);
      const lastLine = lineAt(index, offset + match[0].length);
      const resource = resourceFor(index, firstLine, lastLine, match[0]);
      const key = `${pattern.id}\u0000${resource === undefined ? '' : describeNamed(resource)}`;
      const detail = match.slice(1).find((group) => group !== undefined);
      let finding = byKey.get(key);
      if (finding === undefined) {
        const excerpt = excerptOf(
          text.slice(index.lineStarts[firstLine], offset + match[0].length),
          index.lines[lastLine]!,
          offset + match[0].length - index.lineStarts[lastLine]!,
        );
        finding = { pattern, resource, line: firstLine + 1, excerpt, occurrences: 0, details: [] };
        byKey.set(key, finding);
        found.push({ offset, finding });
      }
      finding.occurrences += 1;
      if (detail !== undefined && !finding.details.includes(detail)) finding.details.push(detail);
    }
  }
  // Findings read in the order the text tells them.
  found.sort((a, b) => a.offset - b.offset);
  return { findings: found.map(({ finding }) => finding), sysctlMentions: text.match(SYSCTL_MENTION)?.length ?? 0 };
}

/**
 * The lines the match spans, up to the end of its last line. A long line keeps its end: runtimes
 * chain their causes, and the matched cause is the last link.
 */
function excerptOf(throughMatch: string, lastLine: string, matchEndInLastLine: number): string {
  const flat = flatten(throughMatch + lastLine.slice(matchEndInLastLine));
  if (flat.length <= EXCERPT_LIMIT) return flat;
  const tail = flatten(lastLine.slice(matchEndInLastLine));
  const kept = Math.max(0, EXCERPT_LIMIT - 1 - tail.length);
  return `…${flatten(throughMatch).slice(-kept)}${tail}`.slice(0, EXCERPT_LIMIT);
}

function flatten(text: string): string {
  // C1 controls pass the UTF-8 check but can still drive a terminal.
  return text
    .replace(/\s+/g, ' ')
    .replace(/[\u0080-\u009f]/g, '\uFFFD')
    .trim();
}
