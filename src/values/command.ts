// `gateway-compat values`: the fix as Istio's own chart settings, so that no post-renderer is
// needed where the Istio version allows it. Reads a rendered release on stdin, prints a values
// file (or the spec.values of a Sail Istio / an IstioOperator) on stdout, notes on stderr.
import { stringify } from 'yaml';
import { UsageError, UserError } from '../errors.js';
import { oneOf, parseSubcommandFlags } from '../export/flags.js';
import type { Plain } from '../export/objects.js';
import { loadConfig } from '../config/load.js';
import { manifestStdin, readStdin } from '../input/stdin.js';
import type { Outcome } from '../hosts/outcome.js';
import { gatewayValues } from './gateway-chart.js';
import { istiodValues, type ValuesPlan, type ValuesTarget } from './istiod-chart.js';
import { versionFlag } from './istio-version.js';

export const VALUES_USAGE = `Usage: gateway-compat values --chart istiod|gateway [--format helm|sail|istiooperator]
                             [--istio-version X.Y.Z] [options] < rendered.yaml > values.yaml

Prints the settings that make Istio's own charts render without net.ipv4.ip_unprivileged_port_start,
so that no post-renderer is needed: for the gateway chart securityContext (and containerSecurityContext
with --net-bind-service/--run-as-root, service.ports with --unprivileged-ports); for istiod
gateways.securityContext where the chart has it (1.20.8, 1.21.4+, 1.22.2+, 1.23+), the rewritten
gateway injection templates where it does not (or where a grant must go into them), and on 1.26+
gatewayClasses defaults for Gateway API classes.

  --chart istiod|gateway       which release the input is a render of (required)
  --format helm|sail|istiooperator
                               a Helm values file (default), a Sail Istio resource or an IstioOperator
                               (istiod only); Sail's API has no gateways key, so it gets the templates
  --istio-version X.Y.Z        the Istio release, when the render does not say it
  and the configuration options of the post-renderer (--net-bind-service, --run-as-root,
  --unprivileged-ports, --config FILE, ...; see gateway-compat --help).

  helm template istiod istio/istiod -n istio-system > istiod.yaml
  gateway-compat values --chart istiod --net-bind-service --run-as-root < istiod.yaml > istiod-values.yaml
  helm upgrade --install istiod istio/istiod -n istio-system -f istiod-values.yaml

Exit codes: 0 values printed, 1 the input cannot be fixed with values (the message says why), 2 usage.
`;

const HEADERS: Record<ValuesTarget, (values: Plain) => Plain> = {
  helm: (values) => values,
  sail: (values) => ({ apiVersion: 'sailoperator.io/v1', kind: 'Istio', metadata: { name: 'default' }, spec: { values } }),
  istiooperator: (values) => ({ apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', spec: { values } }),
};

export function renderValues(plan: ValuesPlan, target: ValuesTarget, chart: string): string {
  const how =
    target === 'helm'
      ? `helm upgrade ... -f this-file (chart ${chart})`
      : target === 'sail'
        ? 'merge into your Istio resource (or: gateway-compat sail)'
        : 'merge into the IstioOperator you give istioctl install -f';
  const body =
    Object.keys(plan.values).length === 0 && target === 'helm'
      ? '{}\n'
      : stringify(HEADERS[target](plan.values), { version: '1.1', lineWidth: 0 });
  return `# gateway-compat values: ${how}\n${body}`;
}

export async function runValuesCommand(args: string[]): Promise<Outcome> {
  const { values: flags, positionals } = parseSubcommandFlags('values', args, {
    chart: { type: 'string' },
    format: { type: 'string' },
    'istio-version': { type: 'string' },
  });
  if (flags.help) return { stdout: VALUES_USAGE, stderr: '', exitCode: 0 };
  if (positionals.length > 0)
    throw new UsageError(`error: unexpected argument "${positionals[0]}": values reads the render on stdin\n\n${VALUES_USAGE}`);
  if (flags.chart === undefined) throw new UsageError(`error: values needs --chart istiod or --chart gateway\n\n${VALUES_USAGE}`);
  const chart = oneOf('chart', flags.chart as string, ['istiod', 'gateway'] as const, 'istiod');
  const target = oneOf('format', flags.format as string | undefined, ['helm', 'sail', 'istiooperator'] as const, 'helm');
  if (chart === 'gateway' && target !== 'helm') {
    throw new UsageError(
      `error: --format ${target} is for the control plane: the gateway chart is installed with Helm (Sail and istioctl do not render it); use --chart istiod, or --format helm`,
    );
  }
  const version = versionFlag(flags['istio-version'] as string | undefined);
  const loaded = await loadConfig(flags);
  const input = await readStdin(manifestStdin(loaded.config.maxInputBytes));
  if (input.trim() === '') throw new UserError('error: the input is empty: pipe the rendered release into gateway-compat values');
  const plan = chart === 'gateway' ? gatewayValues(input, loaded) : istiodValues(input, loaded, target, version);
  return {
    stdout: renderValues(plan, target, chart),
    stderr: plan.notes.map((note) => `note: ${note}\n`).join(''),
    exitCode: 0,
  };
}
