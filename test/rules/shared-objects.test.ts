// Issue 11, item 9: outputs that were wrong in small ways. A namespace-less options ConfigMap is
// the user's one for a Gateway of a namespace (no second one); a Service that also selects pods
// other than the gateways this run edits keeps its ports (moving a targetPort moves it for all of
// them), with a warning; a Gateway whose options ConfigMap the selection leaves out is warned about.
// Judged on the parsed output.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { gateway } from '../helpers/manifests.js';
import { runCli } from '../helpers/run-cli.js';

type Doc = { kind: string; metadata: { name: string; namespace?: string }; data?: Record<string, string>; spec?: Record<string, unknown> };
const docsOf = (text: string): Doc[] => parseAllDocuments(text).map((doc) => doc.toJS() as Doc);

const userOptions = (namespace?: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: asm-kube-gateway-options\n${namespace ? `  namespace: ${namespace}\n` : ''}data:\n  service: |\n    metadata:\n      annotations:\n        team: edge\n`;

describe("the options ConfigMap: one object, the user's", () => {
  it('a namespace-less options ConfigMap gets the patch for a Gateway that names its namespace; no second ConfigMap is added', () => {
    const result = runCli(['--report', 'none'], `---\n${userOptions()}---\n${gateway('gw', 'istio', 'edge')}`);
    expect(result.status, result.stderr).toBe(0);
    const docs = docsOf(result.stdout);
    const configMaps = docs.filter((doc) => doc.kind === 'ConfigMap');
    expect(configMaps).toHaveLength(1);
    expect(configMaps[0]?.metadata).toEqual({ name: 'asm-kube-gateway-options' });
    expect(configMaps[0]?.data?.service).toContain('team: edge');
    expect(docsOf(configMaps[0]?.data?.deployment ?? '')[0]).toEqual({
      spec: { template: { spec: { securityContext: { sysctls: [] } } } },
    });
  });

  it('the same the other way round: a namespace-less Gateway and the one options ConfigMap of that name in a namespace', () => {
    const gw = gateway('gw', 'istio', 'edge').replace('  namespace: edge\n', '');
    const result = runCli(['--report', 'none'], `---\n${userOptions('edge')}---\n${gw}`);
    expect(result.status, result.stderr).toBe(0);
    const configMaps = docsOf(result.stdout).filter((doc) => doc.kind === 'ConfigMap');
    expect(configMaps).toHaveLength(1);
    expect(configMaps[0]?.data?.deployment).toContain('sysctls: []');
  });

  it("a ConfigMap of that name in another namespace is not the Gateway's: its own is added in the Gateway's namespace", () => {
    const result = runCli(['--report', 'none'], `---\n${userOptions('other')}---\n${gateway('gw', 'istio', 'edge')}`);
    expect(result.status, result.stderr).toBe(0);
    const configMaps = docsOf(result.stdout).filter((doc) => doc.kind === 'ConfigMap');
    expect(configMaps.map((doc) => doc.metadata.namespace)).toEqual(['other', 'edge']);
    expect(configMaps[0]?.data?.deployment).toBeUndefined();
  });

  it('a Gateway pointed at an options ConfigMap that --exclude keeps this run from editing is warned about (it was silent)', () => {
    const input = `---\n${userOptions('edge')}---\n${gateway('gw', 'istio', 'edge')}`;
    const result = runCli(['--exclude', 'ConfigMap/edge/*'], input);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /^warning \[parameters-ref-unresolved\] Gateway edge\/gw: its parametersRef names ConfigMap "asm-kube-gateway-options", which --include\/--exclude \(spec\.select\) leave out of this run/m,
    );
    const configMaps = docsOf(result.stdout).filter((doc) => doc.kind === 'ConfigMap');
    expect(configMaps).toHaveLength(1);
    expect(configMaps[0]?.data?.deployment).toBeUndefined();
    expect(runCli(['--exclude', 'ConfigMap/edge/*', '--strict'], input).status).toBe(1);
  });
});

describe('--unprivileged-ports and a Service shared with other pods', () => {
  const service = `apiVersion: v1\nkind: Service\nmetadata:\n  name: edge\n  namespace: gw\nspec:\n  selector:\n    app: edge\n  ports:\n  - name: http\n    port: 80\n    targetPort: 80\n`;
  const deployment = (name: string, container: string, gatewayPod: boolean): string =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: gw\nspec:\n  template:\n    metadata:\n${gatewayPod ? '      annotations:\n        inject.istio.io/templates: gateway\n' : ''}      labels:\n        app: edge\n    spec:\n      containers:\n      - name: ${container}\n        image: x\n        ports:\n        - containerPort: 80\n`;
  const ports = (text: string): { target: unknown; container: unknown[] } => {
    const docs = docsOf(text) as {
      kind: string;
      spec: { ports?: { targetPort: unknown }[]; template?: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } };
    }[];
    return {
      target: docs.find((doc) => doc.kind === 'Service')?.spec.ports?.[0]?.targetPort,
      container: docs
        .filter((doc) => doc.kind === 'Deployment')
        .map((doc) => doc.spec.template?.spec.containers[0]?.ports[0]?.containerPort),
    };
  };

  it('a Service that also selects a non-gateway Deployment keeps its targetPort, and a warning says why (it moved it)', () => {
    const result = runCli(
      ['--unprivileged-ports'],
      `---\n${service}---\n${deployment('edge-gateway', 'istio-proxy', true)}---\n${deployment('edge-nginx', 'nginx', false)}`,
    );
    expect(result.status, result.stderr).toBe(0);
    expect(ports(result.stdout)).toEqual({ target: 80, container: [80, 80] });
    expect(result.stderr).toMatch(
      /^warning \[port-offset-conflict\] Service gw\/edge: --unprivileged-ports left the ports of Service gw\/edge where they are: its selector also picks Deployment gw\/edge-nginx/m,
    );
  });

  it('a Service that also selects a gateway --exclude leaves alone keeps its targetPort too', () => {
    const input = `---\n${service}---\n${deployment('edge-a', 'istio-proxy', true)}---\n${deployment('edge-b', 'istio-proxy', true)}`;
    const result = runCli(['--unprivileged-ports', '--exclude', 'Deployment/gw/edge-b'], input);
    expect(result.status, result.stderr).toBe(0);
    expect(ports(result.stdout)).toEqual({ target: 80, container: [80, 80] });
    expect(result.stderr).toMatch(/its selector also picks Deployment gw\/edge-b/);
  });

  it('a Service that selects only gateway pods still has its port moved (the warning is not blanket)', () => {
    const result = runCli(['--unprivileged-ports'], `---\n${service}---\n${deployment('edge-gateway', 'istio-proxy', true)}`);
    expect(result.status, result.stderr).toBe(0);
    expect(ports(result.stdout)).toEqual({ target: 8080, container: [8080] });
    expect(result.stderr).not.toMatch(/port-offset-conflict/);
  });
});
