// The KRM function host through the CLI, with ResourceLists shaped like the ones kpt sends
// (the real kpt runs in test/e2e/kpt.test.ts; these cover the cases kpt makes hard to reach).
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';

interface Result {
  message: string;
  severity: string;
  resourceRef?: Record<string, string>;
  field?: { path: string };
  file?: { path: string; index?: number };
}
interface ResourceListOut {
  apiVersion: string;
  kind: string;
  items: Record<string, any>[];
  results?: Result[];
}

const annotations = (path: string | undefined, index: number, id: number): string =>
  [
    `      config.kubernetes.io/index: '${index}'`,
    ...(path ? [`      config.kubernetes.io/path: '${path}'`] : []),
    `      internal.config.kubernetes.io/index: '${index}'`,
    ...(path ? [`      internal.config.kubernetes.io/path: '${path}'`] : []),
    `      internal.config.kubernetes.io/seqindent: 'compact'`,
    `      internal.config.kubernetes.io/id: '${id}'`,
    `      config.k8s.io/id: '${id}'`,
  ].join('\n');

// Inline, not test/helpers/manifests.ts: ResourceList items as kpt sends them (under items:, with kpt's annotations, comments, octal).
const DEPLOYMENT = (path?: string) => `- # the gateway Deployment
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: gw
    namespace: istio-ingress
    annotations:
${annotations(path ? 'deploy.yaml' : undefined, 0, 1)}
  spec:
    template:
      metadata:
        annotations:
          inject.istio.io/templates: gateway
      spec:
        securityContext:
          sysctls:
          - name: net.ipv4.ip_unprivileged_port_start
            value: "0"
        containers:
        - name: istio-proxy
          image: auto
        volumes:
        - name: v
          configMap:
            name: v
            defaultMode: 0644
`;
const SERVICE = (path?: string) => `- apiVersion: v1
  kind: Service
  metadata:
    name: gw
    namespace: istio-ingress
    annotations:
${annotations(path ? 'net/gateway.yaml' : undefined, 0, 2)}
  spec:
    ports:
    - port: 8080 # kept
`;
const GATEWAY = (path?: string) => `- apiVersion: gateway.networking.k8s.io/v1
  kind: Gateway
  metadata:
    name: public
    namespace: istio-ingress
    annotations:
${annotations(path ? 'net/gateway.yaml' : undefined, 1, 3)}
  spec:
    gatewayClassName: istio
    listeners:
    - name: http
      port: 8080
      protocol: HTTP
`;
const KPTFILE = `- apiVersion: kpt.dev/v1
  kind: Kptfile
  metadata:
    name: pkg
    annotations:
${annotations('Kptfile', 0, 4)}
`;
const LOCAL_CONFIG = `- apiVersion: v1
  kind: Pod
  metadata:
    name: local
    annotations:
      config.kubernetes.io/local-config: "true"
${annotations('local.yaml', 0, 5)}
  spec:
    securityContext:
      sysctls:
      - name: net.ipv4.ip_unprivileged_port_start
        value: "0"
    containers: []
`;

function resourceList(
  items: string[],
  functionConfig = 'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: function-input\n  data: {}\n',
): string {
  return `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items.join('')}${functionConfig}`;
}

function runKrm(input: string, args: string[] = []) {
  const ran = runCli(args, input);
  const out = ran.stdout ? (parse(ran.stdout) as ResourceListOut) : undefined;
  return { ...ran, out };
}

describe('KRM function host', () => {
  const packageInput = resourceList([KPTFILE, DEPLOYMENT('x'), SERVICE('x'), GATEWAY('x'), LOCAL_CONFIG]);

  it('answers a ResourceList with the fixed items, every annotation kept, and one info result per change', () => {
    const { status, stderr, stdout, out } = runKrm(packageInput);
    expect(status, stderr).toBe(0);
    expect(out?.kind).toBe('ResourceList');
    const kinds = out?.items.map((item) => item.kind);
    expect(kinds).toEqual(['Kptfile', 'Deployment', 'Service', 'ConfigMap', 'Gateway', 'Pod']);

    const deployment = out!.items[1]!;
    expect(deployment.spec.template.spec.securityContext).toEqual({});
    expect(deployment.metadata.annotations).toMatchObject({
      'config.kubernetes.io/path': 'deploy.yaml',
      'config.k8s.io/id': '1',
      'internal.config.kubernetes.io/seqindent': 'compact',
    });
    // The item's own text is edited, not re-serialised: the comment after its dash and 0644 survive.
    expect(stdout).toContain('- # the gateway Deployment\n  apiVersion: apps/v1');
    expect(stdout).toContain('defaultMode: 0644');
    expect(stdout).toContain('- port: 8080 # kept');

    // The added ConfigMap lives in its Gateway's file, at an index no item of that file has.
    const added = out!.items[3]!;
    expect(added.metadata.annotations).toEqual({
      'config.kubernetes.io/path': 'net/gateway.yaml',
      'internal.config.kubernetes.io/path': 'net/gateway.yaml',
      'config.kubernetes.io/index': '2',
      'internal.config.kubernetes.io/index': '2',
    });
    expect(stdout).not.toContain('gateway-compat.io/krm-host-added');

    // Kptfile and local-config objects come back as they were, the sysctl of the local Pod included.
    expect(out!.items[5]!.spec.securityContext.sysctls).toHaveLength(1);

    const infos = out!.results!.filter((result) => result.severity === 'info');
    expect(infos).toContainEqual({
      message: expect.stringContaining('removed sysctl net.ipv4.ip_unprivileged_port_start'),
      severity: 'info',
      resourceRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gw', namespace: 'istio-ingress' },
      field: { path: 'spec.template.spec.securityContext.sysctls' },
      file: { path: 'deploy.yaml', index: 0 },
    });
    expect(infos.map((result) => result.resourceRef?.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Gateway']);
  });

  it('is idempotent: a second run over its own answer changes nothing and reports no change', () => {
    const first = runKrm(packageInput);
    const again = runKrm(first.stdout.replace(/\nresults:\n[\s\S]*$/, '\n'));
    expect(again.status, again.stderr).toBe(0);
    expect(again.out?.items).toEqual(first.out?.items);
    // Changes are reported as plain messages; warnings start with their [code].
    expect((again.out?.results ?? []).filter((result) => !result.message.startsWith('['))).toEqual([]);
  });

  it('gives an added ConfigMap a fresh index only when the items have no path (kpt fn eval -)', () => {
    const { status, out } = runKrm(resourceList([SERVICE(), GATEWAY()]));
    expect(status).toBe(0);
    const added = out!.items.find((item) => item.kind === 'ConfigMap')!;
    expect(added.metadata.annotations).toEqual({ 'config.kubernetes.io/index': '2', 'internal.config.kubernetes.io/index': '2' });
  });

  it('files the ConfigMap for a Gateway inside a kind: List with that List', () => {
    const list = `- apiVersion: v1
  kind: List
  metadata:
    annotations:
${annotations('gateways.yaml', 0, 7)}
  items:
  - apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata:
      name: listed
      namespace: edge
    spec:
      gatewayClassName: istio
`;
    const { status, stderr, out } = runKrm(resourceList([list]));
    expect(status, stderr).toBe(0);
    const added = out!.items.find((item) => item.kind === 'ConfigMap')!;
    expect(added.metadata.annotations['config.kubernetes.io/path']).toBe('gateways.yaml');
    expect(added.metadata.annotations['config.kubernetes.io/index']).toBe('1');
  });

  it('reads the ConfigMap form of functionConfig: booleans and comma-separated lists', () => {
    const config =
      'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: function-input}\n  data:\n    runAsRoot: "true"\n    gatewayClassNames: "other, istio-*"\n';
    const { status, stderr, out } = runKrm(resourceList([DEPLOYMENT('x'), GATEWAY('x')], config));
    expect(status, stderr).toBe(0);
    // class istio no longer matches "other" or "istio-*": the Gateway is left alone.
    expect(out!.items.map((item) => item.kind)).toEqual(['Deployment', 'Gateway']);
    expect(out!.items[1]!.spec.infrastructure).toBeUndefined();
    const proxy = out!.items[0]!.spec.template.spec.containers[0];
    expect(proxy.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false });
  });

  it('reads the GatewayCompat form of functionConfig', () => {
    const config =
      "functionConfig:\n  apiVersion: gateway-compat.io/v1alpha1\n  kind: GatewayCompat\n  metadata:\n    name: fix\n    annotations:\n      config.kubernetes.io/index: '0'\n  spec:\n    sysctls: {enabled: false}\n";
    const { status, stderr, out } = runKrm(resourceList([DEPLOYMENT('x')], config));
    expect(status, stderr).toBe(0);
    expect(out!.items[0]!.spec.template.spec.securityContext.sysctls).toHaveLength(1);
  });

  it('without functionConfig, uses the defaults', () => {
    const { status, out } = runKrm(resourceList([DEPLOYMENT('x')], ''));
    expect(status).toBe(0);
    expect(out!.items[0]!.spec.template.spec.securityContext).toEqual({});
  });

  it('answers an empty list with an empty list', () => {
    const { status, stdout } = runKrm('apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n');
    expect(status).toBe(0);
    expect(parse(stdout)).toEqual({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: [] });
  });

  it('on a configuration error: exit 1, the original items back, and an error result naming the key', () => {
    const config =
      'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: function-input}\n  data:\n    runAsRot: "true"\n    strict: "yes"\n';
    const input = resourceList([DEPLOYMENT('x'), GATEWAY('x')], config);
    const { status, stderr, out } = runKrm(input);
    expect(status).toBe(1);
    expect(stderr).toContain('unknown key "data.runAsRot" (did you mean "runAsRoot"?)');
    expect(stderr).toContain('data.strict must be one of "true", "false"');
    expect(out!.items).toEqual((parse(input) as ResourceListOut).items);
    expect(out!.results).toEqual([{ message: expect.stringContaining('data.runAsRot'), severity: 'error' }]);
  });

  it('names the ConfigMap key whose value the spec refuses', () => {
    const config =
      'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: function-input}\n  data:\n    optionsConfigMap: "Not_A_Name"\n';
    const { status, stderr } = runKrm(resourceList([GATEWAY('x')], config));
    expect(status).toBe(1);
    expect(stderr).toContain('functionConfig (ConfigMap) data.optionsConfigMap: invalid configuration');
  });

  it('maxInputBytes=SIZE refuses a larger ResourceList, items back untouched; injectionTemplateNames narrows the templates edited', () => {
    const data = (entries: string) =>
      `functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: function-input}\n  data:\n${entries}`;
    const small = resourceList([DEPLOYMENT('x')], data('    maxInputBytes: "1KiB"\n'));
    const refused = runKrm(small);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/the ResourceList is \d+ bytes, more than the limit of 1024 bytes/);
    expect(refused.out!.items).toEqual((parse(small) as ResourceListOut).items);
    const roomy = runKrm(resourceList([DEPLOYMENT('x')], data('    maxInputBytes: "1MiB"\n')));
    expect(roomy.status, roomy.stderr).toBe(0);
    // The injector ConfigMap of the fixture holds the gateway and kube-gateway templates, both with the sysctl.
    const injector = readFileSync(
      path.join(REPO_ROOT, 'test/fixtures/injection-templates/injector-configmap-templates/input.yaml'),
      'utf8',
    ).replace(/^---\n/, '');
    const item = `- ${injector.trimEnd().replace(/\n(?=.)/g, '\n  ')}\n`;
    const templatesOf = (entries: string) =>
      new Set(
        (runKrm(resourceList([item], data(entries))).out?.results ?? []).map((result) => /templates\.([a-z-]+):/.exec(result.message)?.[1]),
      );
    expect(templatesOf('    injectionTemplates: "true"\n')).toEqual(new Set(['gateway', 'kube-gateway']));
    expect(templatesOf('    injectionTemplateNames: kube-gateway\n')).toEqual(new Set(['kube-gateway']));
    const bad = runKrm(resourceList([DEPLOYMENT('x')], data('    injectionTemplateNames: "gateway,sidecar"\n')));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('data.injectionTemplateNames');
  });

  it('refuses a functionConfig of another kind, saying which kinds it accepts', () => {
    const { status, stderr } = runKrm(resourceList([GATEWAY('x')], 'functionConfig:\n  apiVersion: example.com/v1\n  kind: Other\n'));
    expect(status).toBe(1);
    expect(stderr).toContain('functionConfig is example.com/v1/Other; gateway-compat accepts a GatewayCompat object');
  });

  it('names the item a document error is about', () => {
    const bomb = `- apiVersion: v1
  kind: Pod
  metadata:
    name: bomb
    annotations:
${annotations('bomb.yaml', 0, 9)}
  spec:
    a: &a [x, x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
    securityContext:
      sysctls:
      - name: net.ipv4.ip_unprivileged_port_start
        value: "0"
    containers: []
`;
    // (the answer holds the bomb again, so it is not parsed here)
    const { status, stderr } = runCli([], resourceList([SERVICE('x'), bomb]));
    expect(status).toBe(1);
    expect(stderr).toContain('is ResourceList item 2: Pod bomb (file bomb.yaml)');
  });

  it('an unreadable ResourceList gets a plain error and nothing on stdout', () => {
    const { status, stdout, stderr } = runCli([], 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- a: [\n');
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('the ResourceList on stdin is not valid YAML');
  });

  it('reserves no annotation: the transform says which documents it added, so an item may carry any', () => {
    // The host once marked added ConfigMaps with gateway-compat.io/krm-host-added and refused items
    // that carried it; the output documents' origins made the mark unnecessary.
    const item = SERVICE('x').replace(
      "      config.k8s.io/id: '2'",
      "      config.k8s.io/id: '2'\n      gateway-compat.io/krm-host-added: 'true'",
    );
    const { status, out } = runKrm(resourceList([item, GATEWAY('x')]));
    expect(status).toBe(0);
    expect(out!.items.map((each) => each.kind)).toEqual(['Service', 'ConfigMap', 'Gateway']);
    expect(out!.items[0]!.metadata.annotations['gateway-compat.io/krm-host-added']).toBe('true');
    expect(Object.keys(out!.items[1]!.metadata.annotations)).not.toContain('gateway-compat.io/krm-host-added');
  });

  it('reads a JSON ResourceList (flow style)', () => {
    const input = JSON.stringify({
      apiVersion: 'config.kubernetes.io/v1',
      kind: 'ResourceList',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p' },
          spec: { securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] }, containers: [] },
        },
      ],
    });
    const { status, stderr, out } = runKrm(input);
    expect(status, stderr).toBe(0);
    expect(out!.items[0]!.spec.securityContext).toEqual({});
  });

  it('writes YAML that parses as one ResourceList without errors', () => {
    const { stdout } = runKrm(packageInput);
    expect(parseDocument(stdout).errors).toEqual([]);
  });
});
