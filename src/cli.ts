// argv -> options; picks the host mode; maps outcomes to exit codes. Nothing else lives here.
// Exit codes: 0 success, 1 bad input / configuration / --strict warnings, 2 usage error.
// On any failure stdout stays empty: Helm, kpt and kustomize would otherwise install or write
// whatever half-made output they received.
import getStdin from 'get-stdin';
import { defaultConfig, mergeConfig, parseConfigText, validateSpec, type Config } from './config.js';
import { UserError, UsageError } from './errors.js';
import { checkSize, decodeText, readTextFile } from './input.js';
import { parseFlags, reportFormatOf, specFromFlags, type ParsedFlags } from './options.js';
import { textReport } from './report.js';
import { transform } from './transform.js';
import { USAGE, VERSION } from './usage.js';

interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

async function loadConfig(values: ParsedFlags['values']): Promise<{ config: Config; gatewayTemplate?: string }> {
  const fromFlags = validateSpec(specFromFlags(values), 'command-line flags');
  const fromFile = values.config ? parseConfigText(await readTextFile(values.config, '--config'), values.config) : {};
  const config = mergeConfig(defaultConfig(), fromFile, fromFlags);
  const templateFile = config.injectionTemplate.file;
  const gatewayTemplate = templateFile ? await readTextFile(templateFile, '--gateway-template') : undefined;
  return { config, ...(gatewayTemplate !== undefined ? { gatewayTemplate } : {}) };
}

async function readStdin(limit: number): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError(`error: no input: pipe rendered manifests into post-render\n\n${USAGE}`);
  }
  const bytes = await getStdin.buffer();
  checkSize(bytes.length, limit, 'the input');
  return decodeText(bytes, 'the input');
}

async function runStream(values: ParsedFlags['values']): Promise<Outcome> {
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

async function run(argv: string[]): Promise<Outcome> {
  const { values, positionals } = parseFlags(argv);
  if (values.help) return { stdout: USAGE, stderr: '', exitCode: 0 };
  if (values.version) return { stdout: `${VERSION}\n`, stderr: '', exitCode: 0 };
  if (positionals.length > 0) {
    throw new UsageError(`error: unexpected argument "${positionals[0]}"\nRun "post-render --help" for the modes and options.`);
  }
  return runStream(values);
}

function internalError(error: unknown): Outcome {
  const documentNumber = (error as { documentNumber?: number }).documentNumber;
  const where = documentNumber ? ` while processing document ${documentNumber}` : '';
  const detail = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
  return {
    stdout: '',
    stderr: `gateway-compat: internal error${where}, please report it with the command you ran: ${detail}\n`,
    exitCode: 1,
  };
}

function writeAndExit(outcome: Outcome): void {
  // A reader that stops early (`| head`) must not turn into a stack trace.
  process.stdout.on('error', () => process.exit(1));
  if (outcome.stderr) process.stderr.write(outcome.stderr);
  if (!outcome.stdout) {
    process.exitCode = outcome.exitCode;
    return;
  }
  process.stdout.write(outcome.stdout, () => {
    process.exitCode = outcome.exitCode;
  });
}

export async function main(argv: string[]): Promise<void> {
  let outcome: Outcome;
  try {
    outcome = await run(argv);
  } catch (error) {
    outcome =
      error instanceof UserError ? { stdout: '', stderr: `${error.message}\n`, exitCode: error.exitCode } : internalError(error);
  }
  writeAndExit(outcome);
}

await main(process.argv.slice(2));
