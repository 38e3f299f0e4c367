// The warnings analysis (src/warnings/): each warning's trigger and its counter-cases, --strict,
// and "pay only for what you touch" (which documents the analysis parses at all).
import { describe, expect, it } from 'vitest';
import { defaultConfig, type ConfigSpec } from '../../src/config/config.js';
import { EditableDocument } from '../../src/yaml/editable-document.js';
import { StrictModeError, UserError } from '../../src/errors.js';
import type { WarningCode, WarningRecord } from '../../src/report/records.js';
import { transform } from '../../src/transform.js';
import { decidingVersion } from '../../src/kube/istio-versions.js';
import { compareVersions, parseVersion } from '../../src/kube/version.js';
import { splitStream } from '../../src/stream/split.js';
import { findGatewayWorkloads } from '../../src/kube/gateway-workloads.js';
import { findSelectingServices, mightHoldService } from '../../src/kube/services.js';
import { lenientView, type StreamView } from '../../src/kube/view.js';
import {
  gatewayDeployment as buildDeployment,
  gateway as buildGateway,
  istioResource,
  service as buildService,
} from '../helpers/manifests.js';

const doc = (text: string): string => `---\n${text.trim()}\n`;

// The manifests come from test/helpers/manifests.ts; these give them this file's defaults (the
// edge-gw gateway in istio-ingress, quoted labels, Gateways in apps on port 8080).
function gatewayDeployment(
  options: { name?: string; ns?: string; template?: boolean; ports?: number[]; runAsUser?: number; labels?: Record<string, string> } = {},
): string {
  const { name = 'edge-gw', ns = 'istio-ingress', template = true, ports = [], runAsUser } = options;
  const labels = options.labels ?? { app: name };
  // template: false is a gateway rendered whole (istiod's Gateway API deployment), not injected
  const proxyArgs = template ? undefined : '[proxy, router]';
  return doc(
    buildDeployment({ name, namespace: ns, selector: false, injected: template, labels, quoteLabels: true, proxyArgs, runAsUser, ports }),
  );
}

function service(
  options: { name?: string; ns?: string; selector?: Record<string, string>; ports?: [number, number | string | undefined][] } = {},
): string {
  const { name = 'edge-gw', ns = 'istio-ingress', selector = { app: 'edge-gw' }, ports = [[80, 80]] } = options;
  return doc(
    buildService({ name, namespace: ns, selector, quoteSelector: true, ports: ports.map(([port, targetPort]) => ({ port, targetPort })) }),
  );
}

const istioCR = (version = 'v1.27.0'): string => doc(istioResource(version));

const apiGateway = (options: { name?: string; className?: string; port?: number } = {}): string =>
  doc(buildGateway(options.name ?? 'edge', options.className ?? 'istio', 'apps', { port: options.port ?? 8080 }));

function warningsOf(input: string, config: ConfigSpec = {}): WarningRecord[] {
  return transform(input, { config }).warnings;
}
const codesOf = (input: string, config: ConfigSpec = {}): WarningCode[] => warningsOf(input, config).map((w) => w.code);

describe('privileged-port', () => {
  it('names the workload and each port below 1024 a matching Service targets, and the ways out', () => {
    const warnings = warningsOf(
      gatewayDeployment() +
        service({
          ports: [
            [80, 80],
            [443, 8443],
            [15021, 15021],
          ],
        }) +
        istioCR(),
    );
    expect(warnings.map((w) => w.code)).toEqual(['privileged-port']);
    const [warning] = warnings as [WarningRecord];
    expect(warning.resource).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'istio-ingress', name: 'edge-gw' });
    expect(warning.severity).toBe('warning');
    expect(warning.document).toBe(1);
    expect(warning.path).toBe('spec.template.spec.containers');
    expect(warning.message).toContain('port 80 (targetPort of Service istio-ingress/edge-gw)');
    expect(warning.message).not.toContain('443');
    for (const way of ['--unprivileged-ports', '--run-as-root']) expect(warning.message).toContain(way);
  });

  it('reads a Service without targetPort as targeting its port, and istio-proxy containerPorts too', () => {
    const [warning] = warningsOf(gatewayDeployment({ ports: [9443, 853] }) + service({ ports: [[80, undefined]] }) + istioCR());
    expect(warning?.message).toContain(
      'ports 80 (port of Service istio-ingress/edge-gw, which has no targetPort) and 853 (containerPort of istio-proxy)',
    );
  });

  it('ignores Services that select other pods or live in another namespace', () => {
    const input =
      gatewayDeployment() +
      service({ name: 'web', selector: { app: 'web' } }) +
      service({ name: 'other-ns', ns: 'apps' }) +
      service({ name: 'wider', selector: { app: 'edge-gw', tier: 'x' } }) +
      istioCR();
    expect(codesOf(input)).toEqual([]);
  });

  it('flags a listener below 1024 of a Gateway API Gateway of a handled class only', () => {
    const warnings = warningsOf(
      apiGateway({ port: 80 }) + apiGateway({ name: 'nginx', className: 'nginx', port: 80 }) + apiGateway({ name: 'high', port: 8443 }),
    );
    expect(warnings.map((w) => `${w.code} ${w.resource?.name}`)).toEqual(['privileged-port edge']);
    expect(warnings[0]?.message).toContain('--unprivileged-ports cannot move Gateway API listeners');
  });

  it('is quiet when the pod will bind: root with the capability not dropped, or --run-as-root; not for the capability alone', () => {
    const input = gatewayDeployment() + service() + istioCR();
    expect(codesOf(gatewayDeployment({ runAsUser: 0 }) + service() + istioCR())).toEqual([]);
    expect(codesOf(input, { runAsRoot: true })).toEqual([]);
    // A non-root process may never get an added capability: runtime-dependent, so it warns.
    expect(codesOf(input, { netBindService: true })).toEqual(['privileged-port', 'capability-without-root']);
    expect(codesOf(input, { netBindService: true, runAsRoot: true })).toEqual([]);
  });

  it('is quiet once --unprivileged-ports moved the ports', () => {
    expect(codesOf(gatewayDeployment({ ports: [80] }) + service() + istioCR(), { unprivilegedPorts: { enabled: true } })).toEqual([]);
  });

  it('becomes an error under --strict: nothing is returned', () => {
    expect(() => transform(gatewayDeployment() + service() + istioCR(), { config: { strict: true } })).toThrow(StrictModeError);
    expect(() => transform(gatewayDeployment() + service() + istioCR(), { config: { strict: true } })).toThrow(/\[privileged-port\]/);
  });
});

describe('capability-without-root', () => {
  it('warns once when --net-bind-service comes without --run-as-root and the stream has a gateway', () => {
    const warnings = warningsOf(gatewayDeployment() + gatewayDeployment({ name: 'two' }) + istioCR(), { netBindService: true });
    expect(warnings.map((w) => w.code)).toEqual(['capability-without-root']);
    expect(warnings[0]?.resource).toBeUndefined();
    expect(warnings[0]?.message).toContain('kubernetes/kubernetes#56374');
  });

  it('also for Gateway API Gateways and template holders alone; not for a stream without gateways', () => {
    expect(codesOf(apiGateway(), { netBindService: true })).toEqual(['capability-without-root']);
    expect(codesOf(istioCR(), { netBindService: true })).toEqual(['capability-without-root']);
    expect(codesOf(service({ name: 'web', selector: { app: 'web' } }), { netBindService: true })).toEqual(['nothing-matched']);
  });
});

describe('template-adds-sysctl-back', () => {
  it('warns for each gateway-template workload when no injector ConfigMap or Istio resource is in the stream', () => {
    const warnings = warningsOf(gatewayDeployment() + gatewayDeployment({ name: 'second' }), { runAsRoot: true });
    expect(warnings.map((w) => `${w.code} ${w.resource?.name} ${w.document}`)).toEqual([
      'template-adds-sysctl-back edge-gw 1',
      'template-adds-sysctl-back second 2',
    ]);
  });

  it('is quiet when the templates are in the stream, for router workloads, and when injection is off', () => {
    const injector = doc(`
apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-sidecar-injector-canary
  namespace: istio-system
data:
  config: |-
    templates:
      gateway: |
        spec: {}`);
    const webhook = doc(`
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: istio-sidecar-injector
webhooks: []`);
    const off = { runAsRoot: true };
    expect(codesOf(gatewayDeployment() + injector, off)).toEqual([]);
    expect(codesOf(gatewayDeployment() + istioCR(), off)).toEqual([]);
    expect(codesOf(gatewayDeployment() + webhook, off)).toEqual(['template-adds-sysctl-back']);
    expect(codesOf(gatewayDeployment({ template: false }), off)).toEqual([]);
    expect(codesOf(gatewayDeployment({ labels: { app: 'edge-gw', 'sidecar.istio.io/inject': 'false' } }), off)).toEqual([]);
  });
});

describe('istio-too-old-for-parametersref', () => {
  const istiod = (version: string, image = version): string =>
    doc(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istiod
  namespace: istio-system
  labels:
    helm.sh/chart: istiod-${version}
spec:
  template:
    spec:
      containers:
      - name: discovery
        image: docker.io/istio/pilot:${image}`);

  it('warns per matched Gateway when the control plane is older than 1.26, naming the evidence', () => {
    const warnings = warningsOf(istiod('1.25.2') + apiGateway() + apiGateway({ name: 'b' }));
    expect(warnings.map((w) => `${w.code} ${w.resource?.name}`)).toEqual([
      'istio-too-old-for-parametersref edge',
      'istio-too-old-for-parametersref b',
    ]);
    expect(warnings[0]?.message).toContain('Istio 1.25.2 (from helm.sh/chart: istiod-1.25.2 in document 1)');
    expect(warnings[0]?.message).toContain('kube-gateway');
  });

  it('reads the Istio resource version and the injector values tag', () => {
    expect(warningsOf(istioCR('v1.24.0') + apiGateway())[0]?.message).toContain(
      'Istio 1.24.0 (from spec.version v1.24.0 of Istio default)',
    );
    const injector = doc(`
apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-sidecar-injector
  namespace: istio-system
data:
  values: '{"global":{"hub":"docker.io/istio","tag":"1.23.6"}}'
  config: |-
    templates: {}`);
    expect(warningsOf(injector + apiGateway())[0]?.message).toContain(
      'Istio 1.23.6 (from data.values global.tag 1.23.6 of ConfigMap istio-system/istio-sidecar-injector)',
    );
  });

  it('is quiet from 1.26 on, without matched Gateways, and when the kube-gateway template is fixed here', () => {
    expect(codesOf(istiod('1.26.0') + apiGateway())).toEqual([]);
    expect(codesOf(istiod('1.25.0') + apiGateway({ className: 'nginx' }))).not.toContain('istio-too-old-for-parametersref');
    const injector = doc(`
apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-sidecar-injector
  namespace: istio-system
data:
  config: |-
    templates:
      kube-gateway: |
        kind: Deployment`);
    expect(codesOf(istiod('1.25.0') + injector + apiGateway())).toEqual([]);
    expect(codesOf(istiod('1.25.0') + injector + apiGateway(), { injectionTemplate: { enabled: false } })).toEqual([
      'istio-too-old-for-parametersref',
    ]);
  });

  it('lets control-plane evidence win over an older data plane, and takes the lowest control plane', () => {
    const proxy = doc(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: old-proxy
spec:
  template:
    spec:
      containers:
      - name: app
        image: docker.io/istio/proxyv2:1.22.1`);
    expect(codesOf(istiod('1.27.0') + proxy + apiGateway())).toEqual([]);
    expect(codesOf(proxy + apiGateway())).toEqual(['istio-too-old-for-parametersref']);
    expect(warningsOf(istiod('1.27.0', '1.25.1') + apiGateway())[0]?.message).toContain('image pilot:1.25.1');
  });

  it('parses the version forms rendered manifests carry', () => {
    expect(parseVersion('v1.24.3')).toEqual([1, 24, 3]);
    expect(parseVersion('1.22.1-distroless')).toEqual([1, 22, 1]);
    expect(parseVersion('1.31.0-beta.1')).toEqual([1, 31, 0]);
    expect(parseVersion('1.26')).toEqual([1, 26, 0]);
    expect(parseVersion('latest')).toBeUndefined();
    expect(parseVersion('default')).toBeUndefined();
    expect(compareVersions([1, 25, 9], [1, 26, 0])).toBeLessThan(0);
    expect(decidingVersion([])).toBeUndefined();
  });
});

describe('nothing-matched', () => {
  it('is a note (info) for a non-empty stream in which no rule found anything, and never fails --strict', () => {
    const input = service({ name: 'web', selector: { app: 'web' } });
    const warnings = warningsOf(input, { strict: true });
    expect(warnings.map((w) => `${w.severity} ${w.code}`)).toEqual(['info nothing-matched']);
    expect(warnings[0]?.message).toContain('1 document(s)');
  });

  it('is absent for an empty stream, and when anything changed or was warned about', () => {
    expect(codesOf('')).toEqual([]);
    expect(codesOf('---\n# only a comment\n')).toEqual([]);
    expect(codesOf(gatewayDeployment({ template: false }))).toEqual([]);
    expect(codesOf(apiGateway({ port: 80 }))).toEqual(['privileged-port']);
  });
});

describe('warnings owned by their rules come from one source', () => {
  it('istio-cr-without-template and parameters-ref-unresolved appear once each', () => {
    const bareIstio = doc(`
apiVersion: sailoperator.io/v1
kind: Istio
metadata:
  name: default
spec:
  version: v1.27.0`);
    const badRef = doc(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: apps
spec:
  gatewayClassName: istio
  infrastructure:
    parametersRef: {group: "", kind: ConfigMap, name: missing}
  listeners:
  - {name: http, port: 8080, protocol: HTTP}`);
    expect(codesOf(bareIstio + badRef)).toEqual(['istio-cr-without-template', 'parameters-ref-unresolved']);
  });
});

describe('pay only for what you touch', () => {
  function countingView(input: string): { view: StreamView; parsed: number[] } {
    const { chunks } = splitStream(input);
    const cache = new Map<number, EditableDocument>();
    const parsed: number[] = [];
    return {
      parsed,
      view: {
        chunks,
        isCrd: () => false,
        parse(index) {
          let ed = cache.get(index);
          if (!ed) {
            parsed.push(index);
            ed = new EditableDocument((chunks[index] as { text: string }).text, index + 1, 0);
            cache.set(index, ed);
          }
          return ed;
        },
      },
    };
  }
  const ctx = { config: defaultConfig(), isSelected: () => true };
  const others = Array.from({ length: 50 }, (_, i) => service({ name: `svc-${i}`, ns: 'apps', selector: { app: `app-${i}` } })).join('');
  const configMaps = Array.from({ length: 20 }, (_, i) =>
    doc(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  k: "v"`),
  ).join('');

  it('parses no document when the stream has no gateway workload', () => {
    const { view, parsed } = countingView(others + configMaps);
    expect(findGatewayWorkloads(view, ctx)).toEqual([]);
    expect(findSelectingServices(view, [], ctx)).toEqual([]);
    expect(parsed).toEqual([]);
  });

  it('parses the gateway workload and only the Services that mention its label values', () => {
    const { view, parsed } = countingView(
      others + gatewayDeployment({ labels: { app: 'edge-gw', 'sidecar.istio.io/inject': 'true' } }) + service() + configMaps,
    );
    const workloads = findGatewayWorkloads(view, ctx);
    const services = findSelectingServices(view, workloads, ctx);
    expect(services.map((s) => s.id.name)).toEqual(['edge-gw']);
    expect(parsed).toEqual([50, 51]);
  });

  it('with lowPortsOnly, skips even matching Services whose ports are all 1024 and above', () => {
    const { view, parsed } = countingView(
      gatewayDeployment() +
        service({
          ports: [
            [8080, 8080],
            [15021, undefined],
          ],
        }),
    );
    expect(findSelectingServices(view, findGatewayWorkloads(view, ctx), ctx, true)).toEqual([]);
    expect(parsed).toEqual([0]);
  });

  it('text checks: kind Service only, a selector, a distinctive value', () => {
    const values = new Set(['edge-gw']);
    expect(mightHoldService(service(), values)).toBe(true);
    expect(mightHoldService(service().replace('kind: Service', 'kind: ServiceAccount'), values)).toBe(false);
    expect(mightHoldService(service().replace('kind: Service', 'kind: ServiceEntry'), values)).toBe(false);
    expect(mightHoldService('{kind: Service, spec: {selector: {app: edge-gw}}}', values)).toBe(true);
    expect(mightHoldService(service({ name: 'x', selector: { app: 'web' } }), values)).toBe(false);
    expect(mightHoldService(service({ ports: [[8080, 8080]] }), values, true)).toBe(false);
    expect(mightHoldService(service({ ports: [[8080, 'http']] }), values, true)).toBe(true);
    expect(mightHoldService(service({ ports: [[80, 8080]] }), values, true)).toBe(true);
  });

  it('never fails a run on a broken document it only looked at', () => {
    const broken = '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: edge-gw\nspec:\n  selector:\n    app: "edge-gw"\n  ports: [80\n';
    const result = transform(gatewayDeployment() + broken + istioCR());
    expect(result.text).toContain(broken);
    expect(result.warnings).toEqual([]);
  });

  it('the lenient view skips a document whose parse fails with a user error, once, and passes bugs on', () => {
    let calls = 0;
    const failing: StreamView = {
      chunks: splitStream(service()).chunks,
      isCrd: () => false,
      parse() {
        calls++;
        throw new UserError('error: document 1: invalid YAML');
      },
    };
    const lenient = lenientView(failing);
    expect(lenient.parse(0)).toBeUndefined();
    expect(lenient.parse(0)).toBeUndefined();
    expect(calls).toBe(1);
    const buggy = lenientView({
      chunks: [],
      isCrd: () => false,
      parse: () => {
        throw new TypeError('bug');
      },
    });
    expect(() => buggy.parse(0)).toThrow(TypeError);
  });
});
