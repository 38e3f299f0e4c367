// The help text and version. Kept apart from cli.ts so the text is easy to read and review.
// The version is inlined by the bundler: the one-file CLI runs where no package.json is beside it
// (the Helm plugin folder).
import packageJson from '../../package.json' with { type: 'json' };
// Each rule's option lines come from its descriptor (src/rules/index.ts).
import { RULES } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';

/** `  --flag ARG   what it does`, the description in column 32 (on its own line after a long flag). */
function optionLine(usage: string, help: string): string {
  return usage.length < 29 ? `  ${usage.padEnd(29)}${help}` : `  ${usage}\n${' '.repeat(31)}${help}`;
}

function ruleOptionLines(): string {
  return RULES.flatMap((rule: Rule) => rule.flags)
    .map((flag) => optionLine(flag.usage, flag.help))
    .join('\n');
}

export const USAGE = `Usage: gateway-compat [options] [FILE | -] < rendered.yaml > fixed.yaml
       gateway-compat [options] --write|--check FILE...
       gateway-compat [options] --check [-] < rendered.yaml
       gateway-compat install-kustomize-plugin [PLUGIN_HOME]
       gateway-compat nodes [--json] [--file PATH]
       gateway-compat explain [--json] [--file PATH]
       gateway-compat doctor [--json] [--file PATH]
(post-render is another name for the same command.)

Makes Istio gateways start on Linux kernels before 4.11 (CentOS 7 and kin): removes the pod
sysctl net.ipv4.ip_unprivileged_port_start from workloads and from Istio's gateway injection
templates, and points Gateway API Gateways at an options ConfigMap that clears it.

Modes (picked from the arguments and stdin; docs/hosts.md has a copy-paste example for each):
  stream       manifests on stdin (or in FILE; - is stdin) -> fixed manifests on stdout; the report
               on stderr. --check: change nothing, exit 1 with the diff on stderr if the stream
               would change (else the stream as it is on stdout)
      helm template gw ./chart --post-renderer ./bin/gateway-compat.mjs --post-renderer-args --net-bind-service
      kubectl kustomize overlay/ | gateway-compat > fixed.yaml
  Helm 4       a postrenderer/v1 plugin (helm-plugin/gateway-compat/); on failure the message also
               goes to Helm's stderr or the terminal and to $TMPDIR/gateway-compat-<uid>/last-error.txt
      helm plugin install ./helm-plugin/gateway-compat && helm template gw ./chart --post-renderer gateway-compat
  KRM function stdin is a ResourceList: items are fixed, functionConfig configures (a GatewayCompat
               object or a ConfigMap of key=value strings), changes come back as results
      kpt fn eval pkg/ --exec gateway-compat -- netBindService=true
  kustomize    legacy exec plugin: argv[1] is the GatewayCompat config file kustomize hands over
      gateway-compat install-kustomize-plugin && kubectl kustomize --enable-alpha-plugins overlay/
  files        --write FILE... fixes files in place (atomically; all or none on error);
               --check FILE... changes nothing, prints a unified diff, exits 1 if a file would change
      gateway-compat --write deploy/*.yaml    (pre-commit hooks: gateway-compat, gateway-compat-check)
               options go first; after the first FILE, or after --, every argument is a file
  nodes        which cluster nodes run a kernel older than 4.11
      kubectl get nodes -o json | gateway-compat nodes
  explain      what a pasted error (kubectl describe, events, logs) means and what fixes it
      kubectl describe pod -n istio-ingress <pod> | gateway-compat explain
  doctor       what stands between a cluster and running gateways, in order, with the fixing commands,
               from a bundle of kubectl get -o json output (doctor --help has the one-liner)
      gateway-compat doctor --file bundle.json
  values       the fix as Istio's own chart values (no post-renderer needed); values --help
      helm template istiod istio/istiod | gateway-compat values --chart istiod > istiod-values.yaml
  patches      the fix as kustomize patches (Flux, Argo CD, kustomize, manifests in git); patches --help
      helm template gw istio/gateway | gateway-compat patches --out overlays/gateway-compat
  sail         the merge patch and reviewable kubectl script for a Sail Istio resource; sail --help
      kubectl get istio default -o yaml | gateway-compat sail > fix-istio.sh

Options:
${ruleOptionLines()}
  --include GLOB, --exclude GLOB
                               select resources by Kind[/namespace[/name]] globs, repeatable
  --config FILE                GatewayCompat configuration (YAML or JSON); flags override it
  --strict                     treat warnings as errors (exit 1, nothing on stdout)
  --ignore-warning CODE        acknowledge a warning code (repeatable): left out of the warnings and
                               of --strict, counted in the report (e.g. template-adds-sysctl-back)
  --validate                   parse and check every document, not only those a rule reads
  --max-input-size SIZE        refuse larger input (default 1GiB)
  --report text|json|none      what to print on stderr (default text)
  --report-file PATH           also keep the report (or the error) in PATH, whatever the host shows
  --diff                       a unified diff of each changed document on stderr (never of a Secret)
  --write FILE..., --check FILE...
                               fix files in place / show what would change (see Modes)
  -h, --help                   show this help
  -V, --version                print the version

Exit codes: 0 success, 1 bad input or configuration (nothing on stdout), 2 usage error.
`;

export const VERSION: string = packageJson.version;
