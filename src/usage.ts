// The help text and version. Kept apart from cli.ts so the text is easy to read and review.
import { readFileSync } from 'node:fs';

export const USAGE = `Usage: post-render [options] < rendered.yaml > fixed.yaml

Makes Istio gateways start on Linux kernels before 4.11 (CentOS 7 and kin): removes the pod
sysctl net.ipv4.ip_unprivileged_port_start from workloads and from Istio's gateway injection
templates, and points Gateway API Gateways at an options ConfigMap that clears it.

Modes:
  post-render [options]            stdin -> stdout (Helm 3 --post-renderer, Helm 4 plugin, pipes)
      helm install gw ./chart --post-renderer ./bin/post-render --post-renderer-args --net-bind-service

Options:
  --net-bind-service           give istio-proxy in gateway workloads NET_BIND_SERVICE
  --run-as-root                run istio-proxy in gateway workloads as root (uid/gid 0)
  --gateway-template FILE      default gateway injection template to set on Istio resources without one
  --options-configmap NAME     Gateway API options ConfigMap name (default asm-kube-gateway-options)
  --gateway-class GLOB         Gateway classes to handle, repeatable (default istio)
  --remove-sysctl NAME         sysctl to remove, repeatable (default net.ipv4.ip_unprivileged_port_start)
  --no-sysctls                 leave workload sysctls alone
  --no-injection-templates     leave injection templates alone
  --no-gateway-options         leave Gateway API Gateways alone
  --include GLOB, --exclude GLOB
                               select resources by Kind[/namespace[/name]] globs, repeatable
  --config FILE                GatewayCompat configuration (YAML or JSON); flags override it
  --strict                     treat warnings as errors (exit 1, nothing on stdout)
  --validate                   parse and check every document, not only those a rule reads
  --max-input-size SIZE        refuse larger input (default 1GiB)
  --report text|json|none      what to print on stderr (default text)
  -h, --help                   show this help
  -V, --version                print the version

Exit codes: 0 success, 1 bad input or configuration (nothing on stdout), 2 usage error.
`;

export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
})();
