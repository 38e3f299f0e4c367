// Issue 11, item 7 (part): valid input never ends in "internal error, please report it". Each case
// is valid YAML a real pipeline writes; the output must parse and say what the README promises.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { transform } from '../src/transform.js';
import { CORPUS, runCli } from './helpers/run-cli.js';

type Json = Record<string, any>;
const objects = (text: string): Json[] =>
  parseAllDocuments(text).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Json;
  });

describe('valid input is never an internal error', () => {
  for (const [what, item] of [
    ['a tag', '- !!str name: istio-proxy'],
    ['an anchor', '- &proxy name: istio-proxy'],
  ] as const) {
    it(`an istio-proxy entry whose first key carries ${what} (${item}) gets the grant under --run-as-root --net-bind-service`, () => {
      const input = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    metadata:\n      annotations: {inject.istio.io/templates: gateway}\n    spec:\n      containers:\n      ${item}\n        image: auto\n`;
      const [out] = objects(transform(input, { config: { runAsRoot: true, netBindService: true } }).text);
      expect(out!.spec.template.spec.containers[0]).toEqual({
        name: 'istio-proxy',
        image: 'auto',
        // NET_BIND_SERVICE comes from the gateway injection template at admission (issue 10's model)
        securityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false },
      });
    });
  }

  it('a Sail Istio resource with spec.values: {} gets the --gateway-template template', () => {
    const template = 'spec:\n  containers:\n  - name: istio-proxy\n';
    const input =
      'apiVersion: sailoperator.io/v1\nkind: Istio\nmetadata: {name: default}\nspec:\n  version: v1.27.0\n  values: {}\n  namespace: istio-system\n';
    const [out] = objects(transform(input, { config: {}, gatewayTemplate: template }).text);
    expect(out!.spec.namespace).toBe('istio-system');
    expect(out!.spec.values.sidecarInjectorWebhook.templates.gateway).toBe(template);
  });
});

// `kubectl get -o json` and JSON manifests: an edited JSON document stays JSON (whoever reads the
// output as JSON, jq or kubectl, still can), the rest of it keeps its text and layout.
const SYSCTL = 'net.ipv4.ip_unprivileged_port_start';
const json = (text: string): Json => JSON.parse(text) as Json;
const injectorFromCorpus = (): Json =>
  parseAllDocuments(readFileSync(path.join(CORPUS, 'istio/rendered-istioctl/1.27.0/pilot_default.golden.yaml'), 'utf8'))
    .map((doc) => doc.toJS() as Json)
    .find((object) => object?.kind === 'ConfigMap' && object.metadata?.name === 'istio-sidecar-injector')!;
const gatewayTemplateOf = (configMap: Json): string =>
  (parseAllDocuments(configMap.data.config as string)[0]!.toJS() as Json).templates.gateway as string;

describe('JSON input gets JSON edits, and flow mappings keep every unrelated value', () => {
  it('the injector ConfigMap from kubectl get cm -o json loses the sysctl from its gateway template and stays JSON', () => {
    const input = injectorFromCorpus();
    expect(gatewayTemplateOf(input)).toContain(SYSCTL);
    const text = `${JSON.stringify(input, null, 4)}\n`;
    const result = runCli([], text);
    expect(result.status, result.stderr).toBe(0);
    const out = json(result.stdout);
    expect(gatewayTemplateOf(out)).not.toContain(SYSCTL);
    expect({ ...out, data: { ...out.data, config: '' } }).toEqual({ ...input, data: { ...input.data, config: '' } });
  });

  const sail = (values: Json): string =>
    `${JSON.stringify({ apiVersion: 'sailoperator.io/v1', kind: 'Istio', metadata: { name: 'default', labels: { date: '2024-01-01' } }, spec: { version: 'v1.27.0', namespace: 'istio-system', values } }, null, 2)}\n`;

  it('a Sail Istio resource in JSON loses the sysctl from its template and stays JSON', () => {
    const template = `spec:\n  securityContext:\n    sysctls:\n    - name: ${SYSCTL}\n      value: "0"\n  containers:\n  - name: istio-proxy\n`;
    const out = json(transform(sail({ sidecarInjectorWebhook: { templates: { gateway: template } } }), { config: {} }).text);
    expect(out.spec.values.sidecarInjectorWebhook.templates.gateway).toBe(
      'spec:\n  securityContext:\n    sysctls: []\n  containers:\n  - name: istio-proxy\n',
    );
    expect(out.metadata.labels.date).toBe('2024-01-01');
  });

  it('a Sail Istio resource in JSON with "values": {} gets the --gateway-template template as JSON', () => {
    const template = 'spec:\n  containers:\n  - name: istio-proxy\n';
    const input = sail({});
    const text = transform(input, { config: {}, gatewayTemplate: template }).text;
    const out = json(text);
    expect(out.spec.values).toEqual({ sidecarInjectorWebhook: { templates: { gateway: template } } });
    expect({ ...out, spec: { ...out.spec, values: {} } }).toEqual(json(input));
  });

  const jsonGateway = `{\n  "apiVersion": "gateway.networking.k8s.io/v1",\n  "kind": "Gateway",\n  "metadata": {"name": "gw", "namespace": "ns", "labels": {"date": "2024-01-01"}},\n  "spec": {\n    "gatewayClassName": "istio",\n    "listeners": [{"name": "http", "port": 8080, "protocol": "HTTP"}]\n  }\n}\n`;

  it('a Gateway in JSON gets its parametersRef as JSON, in its own layout, every other line as it was', () => {
    const text = transform(jsonGateway, { config: {} }).text;
    const gatewayText = text.slice(text.indexOf('{'));
    const out = json(gatewayText);
    expect(out.spec.infrastructure).toEqual({ parametersRef: { group: '', kind: 'ConfigMap', name: 'asm-kube-gateway-options' } });
    expect(gatewayText).toContain(
      '    "listeners": [{"name": "http", "port": 8080, "protocol": "HTTP"}],\n    "infrastructure": {\n      "parametersRef": {\n',
    );
    expect(gatewayText).toContain('"labels": {"date": "2024-01-01"}');
  });

  it('an options ConfigMap in JSON gets the sysctl patch merged into data.deployment and stays JSON', () => {
    const options = `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "asm-kube-gateway-options", "namespace": "ns"}, "data": {"deployment": "spec:\\n  replicas: 2\\n"}}\n`;
    const result = transform(`${jsonGateway}---\n${options}`, { config: { runAsRoot: true } });
    const [, configMapText] = result.text.split(/^---\n/m);
    const configMap = json(configMapText!);
    const patch = parseAllDocuments(configMap.data.deployment as string)[0]!.toJS() as Json;
    expect(patch.spec.replicas).toBe(2);
    expect(patch.spec.template.spec.securityContext.sysctls).toEqual([]);
  });

  it('a kubectl get -o json List is fixed whole, item by item, and stays JSON', () => {
    const deployment = (name: string, sysctls: Json[]): Json => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: { date: '2024-01-01' } },
      spec: { template: { spec: { securityContext: { sysctls }, containers: [{ name: 'app' }] } } },
    });
    const other = { name: 'net.core.somaxconn', value: '1024' };
    const ours = { name: SYSCTL, value: '0' };
    const input = {
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: '' },
      items: [deployment('a', [ours]), deployment('b', [other, ours]), deployment('c', [ours, other])],
    };
    const out = json(transform(`${JSON.stringify(input, null, 4)}\n`, { config: {} }).text);
    expect(out.items.map((item: Json) => item.spec.template.spec.securityContext)).toEqual([
      {},
      { sysctls: [other] },
      { sysctls: [other] },
    ]);
    expect(out.items.map((item: Json) => item.metadata.labels.date)).toEqual(['2024-01-01', '2024-01-01', '2024-01-01']);
  });

  it('a flow-style istio-proxy container holding a string with \\n gets the grant; 2024-01-01 stays as written', () => {
    const container = '{name: istio-proxy, image: auto, args: ["a\\nb"], env: [{name: D, value: 2024-01-01}]}';
    const input = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, labels: {date: 2024-01-01}}\nspec:\n  template:\n    metadata:\n      annotations: {inject.istio.io/templates: gateway}\n    spec:\n      containers:\n      - ${container}\n`;
    const text = transform(input, { config: { runAsRoot: true } }).text;
    expect(text).toContain(`      - ${container.slice(0, -1)}, securityContext: `);
    expect(text).toContain('metadata: {name: d, labels: {date: 2024-01-01}}\n');
    const [out] = objects(text);
    expect(out!.spec.template.spec.containers[0].args).toEqual(['a\nb']);
    expect(out!.spec.template.spec.containers[0].securityContext).toEqual({ runAsUser: 0, runAsGroup: 0, runAsNonRoot: false });
  });

  it('a flow sysctls list loses only our entry; the others keep their text (value: 2024-01-01 is not read back as a timestamp)', () => {
    const input = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {securityContext: {runAsUser: 5, sysctls: [{name: a, value: 2024-01-01}, {name: ${SYSCTL}, value: "0"}, {name: b, value: '1'}]}, containers: [{name: a}]}\n`;
    expect(transform(input, { config: {} }).text).toBe(input.replace(`, {name: ${SYSCTL}, value: "0"}`, ''));
  });

  it('a flow-style ResourceList item whose continuation line starts with --- is fixed (it is no document marker)', () => {
    const list = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {apiVersion: apps/v1, kind: Deployment, metadata: {name: d, annotations: {note: "x\n  --- y"}},\n  --- : z, spec: {template: {spec: {securityContext: {sysctls: [{name: ${SYSCTL}, value: "0"}]}, containers: [{name: a}]}}}}\n`;
    const result = runCli([], list);
    expect(result.status, result.stderr).toBe(0);
    const item = (parseAllDocuments(result.stdout)[0]!.toJS() as Json).items[0];
    expect(item.metadata.annotations.note).toBe('x --- y');
    expect(item['---']).toBe('z');
    expect(item.spec.template.spec.securityContext).toEqual({});
    expect(result.stdout).toContain(
      'items:\n- {apiVersion: apps/v1, kind: Deployment, metadata: {name: d, annotations: {note: "x\n  --- y"}},\n  --- : z, spec: {template: {spec: {securityContext: {}, containers: [{name: a}]}}}}\n',
    );
    const again = runCli([], result.stdout.slice(0, result.stdout.indexOf('results:')));
    expect(again.stdout.slice(0, again.stdout.indexOf('results:'))).toBe(result.stdout.slice(0, result.stdout.indexOf('results:')));
  });
});
