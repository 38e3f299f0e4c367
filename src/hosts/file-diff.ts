// The unified diff `--check` prints for a file that would change. The rules never edit a Secret,
// but a hunk's context lines can reach into a neighbouring Secret document (an options ConfigMap
// is added right after whatever precedes its Gateway), so Secret values are hidden first, the
// same way in both versions, which keeps the diff's shape.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { looksLikeSecret } from '../parse/document-error.js';
import { splitStream } from '../stream/split.js';

const KEEP = /^\s*(---|\.\.\.|["']?(apiVersion|kind)["']?\s*:|$)/;

function hideLine(line: string): string {
  if (KEEP.test(line)) return line;
  const pair = /^(\s*(?:-\s+)?)([^\s:#][^:#]*?):(.*)$/.exec(line);
  if (pair) return (pair[3] ?? '').trim() === '' ? line : `${pair[1]}${pair[2]}: <hidden>`;
  return line.replace(/^(\s*).*$/, '$1<hidden>');
}

function hideSecretValues(text: string): string {
  const { bom, chunks } = splitStream(text);
  const shown = chunks.map((chunk) => (looksLikeSecret(chunk.text) ? chunk.text.split('\n').map(hideLine).join('\n') : chunk.text));
  return bom + shown.join('');
}

export function unifiedDiff(file: string, before: string, after: string): string {
  // git's a/ b/ headers and nothing else, so the output reads like `git diff`.
  return createTwoFilesPatch(`a/${file}`, `b/${file}`, hideSecretValues(before), hideSecretValues(after), undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
