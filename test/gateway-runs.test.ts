// Issue 10 ("the gateway runs"), item by item, through the CLI: one privilege model for grants and
// warnings, both releases with one configuration, every place the sysctl comes from, agentgateway,
// acknowledged warnings. The outcome of each on real charts is proved by test/e2e/outcome/.
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runCli } from './helpers/run-cli.js';
import { SYSCTL } from './helpers/manifests.js';

interface Report {
  changes: { rule: string; message: string; path?: string; resource?: { kind: string; name: string } }[];
  warnings: { code: string; severity: string; message: string; resource?: { kind: string; name: string } }[];
  ignoredWarnings?: { code: string; count: number }[];
}

function run(args: string[], input: string): { status: number | null; stdout: string; report: Report; objects: Record<string, any>[] } {
  const result = runCli([...args, '--report', 'json'], input);
  let report: Report;
  try {
    report = JSON.parse(result.stderr) as Report;
  } catch {
    throw new Error(`not a JSON report (exit ${result.status}):\n${result.stderr}`);
  }
  const objects = parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as Record<string, any>)
    .filter(Boolean);
  return { status: result.status, stdout: result.stdout, report, objects };
}

const codes = (report: Report): string[] => report.warnings.filter((w) => w.severity === 'warning').map((w) => w.code);

/** A gateway the way istiod renders one for Gateway API (not injected: its containers are final). */
function routerDeployment(securityContext: string, name = 'edge'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: gw}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.30.3
        args: [proxy, router]
        ports:
        - containerPort: 80
        securityContext: ${securityContext}
`;
}

/** The gateway chart's Deployment (1.30 shape: runAsNonRoot: true, no runAsUser) and its Service. */
function chartGateway(
  containerSecurityContext = '{capabilities: {drop: [ALL]}, allowPrivilegeEscalation: false, runAsNonRoot: true}',
): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ingress, namespace: istio-ingress}
spec:
  selector: {app: ingress}
  ports:
  - {name: http2, port: 80, targetPort: 80}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: istio-ingress}
spec:
  selector: {matchLabels: {app: ingress}}
  template:
    metadata:
      annotations: {inject.istio.io/templates: gateway}
      labels: {app: ingress, sidecar.istio.io/inject: "true"}
    spec:
      securityContext:
        sysctls:
        - {name: ${SYSCTL}, value: "0"}
      containers:
      - name: istio-proxy
        image: auto
        securityContext: ${containerSecurityContext}
`;
}

const proxyOf = (object: Record<string, any>): Record<string, any> =>
  (object.spec.template.spec.containers as Record<string, any>[]).find(
    (c) => c.name === 'istio-proxy' || c.name === 'agentgateway',
  ) as Record<string, any>;

describe('one privilege model', () => {
  it('--run-as-root alone grants uid 0 with NET_BIND_SERVICE (root without it binds nothing once ALL is dropped)', () => {
    const { status, objects, report } = run(
      ['--run-as-root'],
      routerDeployment('{capabilities: {drop: [ALL]}, runAsUser: 1337, runAsNonRoot: true}'),
    );
    expect(status).toBe(0);
    expect(proxyOf(objects[0]!).securityContext).toEqual({
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
    });
    expect(codes(report)).toEqual([]);
  });

  it('root that drops ALL without the capability is a privileged-port warning naming workload, port and why', () => {
    const { report } = run([], routerDeployment('{capabilities: {drop: [ALL]}, runAsUser: 0}'));
    const warning = report.warnings.find((w) => w.code === 'privileged-port');
    expect(warning?.resource?.name).toBe('edge');
    expect(warning?.message).toMatch(/\b80\b/);
    expect(warning?.message).toContain('uid 0 but drops NET_BIND_SERVICE');
    expect(warning?.message).toContain('--run-as-root');
  });

  it('--net-bind-service alone warns per workload: a non-root process may never get an added capability', () => {
    const { report } = run(['--net-bind-service'], routerDeployment('{capabilities: {drop: [ALL]}, runAsUser: 1337}'));
    const warning = report.warnings.find((w) => w.code === 'privileged-port');
    expect(warning?.resource?.name).toBe('edge');
    expect(warning?.message).toMatch(/\b80\b/);
    expect(warning?.message).toContain('kubernetes/kubernetes#56374');
    expect(warning?.message).toContain('Add --run-as-root');
  });

  it('keeps the capabilities a container already adds', () => {
    const { objects } = run(['--run-as-root'], routerDeployment('{capabilities: {add: [NET_ADMIN], drop: [ALL]}}'));
    expect(proxyOf(objects[0]!).securityContext.capabilities.add).toEqual(['NET_ADMIN', 'NET_BIND_SERVICE']);
  });

  it("an injected gateway Deployment leaves capabilities.add to the template, so a template's own capabilities survive admission", () => {
    const { objects, report } = run(['--run-as-root'], chartGateway());
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    expect(proxyOf(deployment).securityContext).toEqual({
      capabilities: { drop: ['ALL'] },
      allowPrivilegeEscalation: false,
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
    });
    const reminder = report.warnings.find((w) => w.code === 'template-adds-sysctl-back');
    expect(reminder?.message).toContain('with the same flags (--run-as-root)');
    expect(reminder?.message).toContain('NET_BIND_SERVICE');
  });

  it('the grant reaches agentgateway containers', () => {
    const agent = routerDeployment('{capabilities: {drop: [ALL]}, runAsUser: 10101, runAsNonRoot: true}', 'agent')
      .replace('name: istio-proxy', 'name: agentgateway')
      .replace('args: [proxy, router]', 'args: []');
    const { objects } = run(['--run-as-root'], agent);
    expect(proxyOf(objects[0]!).securityContext).toMatchObject({
      runAsUser: 0,
      runAsNonRoot: false,
      capabilities: { add: ['NET_BIND_SERVICE'] },
    });
  });
});

describe('both releases, one configuration', () => {
  it('the gateway release without a grant says a root grant on the istiod release alone would be refused (runAsNonRoot: true)', () => {
    const { report } = run([], chartGateway());
    const warning = report.warnings.find((w) => w.code === 'privileged-port');
    expect(warning?.message).toContain('runAsNonRoot: true');
    expect(warning?.message).toContain('give both releases the same flags');
  });

  it('a grant in the templates that an excluded gateway Deployment of the same stream overrides is a warning', () => {
    const injector = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-sidecar-injector, namespace: istio-system}\ndata:\n  config: |\n    templates:\n      gateway: |\n        spec:\n          containers:\n          - name: istio-proxy\n            securityContext:\n              runAsUser: 1337\n---\n`;
    const { report } = run(['--run-as-root', '--exclude', 'Deployment/istio-ingress/ingress'], injector + chartGateway());
    const warning = report.warnings.find((w) => w.code === 'grant-overridden');
    expect(warning?.resource?.name).toBe('ingress');
    expect(warning?.message).toContain('runAsNonRoot: true');
  });

  it('the istiod release with a grant says what the gateway release needs', () => {
    const injector = `apiVersion: v1
kind: ConfigMap
metadata: {name: istio-sidecar-injector, namespace: istio-system}
data:
  config: |
    templates:
      gateway: |
        spec:
          securityContext:
            sysctls:
            - name: ${SYSCTL}
              value: "0"
          containers:
          - name: istio-proxy
            securityContext:
              runAsUser: 1337
`;
    const { report } = run(['--run-as-root'], injector);
    const note = report.warnings.find((w) => w.code === 'gateway-release-needs');
    expect(note?.severity).toBe('info');
    expect(note?.message).toContain('post-render the gateway release with the same flags');
  });
});

describe('every place the sysctl comes from', () => {
  it('data.values gateways.securityContext of the injector ConfigMap (JSON text, edited in place)', () => {
    const values = JSON.stringify({ gateways: { securityContext: { fsGroup: 1337, sysctls: [{ name: SYSCTL, value: '0' }] } } }, null, 2);
    const input = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-sidecar-injector-canary, namespace: istio-system}\ndata:\n  values: |-\n${values
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n')}\n  config: |\n    templates: {}\n`;
    const { status, objects, report } = run([], input);
    expect(status).toBe(0);
    expect(JSON.parse(objects[0]!.data.values)).toEqual({ gateways: { securityContext: { fsGroup: 1337, sysctls: [] } } });
    expect(report.changes.map((c) => c.path)).toContain('data.values.gateways.securityContext.sysctls');
  });

  const podTemplate = `
    metadata:
      annotations: {inject.istio.io/templates: gateway}
    spec:
      securityContext:
        sysctls:
        - {name: ${SYSCTL}, value: "0"}
      containers:
      - {name: istio-proxy, image: auto}`;
  it.each([
    ['Argo Rollout', 'argoproj.io/v1alpha1', 'Rollout'],
    ['Knative Service', 'serving.knative.dev/v1', 'Service'],
    ['OpenKruise CloneSet', 'apps.kruise.io/v1alpha1', 'CloneSet'],
  ])('%s: the pod template at spec.template loses the sysctl', (_name, apiVersion, kind) => {
    const { objects, report } = run(
      [],
      `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: gw, namespace: gw}\nspec:\n  template:${podTemplate}\n`,
    );
    expect(objects[0]!.spec.template.spec.securityContext).toEqual({});
    expect(report.changes[0]?.rule).toBe('sysctls');
  });

  it('spec.values.gateways.securityContext of a Sail Istio resource (pruned by its CRD, removed anyway)', () => {
    const istio = `apiVersion: sailoperator.io/v1\nkind: Istio\nmetadata: {name: default}\nspec:\n  version: v1.27.0\n  values:\n    gateways:\n      securityContext:\n        sysctls:\n        - {name: ${SYSCTL}, value: "0"}\n    sidecarInjectorWebhook:\n      templates:\n        gateway: |\n          spec: {}\n`;
    const { objects, report } = run([], istio);
    expect(objects[0]!.spec.values.gateways.securityContext.sysctls).toEqual([]);
    expect(report.changes.map((c) => c.path)).toContain('spec.values.gateways.securityContext.sysctls');
  });

  it('an unknown kind carrying the sysctl is a warning, never a false nothing-matched', () => {
    const { stdout, report } = run(
      [],
      `apiVersion: example.com/v1\nkind: GatewayPool\nmetadata: {name: gw, namespace: gw}\nspec:\n  template:${podTemplate}\n`,
    );
    expect(stdout).toContain(SYSCTL);
    expect(codes(report)).toContain('sysctl-not-removed');
    expect(report.warnings.map((w) => w.code)).not.toContain('nothing-matched');
  });

  it('a List inside a List', () => {
    const inner = `apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: gw, namespace: gw}\n  spec:\n    template:${podTemplate.replace(/\n/g, '\n  ')}`;
    const { objects, report } = run(
      [],
      `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - ${inner.replace(/\n/g, '\n  ')}\n`,
    );
    expect(objects[0]!.items[0].items[0].spec.template.spec.securityContext).toEqual({});
    expect(report.changes[0]?.path).toBe('items[0].items[0].spec.template.spec.securityContext.sysctls');
  });

  it.each([
    ['a YAML escape', '"net.ipv4.ip\\x5funprivileged_port_start"'],
    ['the slash form', 'net/ipv4/ip_unprivileged_port_start'],
  ])('the name written with %s', (_what, name) => {
    const input = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: gw, namespace: gw}\nspec:\n  template:${podTemplate.replace(`{name: ${SYSCTL}, value: "0"}`, `{name: ${name}, value: "0"}`)}\n`;
    const { objects } = run([], input);
    expect(objects[0]!.spec.template.spec.securityContext).toEqual({});
  });

  it.each([
    ['flow', `{spec: {securityContext: {sysctls: [{name: ${SYSCTL}, value: "0"}]}, containers: [{name: istio-proxy, image: x}]}}`],
    [
      'JSON',
      JSON.stringify(
        { spec: { securityContext: { sysctls: [{ name: SYSCTL, value: '0' }] }, containers: [{ name: 'istio-proxy' }] } },
        null,
        2,
      ),
    ],
  ])('an injection template written in %s style', (_style, template) => {
    const input = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio-sidecar-injector, namespace: istio-system}\ndata:\n  config: |\n    templates:\n      gateway: |\n${template
      .split('\n')
      .map((line) => `        ${line}`)
      .join('\n')}\n`;
    const { objects } = run(['--run-as-root'], input);
    const rendered = parse(parse(objects[0]!.data.config).templates.gateway);
    expect(rendered.spec.securityContext.sysctls).toEqual([]);
    expect(rendered.spec.containers[0].securityContext).toMatchObject({ runAsUser: 0, capabilities: { add: ['NET_BIND_SERVICE'] } });
  });
});

describe('agentgateway', () => {
  it('the options patch of a Gateway of class istio-agentgateway names agentgateway, in its own ConfigMap', () => {
    const gateways = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: apps}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 8080, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: agent, namespace: apps}
spec:
  gatewayClassName: istio-agentgateway
  listeners: [{name: http, port: 8080, protocol: HTTP}]
`;
    const { objects } = run(['--run-as-root'], gateways);
    const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
    const containerNames = Object.fromEntries(
      configMaps.map((cm) => [
        cm.metadata.name,
        parse(cm.data.deployment).spec.template.spec.containers.map((c: { name: string }) => c.name),
      ]),
    );
    expect(containerNames).toEqual({
      'asm-kube-gateway-options': ['istio-proxy'],
      'asm-kube-gateway-options-agentgateway': ['agentgateway'],
    });
    const agent = objects.find((o) => o.kind === 'Gateway' && o.metadata.name === 'agent')!;
    expect(agent.spec.infrastructure.parametersRef.name).toBe('asm-kube-gateway-options-agentgateway');
  });
});
