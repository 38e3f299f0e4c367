// `post-render nodes`: reads `kubectl get nodes` output and says which nodes need gateway-compat.
import { assessNode, summarize, type NodeAssessment } from './node-check.js';
import { NodeInputError, readNodeList } from './node-list.js';
import { renderJson, renderSummary, renderTable, renderUnknownNote } from './render.js';

/** Everything the command touches outside itself, so tests and the CLI can supply their own. Output text carries its own newlines. */
export interface CommandIo {
  stdin: () => Promise<string>;
  readFile: (path: string) => Promise<string>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdinIsTTY: boolean;
}

export const EXIT_NO_NODE_NEEDS_FIX = 0;
export const EXIT_SOME_NODE_NEEDS_FIX = 1;
export const EXIT_BAD_INPUT = 2;

const VALID_INPUT_HINT = 'Get valid input with: kubectl get nodes -o json | post-render nodes';

export const NODES_USAGE = `Usage: kubectl get nodes -o json | post-render nodes [--json]
       post-render nodes --file PATH [--json]

Lists each node's kernel and whether Istio gateways scheduled there need
gateway-compat: kernels older than 4.11 lack the sysctl
net.ipv4.ip_unprivileged_port_start.

Input is the output of \`kubectl get nodes -o json\` or \`-o yaml\` (a List of
Nodes, or a single Node), read from stdin or from --file.

Options:
  -f, --file PATH   read the nodes from PATH instead of stdin
      --json        print {"nodes":[...],"summary":{...}} instead of a table
  -h, --help        show this help

Exit codes:
  0  no node needs the fix
  1  at least one node runs a kernel older than 4.11
  2  bad input or bad options
A node whose kernel version is missing or unreadable is shown as "unknown",
counted in the summary and named on stderr, but does not change the exit code.

Examples:
  kubectl get nodes -o json | post-render nodes
  kubectl get nodes -o yaml > nodes.yaml && post-render nodes --file nodes.yaml --json
`;

interface NodesOptions {
  help: boolean;
  json: boolean;
  file: string | undefined;
}

class UsageError extends Error {}

/** `args` are the words after `nodes`; returns the process exit code. */
export async function runNodesCommand(args: string[], io: CommandIo): Promise<number> {
  let options: NodesOptions;
  try {
    options = parseNodesArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`post-render nodes: ${error.message}\n\n${NODES_USAGE}`);
    return EXIT_BAD_INPUT;
  }
  if (options.help) {
    io.stdout(NODES_USAGE);
    return EXIT_NO_NODE_NEEDS_FIX;
  }
  // Reading a terminal would sit waiting for input the operator does not know to type.
  if (options.file === undefined && io.stdinIsTTY) {
    io.stderr(`post-render nodes: no input: stdin is a terminal and --file was not given.\n${VALID_INPUT_HINT}\n\n${NODES_USAGE}`);
    return EXIT_BAD_INPUT;
  }

  const source = options.file === undefined ? 'stdin' : options.file;
  let text: string;
  try {
    text = options.file === undefined ? await io.stdin() : await io.readFile(options.file);
  } catch (error) {
    io.stderr(`post-render nodes: cannot read ${source}: ${messageOf(error)}\n${VALID_INPUT_HINT}\n`);
    return EXIT_BAD_INPUT;
  }

  let assessments: NodeAssessment[];
  try {
    assessments = readNodeList(text).map(assessNode);
  } catch (error) {
    if (!(error instanceof NodeInputError)) throw error;
    io.stderr(`post-render nodes: cannot use ${source}: ${error.message}.\n${VALID_INPUT_HINT}\n`);
    return EXIT_BAD_INPUT;
  }

  const summary = summarize(assessments);
  if (options.json) io.stdout(renderJson(assessments, summary));
  // A header with no rows says nothing; the summary alone tells that the list was empty.
  else io.stdout(summary.total === 0 ? renderSummary(summary) : `${renderTable(assessments)}\n${renderSummary(summary)}`);
  const unknownNote = renderUnknownNote(assessments);
  if (unknownNote !== undefined) io.stderr(unknownNote);
  return summary.needFix > 0 ? EXIT_SOME_NODE_NEEDS_FIX : EXIT_NO_NODE_NEEDS_FIX;
}

function parseNodesArgs(args: readonly string[]): NodesOptions {
  const options: NodesOptions = { help: false, json: false, file: undefined };
  const setFile = (path: string | undefined, flag: string): void => {
    if (path === undefined || path === '') throw new UsageError(`${flag} needs a path`);
    if (options.file !== undefined) throw new UsageError(`${flag} given more than once`);
    options.file = path;
  };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '-h' || arg === '--help') options.help = true;
    else if (arg === '--json') options.json = true;
    else if (arg === '-f' || arg === '--file') setFile(args[(index += 1)], arg);
    else if (arg.startsWith('--file=')) setFile(arg.slice('--file='.length), '--file');
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else throw new UsageError(`unexpected argument ${arg}; pass a file with --file ${arg}`);
  }
  return options;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
