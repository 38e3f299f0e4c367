// The plain stream contract shared by Helm 3 (--post-renderer), Helm 4 (postrenderer/v1 plugin)
// and shell pipes: manifests on stdin, manifests on stdout, the report on stderr.
import { reportFormatOf, type ParsedFlags } from '../options.js';
import { textReport } from '../report.js';
import { transform } from '../transform.js';
import { loadConfig, readStdin } from './load.js';
import type { Outcome } from './outcome.js';

export async function runStream(values: ParsedFlags['values']): Promise<Outcome> {
  const report = reportFormatOf(values);
  const { config, gatewayTemplate } = await loadConfig(values);
  const input = await readStdin(config.maxInputBytes);
  const result = transform(input, { config, ...(gatewayTemplate !== undefined ? { gatewayTemplate } : {}) });
  const stderr =
    report === 'none'
      ? ''
      : report === 'json'
        ? `${JSON.stringify({ changes: result.changes, warnings: result.warnings })}\n`
        : textReport(result);
  return { stdout: result.text, stderr, exitCode: 0 };
}
