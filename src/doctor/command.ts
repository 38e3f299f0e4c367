// `gateway-compat doctor`: a bundle of `kubectl get ... -o json` output in, the ordered list of what
// stands between the cluster and running gateways out, each with the command that fixes it.
import { UsageError } from '../errors.js';
import type { Outcome } from '../hosts/outcome.js';
import { parseSubcommandFlags } from '../hosts/subcommand-args.js';
import { readTextInput } from '../input/text-input.js';
import { BUNDLE_COMMAND, readBundle } from './bundle.js';
import { diagnose } from './diagnose.js';
import { renderJson, renderText } from './render.js';

export const EXIT_CLEAR = 0;
export const EXIT_BLOCKED = 1;

// Every ConfigMap and Event of a large cluster can be big; this still bounds memory.
const INPUT_LIMIT = 512 * 1024 ** 2;

export const DOCTOR_USAGE = `Usage: gateway-compat doctor [--json] < bundle.json
       gateway-compat doctor --file bundle.json [--json]

Reads a bundle of \`kubectl get ... -o json\` output (nodes, pods, Deployments,
Services, ConfigMaps, events, Gateway API Gateways, Sail Istio resources); lists, in
the order to fix them, what stands between the cluster and running gateways:
runtime problems the events show, injection templates that add the sysctl
back, gateway Deployments that set it, Gateways without options, ports below
1024, and the pods to restart; each with the command that fixes it (the Helm
release to post-render, the Istio resource or object to pipe through
gateway-compat, a node setting). Nothing is changed in the cluster.

Make the bundle with:
  ${BUNDLE_COMMAND}

Options:
  -f, --file PATH   read the bundle from PATH instead of stdin
      --json        print {"clear":...,"blockers":[...],"nodes":[...]} instead
  -h, --help        show this help

Exit codes:
  0  nothing stands in the way
  1  something does (the list says what, in order)
  2  usage error, or a bundle that cannot be read (nothing on stdout)
`;

export async function runDoctor(args: string[]): Promise<Outcome> {
  const values = parseSubcommandFlags('doctor', args, 'the bundle');
  if (values.help) return { stdout: DOCTOR_USAGE, stderr: '', exitCode: 0 };
  const text = await readTextInput({
    file: values.file,
    limit: INPUT_LIMIT,
    command: 'doctor',
    example: `${BUNDLE_COMMAND}; gateway-compat doctor < bundle.json`,
  });
  if (text.trim() === '') throw new UsageError(`gateway-compat doctor: the bundle is empty.\nMake one with:\n  ${BUNDLE_COMMAND}`);
  const diagnosis = diagnose(readBundle(text));
  return {
    stdout: values.json ? renderJson(diagnosis) : renderText(diagnosis),
    stderr: '',
    exitCode: diagnosis.blockers.length === 0 ? EXIT_CLEAR : EXIT_BLOCKED,
  };
}
