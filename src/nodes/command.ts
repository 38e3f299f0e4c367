// `gateway-compat nodes`: reads `kubectl get nodes` output and says which nodes need gateway-compat.
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { readGatewayPods, type GatewayPod } from './gateway-pods.js';
import { assessNode, summarize, type NodeAssessment } from './node-check.js';
import { NodeInputError, readNodeList } from './node-list.js';
import { renderJson, renderNotes, renderPods, renderSummary, renderTable, renderUnknownNote } from './render.js';

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

const VALID_INPUT_HINT = 'Get valid input with: kubectl get nodes -o json | gateway-compat nodes';

export const NODES_USAGE = `Usage: kubectl get nodes -o json | gateway-compat nodes [--json] [--pods FILE]
       gateway-compat nodes --file PATH [--json] [--pods FILE]

Lists each node's kernel, container runtime and kubelet, and whether Istio
gateways scheduled there need gateway-compat: kernels older than 4.11 lack the
sysctl net.ipv4.ip_unprivileged_port_start, and kubelets older than 1.22 reject
it as unsafe. Under "Node settings" it notes what else matters on a node:
containerd 2.x sets the sysctl in every pod sandbox itself and refuses that
default on kernels older than 4.11; kubelet 1.35 and later refuse cgroup v1
(kernels older than 5.8) unless failCgroupV1 is false.

Input is the output of \`kubectl get nodes -o json\` or \`-o yaml\` (a List of
Nodes, or a single Node), read from stdin or from --file.

Options:
  -f, --file PATH   read the nodes from PATH instead of stdin
      --pods FILE   also show which gateway pods run or wait on which node, from
                    \`kubectl get pods -A -o json\` saved in FILE
      --json        print {"nodes":[...],"summary":{...}} instead of a table
  -h, --help        show this help

Exit codes:
  0  no node needs the fix
  1  at least one node runs a kernel older than 4.11 or a kubelet older than 1.22
  2  bad input or bad options (nothing on stdout)
A node whose kernel version is missing or unreadable is shown as "unknown",
counted in the summary and named on stderr, but does not change the exit code.

Examples:
  kubectl get nodes -o json | gateway-compat nodes
  kubectl get pods -A -o json > pods.json && kubectl get nodes -o json | gateway-compat nodes --pods pods.json
  kubectl get nodes -o yaml > nodes.yaml && gateway-compat nodes --file nodes.yaml --json
`;

interface NodesOptions {
  help: boolean;
  json: boolean;
  file: string | undefined;
  pods: string | undefined;
}

/** `args` are the words after `nodes`; returns the process exit code. */
export async function runNodesCommand(args: string[], io: CommandIo): Promise<number> {
  let options: NodesOptions;
  try {
    options = parseNodesArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${error.message}\n\n${NODES_USAGE}`);
    return EXIT_BAD_INPUT;
  }
  if (options.help) {
    io.stdout(NODES_USAGE);
    return EXIT_NO_NODE_NEEDS_FIX;
  }
  // Reading a terminal would sit waiting for input the operator does not know to type.
  if (options.file === undefined && io.stdinIsTTY) {
    io.stderr(`gateway-compat nodes: no input: stdin is a terminal and --file was not given.\n${VALID_INPUT_HINT}\n\n${NODES_USAGE}`);
    return EXIT_BAD_INPUT;
  }

  const source = options.file === undefined ? 'stdin' : options.file;
  let text: string;
  try {
    text = options.file === undefined ? await io.stdin() : await io.readFile(options.file);
  } catch (error) {
    io.stderr(`gateway-compat nodes: cannot read ${source}: ${messageOf(error).replace(/^error: /, '')}\n${VALID_INPUT_HINT}\n`);
    return EXIT_BAD_INPUT;
  }

  let assessments: NodeAssessment[];
  try {
    assessments = readNodeList(text).map(assessNode);
  } catch (error) {
    if (!(error instanceof NodeInputError)) throw error;
    io.stderr(`gateway-compat nodes: cannot use ${source}: ${error.message}.\n${VALID_INPUT_HINT}\n`);
    return EXIT_BAD_INPUT;
  }

  let pods: GatewayPod[] | undefined;
  if (options.pods !== undefined) {
    const podsHint = 'Get valid input with: kubectl get pods -A -o json > pods.json';
    try {
      pods = readGatewayPods(await io.readFile(options.pods));
    } catch (error) {
      const problem =
        error instanceof NodeInputError
          ? `cannot use --pods ${options.pods}: ${error.message}.`
          : `cannot read --pods ${options.pods}: ${messageOf(error).replace(/^error: /, '')}`;
      io.stderr(`gateway-compat nodes: ${problem}\n${podsHint}\n`);
      return EXIT_BAD_INPUT;
    }
  }

  const summary = summarize(assessments);
  if (options.json) io.stdout(renderJson(assessments, summary, pods));
  // A header with no rows says nothing; the summary alone tells that the list was empty.
  else {
    const sections = summary.total === 0 ? [] : [renderTable(assessments), renderNotes(assessments), pods && renderPods(assessments, pods)];
    io.stdout([...sections.filter((section) => section !== undefined), renderSummary(summary)].join('\n'));
  }
  const unknownNote = renderUnknownNote(assessments);
  if (unknownNote !== undefined) io.stderr(unknownNote);
  return summary.needFix > 0 ? EXIT_SOME_NODE_NEEDS_FIX : EXIT_NO_NODE_NEEDS_FIX;
}

/** The shared usage error (exit code 2), worded as this command always has. */
const usage = (message: string): UsageError => new UsageError(`gateway-compat nodes: ${message}`);

function parseNodesArgs(args: string[]): NodesOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        file: { type: 'string', short: 'f', multiple: true },
        pods: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // parseArgs' messages are long and generic; say it the way this command always has.
    const message = messageOf(error);
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw usage(`unknown option ${/'([^']+)'/.exec(message)?.[1] ?? message}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw usage(`${/--[a-z-]+/.exec(message)?.[0] ?? 'an option'} needs a path`);
    throw usage(message);
  }
  const [first] = parsed.positionals;
  if (first !== undefined) throw usage(`unexpected argument ${first}; pass a file with --file ${first}`);
  const single = (values: string[] | undefined, flag: string): string | undefined => {
    if (values === undefined) return undefined;
    if (values.length > 1) throw usage(`${flag} given more than once`);
    if (values[0] === '') throw usage(`${flag} needs a path`);
    return values[0];
  };
  return {
    help: parsed.values.help === true,
    json: parsed.values.json === true,
    file: single(parsed.values.file, '--file'),
    pods: single(parsed.values.pods, '--pods'),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
