// --diff: a unified diff of each changed document, and of each added one, for stderr. A document
// that holds a Secret (itself or as an item of a List) gets a one-line note instead: its values
// must never reach a terminal or a CI log.
//
// Line numbers in the hunks count from the document's first line (its `---` separator or
// `# Source:` comment), since the documents are shown one by one.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { looksLikeSecret } from '../parse/document-error.js';
import { parseYaml } from '../yaml/editable-document.js';
import { describeResource, objectsIn, type ResourceId } from '../kube/objects.js';
import type { DocumentEdit } from '../transform.js';

export const DIFF_CONTEXT_LINES = 3;

/** The objects of a document's text; undefined when it does not parse. */
function resourcesOf(text: string): ResourceId[] | undefined {
  const doc = parseYaml(text);
  if (doc.errors.length > 0) return undefined;
  return objectsIn(doc).map((object) => object.id);
}

function holdsSecret(edit: DocumentEdit, resources: ResourceId[] | undefined): boolean {
  if (!resources) return looksLikeSecret(edit.before) || looksLikeSecret(edit.after);
  return resources.some((id) => id.kind === 'Secret');
}

export function renderDiff(edits: readonly DocumentEdit[]): string {
  let out = '';
  for (const edit of edits) {
    const resources = resourcesOf(edit.after);
    const first = resources?.[0];
    const what = first ? describeResource(first) : 'document';
    if (holdsSecret(edit, resources)) {
      const secret = resources?.find((id) => id.kind === 'Secret');
      out += `${edit.added ? `added before document ${edit.number}` : `document ${edit.number}`}: ${what} changed; no diff is shown because it holds ${secret ? describeResource(secret) : 'a Secret'}\n`;
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
