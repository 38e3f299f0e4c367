// --report-file PATH: the report (or the error) of every run, kept in a file. Helm 3 drops a
// post-renderer's stderr on success, Helm 4 always, kustomize on success; the file keeps what
// they hide. Written whole through a temporary file in the same folder, so a reader never sees
// half of it; a file that cannot be written fails the run, as any other unusable argument does.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError } from '../input/text.js';

/** Writes `text` to `file`; returns an error message instead of throwing. */
export async function writeReportFile(file: string, text: string): Promise<string | undefined> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.gateway-compat-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { flag: 'wx', mode: 0o644 });
    await rename(temporary, file);
    return undefined;
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    return `error: --report-file ${file}: cannot write the report: ${describeFsError(error)}`;
  }
}
