// Helm 4 files a post-renderer's output by the annotation postrenderer.helm.sh/postrender-filename
// on every document; a document we add carries the filename of the resource it was added for, so
// that Helm lists it with that template. The plain stream host (and --write/--check, whose files
// may be such output) adds it; the core knows no host.
import type { AddedFor } from '../transform.js';

export const HELM_FILENAME_ANNOTATION = 'postrenderer.helm.sh/postrender-filename';

export function helmFilenameOf(added: AddedFor): Record<string, string> {
  const filename = added.annotations[HELM_FILENAME_ANNOTATION];
  return filename ? { [HELM_FILENAME_ANNOTATION]: filename } : {};
}
