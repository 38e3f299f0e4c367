// --diff: a unified diff of each changed document, and of each added one, for stderr. A document
// that holds a Secret (itself, or anywhere in a List, however nested) gets a one-line note
// instead: its values must never reach a terminal or a CI log.
//
// Line numbers in the hunks count from the document's first line (its `---` separator or
// `# Source:` comment), since the documents are shown one by one.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { AREA_DIFF, markCompiled } from '../code-cache-areas.js';
import { parseYaml } from '../yaml/editable-document.js';
import { describeResource, objectsIn, type ResourceId } from '../kube/objects.js';
import { secretIn } from '../kube/secrets.js';
import type { DocumentEdit } from './records.js';

export const DIFF_CONTEXT_LINES = 3;

/** The objects of a document's text; undefined when it does not parse. */
function resourcesOf(text: string): ResourceId[] | undefined {
  const doc = parseYaml(text);
  if (doc.errors.length > 0) return undefined;
  return objectsIn(doc).map((object) => object.id);
}

/**
 * The Secret a document holds, before or after the edit, from its parse (kube/secrets.ts);
 * 'unknown' when a version does not parse, which hides the diff as a Secret would.
 */
function secretOf(edit: DocumentEdit): ResourceId | 'unknown' | undefined {
  for (const text of [edit.after, edit.before]) {
    const doc = parseYaml(text);
    if (doc.errors.length > 0) return 'unknown';
    const secret = secretIn(doc);
    if (secret) return secret;
  }
  return undefined;
}

export function renderDiff(edits: readonly DocumentEdit[]): string {
  if (edits.length > 0) markCompiled(AREA_DIFF);
  let out = '';
  for (const edit of edits) {
    const resources = resourcesOf(edit.after);
    const first = resources?.[0];
    const what = first ? describeResource(first) : 'document';
    const secret = secretOf(edit);
    if (secret) {
      const held = secret === 'unknown' ? 'what may be a Secret (it does not parse)' : describeResource(secret);
      out += `${edit.added ? `added before document ${edit.number}` : `document ${edit.number}`}: ${what} changed; no diff is shown because it holds ${held}\n`;
      continue;
    }
    const oldName = edit.added ? '/dev/null' : `input document ${edit.number}: ${what}`;
    const newName = edit.added ? `added before document ${edit.number}: ${what}` : `output document ${edit.number}: ${what}`;
    out += createTwoFilesPatch(oldName, newName, edit.before, edit.after, undefined, undefined, {
      context: DIFF_CONTEXT_LINES,
      headerOptions: FILE_HEADERS_ONLY,
    });
  }
  return out;
}
