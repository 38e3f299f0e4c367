// Rule unprivilegedPorts (--unprivileged-ports, --port-offset N, spec.unprivilegedPorts): Service
// targetPorts below 1024 of gateway workloads move to port + offset, istio-proxy's matching
// containerPorts follow, Service ports stay; every other byte stays as it was.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigSpec } from '../../src/config/config.js';
import { splitStream } from '../../src/stream/split.js';
import { transform } from '../../src/transform.js';
import { gateway, service } from '../helpers/manifests.js';
import { runCli } from '../helpers/run-cli.js';

const on: ConfigSpec = { unprivilegedPorts: { enabled: true } };

// Inline, not test/helpers/manifests.ts: the chart's named ports, a second container and comments are what the rule reads.
const deployment = `---
# Source: gateway/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gw
  namespace: ingress
spec:
  template:
    metadata:
      annotations:
        inject.istio.io/templates: gateway
      labels:
        app: gw
        istio: ingress
    spec:
      containers:
      - name: istio-proxy
        image: auto
        ports:
        - name: http2
          containerPort: 80 # matches the Service
        - name: metrics
          containerPort: 15090
      - name: sidecar-helper
        image: busybox
        ports:
        - containerPort: 80
`;
const gatewayService = `---
# Source: gateway/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: gw
  namespace: ingress
spec:
  selector:
    istio: ingress
  ports:
  - name: http2
    port: 80
    targetPort: 80
  - name: https
    port: 443
    targetPort: "https-named"
  - name: status
    port: 15021
    targetPort: 15021
`;
const otherService = `---\n${service({ name: 'web', namespace: 'ingress', ports: [{ port: 80, targetPort: 80 }] })}`;
const configMap = `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ingress
data:
  port: "80"
  note: mentions istio and gw and targetPort: 80
`;
const istio = `---
apiVersion: sailoperator.io/v1
kind: Istio
metadata:
  name: default
spec:
  values:
    sidecarInjectorWebhook:
      templates:
        gateway: "spec: {}"
`;

function documents(text: string): string[] {
  return splitStream(text).chunks.map((chunk) => chunk.text);
}

describe('unprivilegedPorts rule', () => {
  const input = deployment + gatewayService + otherService + configMap + istio;

  it('moves targetPort 80 to 8080 and istio-proxy containerPort 80 with it; Service ports stay', () => {
    const result = transform(input, { config: on });
    const [dep, svc, other, cm, cr] = documents(result.text);
    expect(svc).toBe(gatewayService.replace('    targetPort: 80\n', '    targetPort: 8080\n'));
    expect(dep).toBe(deployment.replace('containerPort: 80 # matches', 'containerPort: 8080 # matches'));
    expect(other).toBe(otherService);
    expect(cm).toBe(configMap);
    expect(cr).toBe(istio);
    expect(result.changes.map((c) => `${c.rule} ${c.resource.kind} ${c.path}`)).toEqual([
      'unprivilegedPorts Service spec.ports[0].targetPort',
      'unprivilegedPorts Deployment spec.template.spec.containers[0].ports[0].containerPort',
    ]);
    expect(result.changes[0]?.message).toBe(
      'moved targetPort 80 to 8080 in spec.ports[0].targetPort; Service port 80 stays, so clients see no change and Envoy listens on an unprivileged port',
    );
    expect(result.changedDocuments).toEqual([1, 2]);
  });

  it('is idempotent: a second run changes nothing', () => {
    const once = transform(input, { config: on }).text;
    const twice = transform(once, { config: on });
    expect(twice.text).toBe(once);
    expect(twice.changes).toEqual([]);
  });

  it('does nothing unless enabled', () => {
    const result = transform(input);
    expect(result.text).toBe(input);
    expect(result.changes).toEqual([]);
  });

  it('follows a named targetPort to the container port of that name and leaves the Service alone', () => {
    const named = deployment.replace(
      '        - name: metrics\n',
      '        - name: https-named\n          containerPort: 443\n        - name: metrics\n',
    );
    const result = transform(named + gatewayService + istio, { config: on });
    const [dep, svc] = documents(result.text);
    expect(svc).toBe(gatewayService.replace('    targetPort: 80\n', '    targetPort: 8080\n'));
    expect(dep).toContain('        - name: https-named\n          containerPort: 8443\n');
    expect(result.changes.find((c) => c.path.endsWith('ports[1].containerPort'))?.message).toContain(
      'port "https-named", which Service ingress/gw targets by name; the Service is unchanged',
    );
  });

  it('adds a targetPort where the Service had none (it defaulted to port), in flow style too', () => {
    const flow =
      '---\napiVersion: v1\nkind: Service\nmetadata: {name: gw, namespace: ingress}\nspec:\n  selector: {app: gw}\n  ports: [{name: http, port: 80}, {name: admin, port: 15000}]\n';
    const block =
      '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: gw2\n  namespace: ingress\nspec:\n  selector:\n    app: gw\n  ports:\n  - name: https\n    port: 443\n    protocol: TCP\n';
    const result = transform(deployment + flow + block + istio, { config: on });
    const [, flowOut, blockOut] = documents(result.text);
    expect(flowOut).toBe(flow.replace('{name: http, port: 80}', '{name: http, port: 80, targetPort: 8080}'));
    expect(blockOut).toBe(`${block}    targetPort: 8443\n`);
    expect(result.changes.filter((c) => c.resource.kind === 'Service').map((c) => c.message.split(';')[0])).toEqual([
      'set targetPort 8080 (it defaulted to port 80) in spec.ports[0].targetPort',
      'set targetPort 8443 (it defaulted to port 443) in spec.ports[0].targetPort',
    ]);
  });

  it('takes the offset from the configuration', () => {
    const result = transform(deployment + gatewayService + istio, { config: { unprivilegedPorts: { enabled: true, offset: 10000 } } });
    expect(result.text).toContain('    targetPort: 10080\n');
    expect(result.text).toContain('containerPort: 10080 # matches');
  });

  it('refuses a move onto a port in use and says so with port-offset-conflict', () => {
    const taken = gatewayService.replace('  - name: status\n', '  - name: alt\n    port: 8080\n    targetPort: 8080\n  - name: status\n');
    const result = transform(deployment + taken + istio, { config: on });
    expect(documents(result.text)[1]).toBe(taken);
    expect(result.warnings.map((w) => `${w.code} ${w.path}`)).toEqual([
      'port-offset-conflict spec.ports[0].targetPort',
      'privileged-port spec.template.spec.containers',
    ]);
    expect(result.warnings[0]?.message).toContain('left targetPort 80 where it is: 8080 is already in use');
  });

  it('leaves Services that select no gateway, workloads the globs exclude and Gateway API Gateways alone', () => {
    const gatewayApi = `---\n${gateway('edge', 'istio', 'apps')}`;
    const excluded = transform(deployment + gatewayService + istio, { config: { ...on, select: { exclude: ['Deployment'] } } });
    expect(excluded.text).toBe(deployment + gatewayService + istio);
    const api = transform(otherService + gatewayApi, { config: { ...on, gatewayApi: { enabled: false } } });
    expect(api.text).toBe(otherService + gatewayApi);
    expect(api.warnings.map((w) => w.code)).toEqual(['privileged-port']);
  });

  it('keeps CRLF line endings', () => {
    const crlf = (deployment + gatewayService + istio).replace(/\n/g, '\r\n');
    const out = transform(crlf, { config: on }).text;
    expect(out).toBe(
      crlf.replace('targetPort: 80\r\n', 'targetPort: 8080\r\n').replace('containerPort: 80 # matches', 'containerPort: 8080 # matches'),
    );
  });

  it('edits Lists item by item', () => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: gw, namespace: ingress}
  spec:
    selector: {app: gw}
    ports:
    - port: 80
      targetPort: 80
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: gw, namespace: ingress}
  spec:
    template:
      metadata:
        labels: {app: gw}
      spec:
        containers:
        - name: istio-proxy
          args: [proxy, router]
          ports:
          - containerPort: 80
`;
    const result = transform(list, { config: on });
    expect(result.text).toBe(
      list
        .replace('      targetPort: 80\n', '      targetPort: 8080\n')
        .replace('          - containerPort: 80\n', '          - containerPort: 8080\n'),
    );
    expect(result.changes.map((c) => c.path)).toEqual([
      'items[0].spec.ports[0].targetPort',
      'items[1].spec.template.spec.containers[0].ports[0].containerPort',
    ]);
  });
});

describe('--unprivileged-ports and --port-offset on the command line', () => {
  const stream = deployment + gatewayService + istio;

  it('--port-offset N sets the offset and turns the rule on', () => {
    const result = runCli(['--port-offset', '9000', '--report', 'none'], stream);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('    targetPort: 9080\n');
  });

  it('rejects offsets that would leave a port privileged or beyond 65535 (usage error, nothing on stdout)', () => {
    for (const bad of ['80', '1023', '64513', 'abc', '8000.5', '-1']) {
      const result = runCli(['--unprivileged-ports', `--port-offset=${bad}`], stream);
      expect(result.status, bad).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('--port-offset must be a whole number from 1024 to 64512');
    }
  });

  it('reads spec.unprivilegedPorts from a config file and validates it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gc-ports-'));
    const good = path.join(dir, 'good.yaml');
    writeFileSync(
      good,
      'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nspec:\n  unprivilegedPorts:\n    enabled: true\n    offset: 20000\n',
    );
    const result = runCli(['--config', good, '--report', 'none'], stream);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('    targetPort: 20080\n');
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nspec:\n  unprivilegedPorts:\n    enabled: true\n    offset: 100\n    ofset: 1\n',
    );
    const refused = runCli(['--config', bad], stream);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('spec.unprivilegedPorts.offset must be >= 1024');
    expect(refused.stderr).toContain('unknown key "spec.unprivilegedPorts.ofset" (did you mean "offset"?)');
  });
});
