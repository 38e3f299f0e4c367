// Issue 11, item 13: every option and every selection, judged on the parsed output against
// objects this test builds itself (no path table or detector of the implementation): which
// documents change, and exactly how.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { transform, type TransformOptions } from '../src/transform.js';
import { runCli } from './helpers/run-cli.js';

type Json = Record<string, any>;
const SYSCTL = 'net.ipv4.ip_unprivileged_port_start';
const clone = <T>(value: T): T => structuredClone(value);

function deployment(namespace: string, name: string, annotations: Record<string, string>, containerName: string, port = 8080): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations },
        spec: {
          securityContext: {
            sysctls: [
              { name: SYSCTL, value: '0' },
              { name: 'net.core.somaxconn', value: '1024' },
            ],
          },
          containers: [{ name: containerName, image: 'auto', ports: [{ containerPort: port }] }],
        },
      },
    },
  };
}

const GATEWAY_TEMPLATE = `spec:\n  securityContext:\n    sysctls:\n    - name: ${SYSCTL}\n      value: "0"\n  containers:\n  - name: istio-proxy\n`;
const gatewayDeployment = deployment('istio-system', 'gw', { 'inject.istio.io/templates': 'gateway' }, 'istio-proxy');
const appDeployment = deployment('apps', 'app', {}, 'app');
const injector: Json = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'istio-sidecar-injector', namespace: 'istio-system' },
  data: { config: stringify({ policy: 'enabled', templates: { gateway: GATEWAY_TEMPLATE } }) },
};
const gatewayOf = (namespace: string, name: string, className: string): Json => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace },
  spec: { gatewayClassName: className, listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] },
});
const web = gatewayOf('apps', 'web', 'istio');
const edge = gatewayOf('edge', 'edge', 'nginx');
const STREAM = [gatewayDeployment, appDeployment, injector, web, edge];

// ---- the oracle: what each rule must make of these objects, built by hand ----

/** The pod's sysctls without ours (other sysctls stay). */
function sysctlRemoved(object: Json): Json {
  const out = clone(object);
  out.spec.template.spec.securityContext.sysctls = [{ name: 'net.core.somaxconn', value: '1024' }];
  return out;
}
/** data.config with the sysctl gone from the gateway template: an emptied list becomes []. */
function templateFixed(object: Json): Json {
  const out = clone(object);
  out.data.config = {
    policy: 'enabled',
    templates: { gateway: { spec: { securityContext: { sysctls: [] }, containers: [{ name: 'istio-proxy' }] } } },
  };
  return out;
}
function wired(gateway: Json, configMapName = 'asm-kube-gateway-options'): Json {
  const out = clone(gateway);
  out.spec.infrastructure = { parametersRef: { group: '', kind: 'ConfigMap', name: configMapName } };
  return out;
}
function optionsConfigMap(namespace: string, name = 'asm-kube-gateway-options'): Json {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data: { deployment: { spec: { template: { spec: { securityContext: { sysctls: [] } } } } } },
  };
}

/** The output as plain objects; data.config / data.deployment read as YAML too, for comparison. */
function objectsOf(text: string): Json[] {
  return parseAllDocuments(text).map((doc) => {
    expect(doc.errors).toEqual([]);
    const object = doc.toJS() as Json;
    for (const key of ['config', 'deployment']) {
      if (typeof object?.data?.[key] === 'string') {
        const inner = parseAllDocuments(object.data[key])[0]!.toJS() as Json;
        object.data[key] =
          key === 'config' && typeof inner.templates?.gateway === 'string'
            ? { ...inner, templates: { ...inner.templates, gateway: parseAllDocuments(inner.templates.gateway)[0]!.toJS() } }
            : inner;
      }
    }
    return object;
  });
}

function run(input: Json[], config: TransformOptions['config']): Json[] {
  const result = transform(input.map((object) => `---\n${stringify(object)}`).join(''), { config });
  return objectsOf(result.text);
}

const asObjects = (objects: Json[]): Json[] => objectsOf(objects.map((object) => `---\n${stringify(object)}`).join(''));
const DEFAULT_OUTPUT = [
  sysctlRemoved(gatewayDeployment),
  sysctlRemoved(appDeployment),
  templateFixed(injector),
  optionsConfigMap('apps'),
  wired(web),
  edge,
];

describe('options: each rule on and off', () => {
  it('defaults: workloads, the injector template and the istio-class Gateway are fixed; an nginx Gateway is not', () => {
    expect(run(STREAM, {})).toEqual(DEFAULT_OUTPUT);
  });

  it('--no-sysctls leaves workload sysctls alone and still fixes the injection template (as the README says)', () => {
    expect(run(STREAM, { sysctls: { enabled: false } })).toEqual([
      gatewayDeployment,
      appDeployment,
      templateFixed(injector),
      optionsConfigMap('apps'),
      wired(web),
      edge,
    ]);
  });

  it('--no-injection-templates leaves the injector ConfigMap alone', () => {
    expect(run(STREAM, { injectionTemplate: { enabled: false } })).toEqual([
      sysctlRemoved(gatewayDeployment),
      sysctlRemoved(appDeployment),
      asObjects([injector])[0],
      optionsConfigMap('apps'),
      wired(web),
      edge,
    ]);
  });

  it('--no-istio-values, --no-injection-templates, --no-sysctls: each spares only its own part of an injector with data.values', () => {
    // data.values as Helm renders it (toPrettyJson), with the sysctl in gateways.securityContext
    const values = (sysctls: Json[]): string =>
      JSON.stringify({ gateways: { securityContext: { fsGroup: 1337, sysctls } }, global: { tag: '1.24.6' } }, null, 2);
    const withValues: Json = { ...clone(injector), data: { values: values([{ name: SYSCTL, value: '0' }]), ...injector.data } };
    const valuesFixed = (object: Json): Json => ({ ...clone(object), data: { ...object.data, values: values([]) } });
    const both = valuesFixed(templateFixed(asObjects([withValues])[0]!));
    expect(run([withValues], {})).toEqual([both]);
    expect(run([withValues], { sysctls: { enabled: false } })).toEqual([both]);
    expect(run([withValues], { injectionTemplate: { enabled: false } })).toEqual([valuesFixed(asObjects([withValues])[0]!)]);
    expect(run([withValues], { istioValues: { enabled: false } })).toEqual([templateFixed(asObjects([withValues])[0]!)]);
  });

  it('--no-gateway-options leaves every Gateway alone and adds no ConfigMap', () => {
    expect(run(STREAM, { gatewayApi: { enabled: false } })).toEqual([
      sysctlRemoved(gatewayDeployment),
      sysctlRemoved(appDeployment),
      templateFixed(injector),
      web,
      edge,
    ]);
  });

  it('--gateway-class picks the classes by glob: nginx only, then istio and ngin*', () => {
    expect(run(STREAM, { gatewayApi: { gatewayClassNames: ['nginx'] } })).toEqual([
      sysctlRemoved(gatewayDeployment),
      sysctlRemoved(appDeployment),
      templateFixed(injector),
      web,
      optionsConfigMap('edge'),
      wired(edge),
    ]);
    expect(run(STREAM, { gatewayApi: { gatewayClassNames: ['istio', 'ngin*'] } })).toEqual([
      sysctlRemoved(gatewayDeployment),
      sysctlRemoved(appDeployment),
      templateFixed(injector),
      optionsConfigMap('apps'),
      wired(web),
      optionsConfigMap('edge'),
      wired(edge),
    ]);
  });

  it('--options-configmap names the ConfigMap', () => {
    expect(run([web], { gatewayApi: { optionsConfigMap: 'old-kernel-options' } })).toEqual([
      optionsConfigMap('apps', 'old-kernel-options'),
      wired(web, 'old-kernel-options'),
    ]);
  });
});

describe('selection: --include and --exclude over Kind, Kind/namespace and Kind/namespace/name globs', () => {
  const cases: [string, NonNullable<TransformOptions['config']>['select'], Json[]][] = [
    [
      '--include Deployment (a Kind)',
      { include: ['Deployment'] },
      [sysctlRemoved(gatewayDeployment), sysctlRemoved(appDeployment), ...asObjects([injector, web, edge])],
    ],
    [
      '--include Deployment/istio-* (a Kind/namespace glob)',
      { include: ['Deployment/istio-*'] },
      [sysctlRemoved(gatewayDeployment), ...asObjects([appDeployment, injector, web, edge])],
    ],
    [
      '--include Deployment/apps/app (Kind/namespace/name)',
      { include: ['Deployment/apps/app'] },
      [...asObjects([gatewayDeployment]), sysctlRemoved(appDeployment), ...asObjects([injector, web, edge])],
    ],
    [
      'several --include globs: Deployment/apps/* and Gateway/apps/web',
      { include: ['Deployment/apps/*', 'Gateway/apps/web'] },
      [
        ...asObjects([gatewayDeployment]),
        sysctlRemoved(appDeployment),
        ...asObjects([injector]),
        optionsConfigMap('apps'),
        wired(web),
        edge,
      ],
    ],
    [
      '--include on a Gateway alone',
      { include: ['Gateway/*/web'] },
      [...asObjects([gatewayDeployment, appDeployment, injector]), optionsConfigMap('apps'), wired(web), edge],
    ],
    [
      '--exclude a Gateway: not wired, no ConfigMap added',
      { exclude: ['Gateway/apps/web'] },
      [sysctlRemoved(gatewayDeployment), sysctlRemoved(appDeployment), templateFixed(injector), web, edge],
    ],
    [
      '--exclude a Kind',
      { exclude: ['Deployment'] },
      [...asObjects([gatewayDeployment, appDeployment]), templateFixed(injector), optionsConfigMap('apps'), wired(web), edge],
    ],
    [
      '--exclude wins over --include',
      { include: ['Deployment/*'], exclude: ['Deployment/istio-system/*'] },
      [...asObjects([gatewayDeployment]), sysctlRemoved(appDeployment), ...asObjects([injector, web, edge])],
    ],
  ];
  for (const [name, select, expected] of cases) {
    it(name, () => {
      expect(run(STREAM, { select })).toEqual(expected);
    });
  }

  it('the CLI flags mean the same as the configuration', () => {
    const input = STREAM.map((object) => `---\n${stringify(object)}`).join('');
    const result = runCli(['--report', 'none', '--include', 'Deployment/apps/*', '--include', 'Gateway/apps/web'], input);
    expect(result.status, result.stderr).toBe(0);
    expect(objectsOf(result.stdout)).toEqual(cases[3]![2]);
  });
});

describe('privileges and ports', () => {
  const service = (targetPort: number): Json => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'gw', namespace: 'istio-system' },
    spec: { selector: { app: 'gw' }, ports: [{ name: 'p', port: 80, targetPort }] },
  });

  it('--unprivileged-ports moves targetPort 1023 (the last privileged port) and its containerPort, and leaves 1024 alone', () => {
    const workload = deployment('istio-system', 'gw', { 'inject.istio.io/templates': 'gateway' }, 'istio-proxy', 1023);
    const moved = sysctlRemoved(workload);
    moved.spec.template.spec.containers[0].ports[0].containerPort = 9023;
    const movedService = service(9023);
    expect(run([workload, service(1023)], { unprivilegedPorts: { enabled: true } })).toEqual([moved, movedService]);

    const high = deployment('istio-system', 'gw', { 'inject.istio.io/templates': 'gateway' }, 'istio-proxy', 1024);
    expect(run([high, service(1024)], { unprivilegedPorts: { enabled: true } })).toEqual([
      sysctlRemoved(high),
      ...asObjects([service(1024)]),
    ]);
  });

  it("inject.istio.io/templates: gateway,<other> is a gateway workload: istio-proxy gets the root grant (NET_BIND_SERVICE is the injection template's to add)", () => {
    const workload = deployment('istio-system', 'gw', { 'inject.istio.io/templates': 'gateway,custom' }, 'istio-proxy');
    const expected = sysctlRemoved(workload);
    expected.spec.template.spec.containers[0].securityContext = { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false };
    const [out] = run([workload], { netBindService: true, runAsRoot: true });
    expect(out).toEqual(expected);
  });

  it('a sidecar workload (templates: sidecar, or none) never gets a grant', () => {
    for (const annotations of [{ 'inject.istio.io/templates': 'sidecar' }, {}] as Record<string, string>[]) {
      const workload = deployment('apps', 'app', annotations, 'istio-proxy');
      expect(run([workload], { netBindService: true, runAsRoot: true })).toEqual([sysctlRemoved(workload)]);
    }
  });
});
