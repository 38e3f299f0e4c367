// The cases of the outcome matrix, for one chart version. Each case says how the user renders
// the two releases (Helm values), how each release is post-rendered (the same flags on both,
// unless the case is about flags that differ), and which workloads reach istio-sim.
import { gatewayChartBranchesOnKubeVersion, hasAgentgateway, istiodHasGatewaysSecurityContext } from './releases.js';

export const SYSCTL = 'net.ipv4.ip_unprivileged_port_start';

/** Every supported way to let Envoy bind ports below 1024, as post-render flags. */
export const WAYS: Record<string, readonly string[]> = {
  'no grant': [],
  'high ports': ['--unprivileged-ports'],
  'root + capability': ['--run-as-root', '--net-bind-service'],
  root: ['--run-as-root'],
  'capability only': ['--net-bind-service'],
  'high ports + root + capability': ['--unprivileged-ports', '--run-as-root', '--net-bind-service'],
};

/** The ways every render variant is crossed with (the defaults get all of WAYS). */
const MAIN_WAYS = ['no grant', 'high ports', 'root + capability', 'root'] as const;

export type Workloads =
  | { kind: 'gateway-chart'; values: readonly string[] }
  | { kind: 'gateway-api'; className: 'istio' | 'istio-agentgateway' }
  | { kind: 'host-network' };

export interface OutcomeCase {
  version: string;
  name: string;
  /** helm args of the istiod release (values, --kube-version) */
  istiod: readonly string[];
  /** post-render flags of the istiod release; null: the user did not post-render it */
  istiodFlags: readonly string[] | null;
  workloads: Workloads;
  /** post-render flags of the stream holding the workloads */
  workloadFlags: readonly string[];
  /** helm --kube-version of both releases, and what istio-sim's injector and controller see */
  kubeVersion: string;
  revision?: string;
}

const sc = (json: object): string => JSON.stringify(json);

export function casesFor(version: string): OutcomeCase[] {
  const cases: OutcomeCase[] = [];
  const add = (
    name: string,
    c: Omit<OutcomeCase, 'version' | 'name' | 'kubeVersion'> & { kubeVersion?: string },
    ways: readonly string[] = MAIN_WAYS,
  ): void => {
    for (const way of ways) {
      const flags = WAYS[way] as readonly string[];
      cases.push({
        version,
        kubeVersion: '1.30.0',
        ...c,
        name: `${name} / ${way}`,
        istiodFlags: c.istiodFlags === null ? null : [...(c.istiodFlags ?? []), ...flags],
        workloadFlags: [...c.workloadFlags, ...flags],
      });
    }
  };
  const chart = (values: readonly string[] = []): Workloads => ({ kind: 'gateway-chart', values });

  add('defaults', { istiod: [], istiodFlags: [], workloads: chart(), workloadFlags: [] }, Object.keys(WAYS));
  add('revision canary', {
    istiod: ['--set', 'revision=canary'],
    istiodFlags: [],
    workloads: chart(['--set', 'revision=canary']),
    workloadFlags: [],
    revision: 'canary',
  });
  add('gateway securityContext set', {
    istiod: [],
    istiodFlags: [],
    workloads: chart(['--set-json', `securityContext=${sc({ fsGroup: 1337, runAsNonRoot: true })}`]),
    workloadFlags: [],
  });
  add('gateway securityContext with the sysctl', {
    istiod: [],
    istiodFlags: [],
    workloads: chart([
      '--set-json',
      `securityContext=${sc({
        sysctls: [
          { name: SYSCTL, value: '0' },
          { name: 'net.ipv4.tcp_keepalive_time', value: '600' },
        ],
      })}`,
    ]),
    workloadFlags: [],
  });
  add('gateway containerSecurityContext set', {
    istiod: [],
    istiodFlags: [],
    workloads: chart([
      '--set-json',
      `containerSecurityContext=${sc({ runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_RAW'] } })}`,
    ]),
    workloadFlags: [],
  });
  if (istiodHasGatewaysSecurityContext(version)) {
    add('istiod gateways.securityContext set', {
      istiod: ['--set-json', `gateways.securityContext=${sc({ fsGroup: 1337 })}`],
      istiodFlags: [],
      workloads: chart(),
      workloadFlags: [],
    });
    add('istiod gateways.securityContext with the sysctl', {
      istiod: ['--set-json', `gateways.securityContext=${sc({ sysctls: [{ name: SYSCTL, value: '0' }] })}`],
      istiodFlags: [],
      workloads: chart(),
      workloadFlags: [],
    });
  }
  if (gatewayChartBranchesOnKubeVersion(version)) {
    add('Kubernetes 1.21', { istiod: [], istiodFlags: [], workloads: chart(), workloadFlags: [], kubeVersion: '1.21.0' });
  }
  // Flags that differ between the two releases.
  const grant = WAYS['root + capability'] as readonly string[];
  cases.push(
    {
      version,
      name: 'grant on the istiod release only',
      kubeVersion: '1.30.0',
      istiod: [],
      istiodFlags: grant,
      workloads: chart(),
      workloadFlags: [],
    },
    {
      version,
      name: 'grant on the gateway release only',
      kubeVersion: '1.30.0',
      istiod: [],
      istiodFlags: [],
      workloads: chart(),
      workloadFlags: grant,
    },
    {
      version,
      name: 'istiod release not post-rendered',
      kubeVersion: '1.30.0',
      istiod: [],
      istiodFlags: null,
      workloads: chart(),
      workloadFlags: grant,
    },
  );
  // Gateway API Gateways (class istio: Istio 1.18+ renders them from the kube-gateway template).
  add(
    'Gateway API class istio',
    { istiod: [], istiodFlags: [], workloads: { kind: 'gateway-api', className: 'istio' }, workloadFlags: [] },
    Object.keys(WAYS),
  );
  if (hasAgentgateway(version)) {
    const agent = ['--set', 'pilot.env.PILOT_ENABLE_AGENTGATEWAY=true'];
    add(
      'Gateway API class istio-agentgateway',
      { istiod: agent, istiodFlags: [], workloads: { kind: 'gateway-api', className: 'istio-agentgateway' }, workloadFlags: [] },
      Object.keys(WAYS),
    );
    add('Gateway API class istio-agentgateway named by --gateway-class', {
      istiod: agent,
      istiodFlags: [],
      workloads: { kind: 'gateway-api', className: 'istio-agentgateway' },
      workloadFlags: ['--gateway-class', 'istio', '--gateway-class', 'istio-agentgateway'],
    });
  }
  add('hostNetwork gateway', { istiod: [], istiodFlags: [], workloads: { kind: 'host-network' }, workloadFlags: [] });
  return cases;
}

/** A user's Gateway API stream: one Gateway with listeners on 80 and 443. */
export function gatewayApiStream(className: string, revision: string | undefined): string {
  const name = className === 'istio' ? 'web' : 'agent';
  return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ${name}
  namespace: apps${revision ? `\n  labels:\n    istio.io/rev: ${revision}` : ''}
spec:
  gatewayClassName: ${className}
  listeners:
  - name: http
    port: 80
    protocol: HTTP
  - name: https
    port: 443
    protocol: HTTPS
    tls:
      mode: Terminate
      certificateRefs:
      - name: web-cert
`;
}

/** A gateway on the host network (a DaemonSet with hostPorts), as operators of bare-metal edges write it. */
export function hostNetworkStream(version: string): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: edge
  namespace: istio-ingress
spec:
  selector:
    matchLabels:
      app: edge
  template:
    metadata:
      labels:
        app: edge
        istio: edge
      annotations:
        inject.istio.io/templates: gateway
    spec:
      hostNetwork: true
      dnsPolicy: ClusterFirstWithHostNet
      securityContext:
        sysctls:
        - name: ${SYSCTL}
          value: "0"
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:${version}
        args: [proxy, router, --domain, $(POD_NAMESPACE).svc.cluster.local]
        ports:
        - {name: http2, containerPort: 80, hostPort: 80}
        - {name: https, containerPort: 443, hostPort: 443}
        securityContext:
          runAsUser: 1337
          runAsGroup: 1337
          runAsNonRoot: true
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
`;
}
