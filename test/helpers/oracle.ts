// An independent semantic oracle for the property tests (issue 11, item 12). Each generated
// document carries its input object and a function that builds, in this file and from the README's
// words alone, the object the tool must put out for it. Nothing here comes from src/: the pod
// template paths, what makes a gateway workload and what each grant looks like are written down
// again, so that a wrong path table or detector in the implementation cannot agree with itself.
import fc from 'fast-check';
import { Document, isCollection } from 'yaml';

export type Json = Record<string, any>;
export const SYSCTL = 'net.ipv4.ip_unprivileged_port_start';
export const OPTIONS_CONFIGMAP = 'asm-kube-gateway-options';

export interface OracleConfig {
  readonly netBindService: boolean;
  readonly runAsRoot: boolean;
  readonly gatewayOptions: boolean;
}

export interface OracleDocument {
  readonly text: string;
  readonly input: Json;
  /** the object the tool must write for this document */
  readonly expected: (config: OracleConfig) => Json;
  /** an istio-class Gateway's namespace: an options ConfigMap is added before the first of them */
  readonly wiredNamespace?: string;
}

/** Where each workload kind keeps its pod template (README, "What it changes"), written out here. */
const WORKLOADS: Record<string, { apiVersion: string; template: string[] }> = {
  Pod: { apiVersion: 'v1', template: [] },
  Deployment: { apiVersion: 'apps/v1', template: ['spec', 'template'] },
  StatefulSet: { apiVersion: 'apps/v1', template: ['spec', 'template'] },
  DaemonSet: { apiVersion: 'apps/v1', template: ['spec', 'template'] },
  ReplicaSet: { apiVersion: 'apps/v1', template: ['spec', 'template'] },
  ReplicationController: { apiVersion: 'v1', template: ['spec', 'template'] },
  Job: { apiVersion: 'batch/v1', template: ['spec', 'template'] },
  CronJob: { apiVersion: 'batch/v1', template: ['spec', 'jobTemplate', 'spec', 'template'] },
};

/** The pod spec's path in a workload of `kind`, from the table above; undefined for other kinds. */
export function podSpecPath(kind: string): string[] | undefined {
  const workload = WORKLOADS[kind];
  return workload === undefined ? undefined : [...workload.template, 'spec'];
}

const OTHER_SYSCTLS = [
  { name: 'net.core.somaxconn', value: '1024' },
  { name: 'net.ipv4.ping_group_range', value: '0 2147483647' },
  { name: 'kernel.shm_rmid_forced', value: '1' },
];

const clone = <T>(value: T): T => structuredClone(value);
const at = (object: Json, path: readonly string[]): Json => path.reduce((current, key) => current[key], object);

type Style = 'block' | 'flow-template' | 'flow-all' | 'json';

/** Renders an object in one of the styles manifests come in; `flowAt` is the pod template path. */
function render(object: Json, style: Style, flowAt: readonly string[]): string {
  if (style === 'json') return `${JSON.stringify(object, null, 2)}\n`;
  const doc = new Document(object);
  if (style === 'flow-all') {
    for (const key of Object.keys(object)) {
      const node = doc.get(key, true);
      if (isCollection(node) && key !== 'metadata') node.flow = true;
    }
  } else if (style === 'flow-template') {
    const node = flowAt.length === 0 ? doc.get('spec', true) : doc.getIn(flowAt, true);
    if (isCollection(node)) node.flow = true;
  }
  return doc.toString({ lineWidth: 0 });
}

/** The pod asks for the `gateway` injection template (`inject.istio.io/templates` names it). */
function asksForGatewayTemplate(template: Json): boolean {
  return String(template.metadata?.annotations?.['inject.istio.io/templates'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .includes('gateway');
}

/** `inject.istio.io/templates` naming the gateway template, or a proxy running as a router. */
function isGatewayPod(template: Json): boolean {
  const proxy = (template.spec.containers as Json[]).find((container) => container.name === 'istio-proxy');
  return asksForGatewayTemplate(template) || (Array.isArray(proxy?.args) && proxy.args.includes('router'));
}

/** README: the sysctl goes, other sysctls stay, an emptied list goes, an emptied context is {}. */
function withoutSysctl(podSpec: Json): void {
  const sysctls = podSpec.securityContext?.sysctls;
  if (!Array.isArray(sysctls)) return;
  const kept = sysctls.filter((entry: Json) => entry.name !== SYSCTL);
  if (kept.length === sysctls.length) return;
  if (kept.length > 0) podSpec.securityContext.sysctls = kept;
  else delete podSpec.securityContext.sysctls;
}

/**
 * README: NET_BIND_SERVICE added to istio-proxy; root as runAsUser 0, runAsGroup 0, runAsNonRoot
 * false (--run-as-root implies the capability). An injected gateway (it asks for the gateway
 * template; the generator makes no hostNetwork or opted-out pods) gets the capability from the
 * injection template, so its Deployment's list is written only when it already has one.
 */
function withGrant(container: Json, config: OracleConfig, injected = false): void {
  if (!config.netBindService && !config.runAsRoot) return;
  const hadAdd = Array.isArray(container.securityContext?.capabilities?.add);
  const writeCapability = (config.netBindService || config.runAsRoot) && (!injected || hadAdd);
  if (!writeCapability && !config.runAsRoot) return;
  const context = (container.securityContext ??= {});
  if (writeCapability) {
    const capabilities = (context.capabilities ??= {});
    const add = (capabilities.add ??= []);
    if (!add.includes('NET_BIND_SERVICE')) add.push('NET_BIND_SERVICE');
  }
  if (config.runAsRoot) Object.assign(context, { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false });
}

const names = fc.constantFrom('gw', 'istio-ingressgateway', 'edge', 'east-west', 'app', 'worker');
const namespaces = fc.constantFrom('istio-system', 'apps', 'istio-ingress', 'team-a');
const styles = fc.constantFrom<Style>('block', 'block', 'flow-template', 'flow-all', 'json');

export const workloadDocument: fc.Arbitrary<OracleDocument> = fc
  .record({
    kind: fc.constantFrom(...Object.keys(WORKLOADS)),
    name: names,
    namespace: namespaces,
    marker: fc.constantFrom('gateway', 'gateway,custom', 'custom, gateway', 'sidecar', 'router', 'none'),
    sysctls: fc
      .subarray([{ name: SYSCTL, value: '0' }, ...OTHER_SYSCTLS])
      .chain((chosen) => fc.shuffledSubarray(chosen, { minLength: chosen.length })),
    podSecurity: fc.constantFrom('sysctls-only', 'runAsNonRoot', 'none'),
    proxy: fc.constantFrom('plain', 'runAsNonRoot', 'drop-all', 'has-capability', 'absent'),
    appFirst: fc.boolean(),
    style: styles,
  })
  .map(({ kind, name, namespace, marker, sysctls, podSecurity, proxy, appFirst, style }) => {
    const { apiVersion, template: templatePath } = WORKLOADS[kind]!;
    const proxyContainer: Json = { name: 'istio-proxy', image: 'auto', ports: [{ containerPort: 8080 }] };
    if (marker === 'router') proxyContainer.args = ['proxy', 'router'];
    if (proxy === 'runAsNonRoot') proxyContainer.securityContext = { runAsNonRoot: true, runAsUser: 1337 };
    if (proxy === 'drop-all') proxyContainer.securityContext = { capabilities: { drop: ['ALL'] } };
    if (proxy === 'has-capability') proxyContainer.securityContext = { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } };
    const app = { name: 'app', image: 'example/app:1' };
    const containers = proxy === 'absent' ? [app] : appFirst ? [app, proxyContainer] : [proxyContainer, app];
    const podSpec: Json = { containers };
    if (podSecurity !== 'none' || sysctls.length > 0) {
      podSpec.securityContext = podSecurity === 'runAsNonRoot' ? { runAsNonRoot: true } : {};
      if (sysctls.length > 0) podSpec.securityContext.sysctls = sysctls;
    }
    const podMetadata: Json = { labels: { app: name } };
    if (marker !== 'none' && marker !== 'router') podMetadata.annotations = { 'inject.istio.io/templates': marker };

    let input: Json;
    if (kind === 'Pod') {
      input = { apiVersion, kind, metadata: { name, namespace, ...podMetadata }, spec: podSpec };
    } else {
      const template = { metadata: podMetadata, spec: podSpec };
      const spec: Json =
        kind === 'CronJob'
          ? { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } }
          : { selector: { matchLabels: { app: name } }, template };
      if (kind === 'Job' || kind === 'CronJob') delete spec.selector;
      input = { apiVersion, kind, metadata: { name, namespace }, spec };
    }
    const expected = (config: OracleConfig): Json => {
      const out = clone(input);
      const template = templatePath.length === 0 ? out : at(out, templatePath);
      withoutSysctl(template.spec);
      if (isGatewayPod(template)) {
        const container = (template.spec.containers as Json[]).find((candidate) => candidate.name === 'istio-proxy');
        if (container) withGrant(container, config, asksForGatewayTemplate(template));
      }
      return out;
    };
    return { text: render(input, style, templatePath), input, expected };
  });

export const gatewayDocument: fc.Arbitrary<OracleDocument> = fc
  .record({
    name: names,
    namespace: namespaces,
    className: fc.constantFrom('istio', 'istio', 'nginx', 'istio-waypoint'),
    labels: fc.boolean(),
    port: fc.constantFrom(80, 8080, 443, 8443),
    style: styles,
  })
  .map(({ name, namespace, className, labels, port, style }) => {
    const input: Json = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name, namespace },
      spec: {
        gatewayClassName: className,
        ...(labels ? { infrastructure: { labels: { team: 'edge' } } } : {}),
        listeners: [{ name: 'http', port, protocol: 'HTTP' }],
      },
    };
    const wired = className === 'istio';
    const expected = (config: OracleConfig): Json => {
      const out = clone(input);
      if (wired && config.gatewayOptions)
        out.spec.infrastructure = {
          ...(out.spec.infrastructure ?? {}),
          parametersRef: { group: '', kind: 'ConfigMap', name: OPTIONS_CONFIGMAP },
        };
      return out;
    };
    return { text: render(input, style, ['spec']), input, expected, ...(wired ? { wiredNamespace: namespace } : {}) };
  });

/** Documents no rule may change: Services, Secrets, plain ConfigMaps (one mentions the sysctl). */
export const untouchedDocument: fc.Arbitrary<OracleDocument> = fc
  .record({ kind: fc.constantFrom('Service', 'Secret', 'ConfigMap'), name: names, namespace: namespaces, style: styles })
  .map(({ kind, name, namespace, style }) => {
    const input: Json =
      kind === 'Service'
        ? {
            apiVersion: 'v1',
            kind,
            metadata: { name, namespace },
            spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
          }
        : kind === 'Secret'
          ? { apiVersion: 'v1', kind, metadata: { name, namespace }, type: 'Opaque', stringData: { note: `${SYSCTL} istio-proxy` } }
          : { apiVersion: 'v1', kind, metadata: { name, namespace }, data: { 'notes.txt': `${SYSCTL}=0 is set by the gateway chart` } };
    return { text: render(input, style, ['spec']), input, expected: () => clone(input) };
  });

/** The options ConfigMap the tool adds before the first wired Gateway of a namespace. */
export function addedOptionsConfigMap(namespace: string, config: OracleConfig): Json {
  const podSpec: Json = { securityContext: { sysctls: [] } };
  if (config.netBindService || config.runAsRoot) {
    const proxy: Json = { name: 'istio-proxy' };
    withGrant(proxy, config);
    podSpec.containers = [proxy];
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: OPTIONS_CONFIGMAP, namespace },
    data: { deployment: { spec: { template: { spec: podSpec } } } },
  };
}

/** Every object the run must put out, in order. */
export function expectedObjects(documents: readonly OracleDocument[], config: OracleConfig): Json[] {
  const out: Json[] = [];
  const served = new Set<string>();
  for (const document of documents) {
    if (config.gatewayOptions && document.wiredNamespace !== undefined && !served.has(document.wiredNamespace)) {
      served.add(document.wiredNamespace);
      out.push(addedOptionsConfigMap(document.wiredNamespace, config));
    }
    out.push(document.expected(config));
  }
  return out;
}

export const oracleStream: fc.Arbitrary<OracleDocument[]> = fc.array(
  fc.oneof(
    { arbitrary: workloadDocument, weight: 5 },
    { arbitrary: gatewayDocument, weight: 2 },
    { arbitrary: untouchedDocument, weight: 1 },
  ),
  { minLength: 1, maxLength: 6 },
);

export function streamText(documents: readonly OracleDocument[]): string {
  return documents.map((document) => `---\n${document.text}`).join('');
}
