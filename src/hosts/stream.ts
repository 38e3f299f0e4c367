// The plain stream contract shared by Helm 3 (--post-renderer), Helm 4 (postrenderer/v1 plugin),
// kustomize legacy exec plugins and shell pipes: manifests on stdin, manifests on stdout, the
// report on stderr.
import { StrictModeError } from '../errors.js';
import { reportOptionsOf, type ParsedFlags } from '../config/flags.js';
import { renderReport } from '../report/render.js';
import { collectGarbage, LARGE_INPUT } from '../memory.js';
import { transform } from '../transform.js';
import type { LoadedConfig } from '../config/load.js';
import { manifestStdin, readStdin } from '../input/stdin.js';
import { helmFilenameOf } from './helm-bookkeeping.js';
import type { Outcome } from './outcome.js';

export interface StreamSources {
  /** stdin or the FILE argument, when the caller has already read it (to tell a ResourceList from a stream) */
  input?: string;
  /**
   * --check on a stream: change nothing. A stream that would change fails (exit 1) with the diff
   * and the report on stderr and nothing on stdout; one that would not comes out whole, as
   * without --check, so that no host ever gets an empty answer.
   */
  check?: boolean;
}

/** `loaded`: the run's configuration, loaded once by the CLI (a kustomize plugin config in its host layer). */
export async function runStream(values: ParsedFlags['values'], loaded: LoadedConfig, sources: StreamSources = {}): Promise<Outcome> {
  const report = reportOptionsOf(values);
  const { config, gatewayTemplate } = loaded;
  const input = sources.input ?? (await readStdin(manifestStdin(config.maxInputBytes)));
  // the bytes stdin was read into are dead now; a large stream should not carry them along
  if (input.length >= LARGE_INPUT) collectGarbage();
  let result;
  try {
    result = transform(input, { config, ...(gatewayTemplate !== undefined ? { gatewayTemplate } : {}), annotateAdded: helmFilenameOf });
  } catch (error) {
    // In JSON mode stderr holds the report object and nothing else, failures included.
    if (error instanceof StrictModeError && report.format === 'json') {
      const records = { ...error.records, documents: { in: error.records.documents.in, out: error.records.documents.in } };
      return { stdout: '', stderr: renderReport(records, report), exitCode: error.exitCode };
    }
    throw error;
  }
  // A host takes an empty answer as "no resources" (kpt and kustomize drop them all): whatever
  // went wrong, a non-empty input must never come back as nothing.
  if (input.length > 0 && result.pieces.every((piece) => piece.length === 0)) {
    throw new Error('the output is empty for a non-empty input');
  }
  // --report-file keeps the report even when stderr gets none of it (--report none).
  const kept = renderReport(result, { format: report.format === 'json' ? 'json' : 'text', diff: report.diff });
  if (sources.check && result.text !== input) {
    const withDiff = { format: report.format, diff: report.format === 'text' };
    const closing =
      report.format === 'text'
        ? `gateway-compat: --check: the stream would change (${result.changedDocuments.length} document(s) edited, ${result.documents.out - result.documents.in} added); nothing was written. Run without --check to fix it.\n`
        : '';
    const stderr = renderReport(result, withDiff) + closing;
    return {
      stdout: '',
      stderr,
      exitCode: 1,
      report: renderReport(result, { format: report.format === 'json' ? 'json' : 'text', diff: report.format !== 'json' }) + closing,
    };
  }
  return { stdout: result.pieces, stderr: renderReport(result, report), exitCode: 0, report: kept };
}
