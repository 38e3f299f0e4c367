// `gateway-compat sail`: for a Sail operator `Istio` resource (a file, or `kubectl get istio NAME
// -o yaml`), the merge patch that takes the sysctl out of its gateway templates and the script
// that applies it, for a person to review and run. Nothing is applied here.
import { UsageError, UserError } from '../errors.js';
import { oneOf, parseSubcommandFlags } from '../export/flags.js';
import { loadConfig } from '../config/load.js';
import { manifestStdin, readStdin } from '../input/stdin.js';
import type { Outcome } from '../hosts/outcome.js';
import { ADDITIVE_TEMPLATE_NAME } from './additive-template.js';
import { sailPlan } from './istio-resource.js';
import { parseGatewayDeployment, sailScript } from './script.js';

export const SAIL_USAGE = `Usage: kubectl get istio default -o yaml | gateway-compat sail [--format script|patch] [options] > fix-istio.sh

For a Sail operator Istio resource, prints the reviewable script (default) or the JSON merge patch
(--format patch) that takes net.ipv4.ip_unprivileged_port_start out of its gateway injection
templates: kubectl patch istio NAME --type=merge -p '...', then kubectl wait --for condition=Ready.

  With a gateway template on the resource: the template, rewritten.
  Without one: a small template "${ADDITIVE_TEMPLATE_NAME}" that empties the pod sysctls, stacked after Istio's own
  (inject.istio.io/templates: gateway,${ADDITIVE_TEMPLATE_NAME} on the gateway pods), where that was shown to work
  (Istio 1.18 to 1.30, by spec.version); otherwise --gateway-template FILE is required. On 1.26+
  spec.values.gatewayClasses gives Gateway API Deployments the same patch.

  --name NAME                  which Istio resource, when the input holds several
  --gateway-deployment NS/NAME the gateway Deployments to annotate or restart (repeatable)
  --format script|patch        the script (default) or only the merge patch
  and the configuration options of the post-renderer (--net-bind-service, --run-as-root,
  --gateway-template FILE, --config FILE, ...).
`;

export async function runSailCommand(args: string[]): Promise<Outcome> {
  const { values: flags, positionals } = parseSubcommandFlags('sail', args, {
    name: { type: 'string' },
    format: { type: 'string' },
    'gateway-deployment': { type: 'string', multiple: true },
  });
  if (flags.help) return { stdout: SAIL_USAGE, stderr: '', exitCode: 0 };
  if (positionals.length > 0)
    throw new UsageError(`error: unexpected argument "${positionals[0]}": sail reads the Istio resource on stdin\n\n${SAIL_USAGE}`);
  const format = oneOf('format', flags.format as string | undefined, ['script', 'patch'] as const, 'script');
  const deployments = ((flags['gateway-deployment'] as string[] | undefined) ?? []).map(parseGatewayDeployment);
  const loaded = await loadConfig(flags);
  const input = await readStdin(manifestStdin(loaded.config.maxInputBytes));
  if (input.trim() === '') throw new UserError('error: the input is empty: kubectl get istio NAME -o yaml | gateway-compat sail');
  const plan = sailPlan(input, loaded, flags.name as string | undefined);
  const notes = plan.notes.map((note) => `note: ${note}\n`).join('');
  if (format === 'patch') return { stdout: `${JSON.stringify(plan.patch)}\n`, stderr: notes, exitCode: 0 };
  return { stdout: sailScript(plan, deployments), stderr: notes, exitCode: 0 };
}
