// The unified diff `--check` prints for a file that would change. The rules never edit a Secret,
// but a hunk's context lines can reach into a neighbouring Secret document (an options ConfigMap
// is added right after whatever precedes its Gateway), so every hunk line that lies in a document
// holding a Secret has its value hidden. Secret-ness comes from the parsed document (see
// kube/secrets.ts), and only the documents a hunk touches are parsed: a large file with one
// change costs one diff, not a second parse of the whole stream.
import { formatPatch, structuredPatch, FILE_HEADERS_ONLY } from 'diff';
import { AREA_DIFF, markCompiled } from '../code-cache-areas.js';
import { textHoldsSecret } from '../kube/secrets.js';
import { splitStream, type Chunk } from '../stream/split.js';

// Separators, blank lines and an apiVersion or kind line that holds nothing else stay readable.
const KEEP = /^\s*(---|\.\.\.|["']?(apiVersion|kind)["']?\s*:[^,{}[\]]*|)$/;

function hideLine(line: string): string {
  if (KEEP.test(line)) return line;
  const pair = /^(\s*(?:-\s+)?)([^\s:#][^:#]*?):(.*)$/.exec(line);
  if (pair) return (pair[3] ?? '').trim() === '' ? line : `${pair[1]}${pair[2]}: <hidden>`;
  return line.replace(/^(\s*).*$/, '$1<hidden>');
}

/**
 * Answers, for a 1-based line of a text, whether it lies in a document that holds a Secret.
 * `holdsSecret` decides a document's text (shared by both sides: a document the diff shows on
 * both is parsed once).
 */
function secretLines(text: string, holdsSecret: (text: string) => boolean): (line: number) => boolean {
  const { chunks } = splitStream(text);
  const verdicts = new Map<Chunk, boolean>();
  return (line) => {
    // the last chunk that starts at or before the line (chunks are in order)
    let low = 0;
    let high = chunks.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (chunks[mid]!.firstLine <= line - 1) low = mid;
      else high = mid - 1;
    }
    const chunk = chunks[low];
    if (!chunk) return false;
    let verdict = verdicts.get(chunk);
    if (verdict === undefined) {
      verdict = holdsSecret(chunk.text);
      verdicts.set(chunk, verdict);
    }
    return verdict;
  };
}

/**
 * `known`: whether a document text holds a Secret, where the caller knows it without a parse
 * (the transform's TransformResult.secretVerdict), else undefined: that text is parsed here.
 */
export function unifiedDiff(
  file: string,
  before: string,
  after: string,
  known: (text: string) => boolean | undefined = () => undefined,
): string {
  markCompiled(AREA_DIFF);
  const patch = structuredPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 3 });
  const verdicts = new Map<string, boolean>();
  const holdsSecret = (text: string): boolean => {
    let verdict = verdicts.get(text);
    if (verdict === undefined) verdicts.set(text, (verdict = known(text) ?? textHoldsSecret(text)));
    return verdict;
  };
  const inSecretBefore = secretLines(before, holdsSecret);
  const inSecretAfter = secretLines(after, holdsSecret);
  for (const hunk of patch.hunks) {
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    hunk.lines = hunk.lines.map((line) => {
      const mark = line[0];
      if (mark === '\\') return line;
      const secret = mark === '+' ? inSecretAfter(newLine) : inSecretBefore(oldLine);
      if (mark !== '+') oldLine++;
      if (mark !== '-') newLine++;
      return secret ? `${mark}${hideLine(line.slice(1))}` : line;
    });
  }
  // git's a/ b/ headers and nothing else, so the output reads like `git diff`.
  return formatPatch(patch, FILE_HEADERS_ONLY);
}
