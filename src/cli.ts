// argv -> options; picks the host mode; maps outcomes to exit codes. Nothing else lives here.
// Exit codes: 0 success, 1 bad input / configuration / --strict warnings, 2 usage error.
// On any failure stdout stays empty: Helm, kpt and kustomize would otherwise install or write
// whatever half-made output they received.
//
// Host modes are imported when chosen, not up front: start-up time is paid on every `helm install`
// and pre-commit run, so an empty stream or --help loads neither the YAML parser nor the rules.
import { UserError, UsageError } from './errors.js';
import { clearLastError, isHelmPluginRun, surfaceHelmPluginError } from './hosts/helm4-errors.js';
import { loadConfig, readInputFile } from './config/load.js';
import { manifestStdin, readStdin } from './input/stdin.js';
import type { Outcome } from './hosts/outcome.js';
import { stdinIsTerminal, writeStderr, writeStdout, writeStdoutPieces } from './hosts/stdio.js';
import { decodeText, describeFsError, readBounded } from './input/text.js';
import { misplacedFileMode, parseFlags, reportFormatOf, reportOptionsOf, type ParsedFlags } from './config/flags.js';
import type { renderErrorReport } from './report/render.js';
import { v8FlagsChanged } from './memory.js';
import { AREA_TRANSFORM, compiledAreas, markCompiled } from './code-cache-areas.js';
import { USAGE, VERSION } from './config/usage.js';

/** `kubectl get nodes -o json` of a large cluster is tens of MB; the stream limit is plenty. */
const NODES_INPUT_LIMIT = 1024 ** 3;

async function runNodes(args: string[]): Promise<Outcome> {
  const { runNodesCommand } = await import('./nodes/command.js');
  const stdin = () => readStdin({ limit: NODES_INPUT_LIMIT });
  let stdout = '';
  let stderr = '';
  const exitCode = await runNodesCommand(args, {
    stdin,
    // node:fs/promises and the stream modules it loads cost start-up time: loaded where used
    // bounded like stdin: /dev/zero or a FIFO says size 0 and would be read until memory runs out
    readFile: async (path) =>
      decodeText(
        await readBounded(path, NODES_INPUT_LIMIT, (error) => new UserError(describeFsError(error)), path, 'pass the relevant part only'),
        path,
      ),
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stdinIsTTY: await stdinIsTerminal(),
  });
  return { stdout, stderr, exitCode };
}

/**
 * The stream modes: stdin, or one FILE (`-` is stdin), holds a ResourceList (kpt, kustomize KRM)
 * or a manifest stream. `check`: --check on that stream (change nothing; exit 1 if it would change).
 */
async function runStdin(values: ParsedFlags['values'], source: { file?: string; check?: boolean } = {}): Promise<Outcome> {
  const loaded = await loadConfig(values);
  const limit = loaded.config.maxInputBytes;
  const input = source.file === undefined ? await readStdin(manifestStdin(limit)) : await readInputFile(source.file, limit);
  // Helm renders nothing for a chart with no manifests; answer at once, with nothing to load.
  if (input === '' && values.report !== 'json') return { stdout: '', stderr: '', exitCode: 0 };
  markCompiled(AREA_TRANSFORM);
  const { looksLikeResourceList } = await import('./hosts/resource-list.js');
  if (looksLikeResourceList(input)) {
    if (source.check)
      throw new UsageError(
        'error: --check works on a manifest stream or on files, not on a ResourceList (kpt shows what a function changes: kpt fn eval --dry-run)',
      );
    return (await import('./hosts/krm.js')).runKrm(loaded, input);
  }
  return (await import('./hosts/stream.js')).runStream(values, loaded, { input, ...(source.check ? { check: true } : {}) });
}

/**
 * --write/--check answer on stdout with nothing; inside a host that empty answer would replace
 * every resource (kpt deletes the package's files). Refused whenever a host is detected.
 */
async function refuseFileModeInsideHost(mode: 'write' | 'check'): Promise<void> {
  const { hostFromEnvironment, stdinHoldsContent } = await import('./hosts/host-detection.js');
  const host =
    hostFromEnvironment(process.env) ??
    (stdinHoldsContent() ? 'a host that pipes manifests or a ResourceList into stdin (Helm, kpt, kustomize, a pipe)' : undefined);
  if (host === undefined) return;
  throw new UsageError(
    `error: --${mode} works on the files named and prints no manifests on stdout, but gateway-compat is running inside ${host}, which would take that empty output as the result and drop every resource.\nfix: remove --${mode} and the file names from the host's arguments (post-renderer args, argsOneLiner, --exec); the host's manifests come in on stdin and go out on stdout`,
  );
}

const SUBCOMMANDS = new Set(['nodes', 'explain', 'doctor', 'values', 'patches', 'sail', 'install-kustomize-plugin']);

/**
 * Whether the command line asks for --report json, read from the words themselves: a run that
 * fails on its own flags (an unknown option, an empty value) must answer in JSON too.
 */
function wantsJsonReport(argv: readonly string[]): boolean {
  if (SUBCOMMANDS.has(argv[0] ?? '')) return false;
  let json = false;
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    if (argv[i] === '--report') json = argv[i + 1] === 'json';
    else if (argv[i]?.startsWith('--report=')) json = argv[i] === '--report=json';
  }
  return json;
}

type RenderErrorReport = typeof renderErrorReport;

/** Under --report json a failure's text becomes the error of a report object (schemas/report.schema.json). */
function asJsonError(outcome: Outcome, renderErrorReport: RenderErrorReport): Outcome {
  if (outcome.exitCode === 0 || outcome.stderr.startsWith('{')) return outcome;
  const stderr = renderErrorReport(outcome.stderr, outcome.exitCode);
  return { ...outcome, stderr, ...(outcome.report !== undefined ? { report: stderr } : {}) };
}

/**
 * For the launcher (src/launcher/launch.ts): the parts of this bundle the run compiled, a bit each
 * (src/code-cache-areas.ts), so that a code cache written now covers them; undefined when the run
 * changed V8's flags, which makes V8 refuse any cache written after it.
 */
export function codeCacheLevel(): number | undefined {
  if (v8FlagsChanged()) return undefined;
  return compiledAreas();
}

/** --report-file PATH of this run, once the flags are read: failures are kept there too. */
let reportFile: string | undefined;

async function run(argv: string[]): Promise<Outcome> {
  if (argv[0] === 'nodes') return runNodes(argv.slice(1));
  if (argv[0] === 'explain') return (await import('./explain/command.js')).runExplain(argv.slice(1));
  if (argv[0] === 'doctor') return (await import('./doctor/command.js')).runDoctor(argv.slice(1));
  if (argv[0] === 'values') return (await import('./values/command.js')).runValuesCommand(argv.slice(1));
  if (argv[0] === 'patches') return (await import('./patches/command.js')).runPatchesCommand(argv.slice(1));
  if (argv[0] === 'sail') return (await import('./sail/command.js')).runSailCommand(argv.slice(1));
  if (argv[0] === 'install-kustomize-plugin') {
    return (await import('./hosts/kustomize-install.js')).installKustomizePlugin(argv.slice(1), process.env);
  }
  const { values, positionals, separator, misplaced } = parseFlags(argv);
  reportFile = values['report-file'];
  if (values.help) return { stdout: USAGE, stderr: '', exitCode: 0 };
  if (values.version) return { stdout: `${VERSION}\n`, stderr: '', exitCode: 0 };
  if (values.write && values.check) throw new UsageError('error: --write and --check cannot be combined');
  // --check with no FILE (or `-`) checks the stream on stdin.
  if (values.check && !values.write && (positionals.length === 0 || (positionals.length === 1 && positionals[0] === '-'))) {
    return runStdin(values, { check: true });
  }
  if (values.write || values.check) {
    const mode = values.write ? 'write' : 'check';
    await refuseFileModeInsideHost(mode);
    if (misplaced) throw misplacedFileMode(mode);
    // pre-commit (it sets PRE_COMMIT=1) appends committed file names after the hook's args: only
    // a `--` in front of them keeps a file named --config=x.yaml from being read as an option.
    if (process.env.PRE_COMMIT === '1' && !separator && positionals.length > 0) {
      throw new UsageError(
        `error: under pre-commit, end the hook's args with "--" (for example args: [--net-bind-service, --]) so that no file name can be read as an option; the gateway-compat hooks pass it when args are not set`,
      );
    }
    if (positionals.length === 0) {
      throw new UsageError(`error: --${mode} needs at least one FILE\nRun "gateway-compat --help" for the modes and options.`);
    }
    reportFormatOf(values);
    markCompiled(AREA_TRANSFORM);
    return (await import('./hosts/files.js')).runFiles(values, await loadConfig(values), positionals, mode);
  }
  // kustomize runs a legacy exec plugin with its config file as the only positional argument.
  const [first] = positionals;
  if (first !== undefined) {
    const kustomize = await import('./hosts/kustomize-legacy.js');
    if (await kustomize.isKustomizePluginCall(positionals, process.env)) {
      // kustomize's config is the host's layer, under --config and the flags
      const hostSpec = await kustomize.readPluginConfig(first);
      reportOptionsOf(values);
      return (await import('./hosts/stream.js')).runStream(values, await loadConfig(values, hostSpec));
    }
  }
  if (positionals.length > 1) {
    throw new UsageError(
      `error: ${positionals.length} files given; the stream mode reads one FILE (or - for stdin) and writes the result to stdout.\nTo fix several files in place: gateway-compat --write FILE... (--check FILE... only shows the diff).\nRun "gateway-compat --help" for the modes and options.`,
    );
  }
  if (first !== undefined && first !== '-' && isHelmPluginRun(process.env)) {
    throw new UsageError(
      `error: unexpected argument "${first}": under Helm 4 the manifests come on stdin; a FILE would replace them. Remove it from --post-renderer-args.`,
    );
  }
  return runStdin(values, first === undefined || first === '-' ? {} : { file: first });
}

function internalError(error: unknown): Outcome {
  // Anything can be thrown, null and undefined included: this path itself must never throw.
  const documentNumber = (error as { documentNumber?: number } | null | undefined)?.documentNumber;
  const where = documentNumber ? ` while processing document ${documentNumber}` : '';
  const detail = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
  return {
    stdout: '',
    stderr: `gateway-compat: internal error${where}, please report it with the command you ran: ${detail}\n`,
    exitCode: 1,
  };
}

/** What a failed write of stdout means; undefined when the reader just went away (EPIPE, `| head`). */
function outputError(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EPIPE') return undefined;
  const reason =
    code === 'ENOSPC'
      ? 'no space left on the device'
      : code === 'EDQUOT'
        ? 'disk quota exceeded'
        : ((error as Error | null)?.message ?? String(error));
  return `error: cannot write the output to stdout: ${reason}; the output is incomplete, do not use it`;
}

/** `renderErrorReport` is given under --report json. */
function writeAndExit(outcome: Outcome, renderErrorReport: RenderErrorReport | undefined): void {
  // Written with write(2), never through process.stdout/stderr: making those stream objects loads
  // modules that cost start-up time on every run, and a pipe's writes are synchronous anyway.
  // stdout first: the report is only true once the manifests are out, and a full disk (ENOSPC,
  // /dev/full) must end in an error line and exit 1, never in a success report.
  try {
    if (typeof outcome.stdout === 'string') {
      if (outcome.stdout) writeStdout(outcome.stdout);
    } else {
      // A stream goes out in synchronous batches of about 1 MiB: few writes, and never a copy of
      // the whole output queued in memory behind a slow reader.
      writeStdoutPieces(outcome.stdout);
    }
  } catch (error) {
    const message = outputError(error);
    // The reader went away (EPIPE, `| head`): stop quietly, as a pipe's writer should.
    if (message !== undefined) writeStderr(renderErrorReport ? renderErrorReport(message, 1) : `${message}\n`);
    process.exit(1);
  }
  if (outcome.stderr) writeStderr(outcome.stderr);
  process.exitCode = outcome.exitCode;
}

export async function main(argv: string[]): Promise<void> {
  const helmPlugin = isHelmPluginRun(process.env);
  if (helmPlugin) clearLastError(process.env);
  let outcome: Outcome;
  try {
    outcome = await run(argv);
  } catch (error) {
    outcome = error instanceof UserError ? { stdout: '', stderr: `${error.message}\n`, exitCode: error.exitCode } : internalError(error);
  }
  // The report's renderer loads the YAML and diff modules, node:crypto the report file's writer:
  // loaded only for the runs that use them.
  const renderErrorReport = wantsJsonReport(argv) ? (await import('./report/render.js')).renderErrorReport : undefined;
  if (renderErrorReport) outcome = asJsonError(outcome, renderErrorReport);
  if (reportFile !== undefined) {
    const { writeReportFile } = await import('./hosts/report-file.js');
    const failed = await writeReportFile(reportFile, outcome.report ?? outcome.stderr);
    if (failed) outcome = { stdout: '', stderr: `${outcome.stderr}${failed}\n`, exitCode: 1 };
  }
  // Helm 4 never shows a plugin's stderr: deliver the failure where the user will see it.
  if (outcome.exitCode !== 0 && helmPlugin) surfaceHelmPluginError(outcome.stderr, process.env);
  writeAndExit(outcome, renderErrorReport);
}
