// argv -> options; picks the host mode; maps outcomes to exit codes. Nothing else lives here.
// Exit codes: 0 success, 1 bad input / configuration / --strict warnings, 2 usage error.
// On any failure stdout stays empty: Helm, kpt and kustomize would otherwise install or write
// whatever half-made output they received.
import { readFile } from 'node:fs/promises';
import getStdin from 'get-stdin';
import { UserError, UsageError } from './errors.js';
import type { Outcome } from './hosts/outcome.js';
import { runStream } from './hosts/stream.js';
import { runNodesCommand } from './nodes/command.js';
import { parseFlags } from './options.js';
import { USAGE, VERSION } from './usage.js';

async function runNodes(args: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runNodesCommand(args, {
    stdin: () => getStdin(),
    readFile: (path) => readFile(path, 'utf8'),
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stdinIsTTY: Boolean(process.stdin.isTTY),
  });
  return { stdout, stderr, exitCode };
}

async function run(argv: string[]): Promise<Outcome> {
  if (argv[0] === 'nodes') return runNodes(argv.slice(1));
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
  process.exitCode = outcome.exitCode;
  if (outcome.stdout) process.stdout.write(outcome.stdout);
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
