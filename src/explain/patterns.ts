// What `explain` recognises: one row per failure group, with the wordings seen in public issue
// threads (the fixtures in test/fixtures/explain/ quote them with their source). Matching is on
// the whole pasted text with `\s+` between words, so a message wrapped over several lines by a
// terminal or an issue form still matches. Every pattern names the sysctl or a message only its
// absence causes: text about other sysctls or other bind errors is never claimed.

/** Does gateway-compat itself remove the cause? */
export type FixedBy = 'yes' | 'partly' | 'no';

export interface ErrorPattern {
  /** stable id, printed by --json */
  id: string;
  /** the group as a person names it */
  title: string;
  /** global; an optional first capture group is a detail worth showing (a port) */
  pattern: RegExp;
  /** example wording, listed when nothing is recognised */
  looksLike: string;
  meaning: string;
  fixedBy: FixedBy;
  /** the gateway-compat command, or where the fix lives instead */
  fix: string;
  /** public threads that show this wording */
  sources: readonly string[];
}

// The kubelet normalises a slash-separated name to dots in its messages; runc and users may not.
const SYSCTL = String.raw`net[./]ipv4[./]ip_unprivileged_port_start`;
const PROC_FILE = String.raw`/proc/(?:\./)?sys/net/ipv4/ip_unprivileged_port_start`;
const PRIVILEGED_PORT = String.raw`([1-9]\d{0,2}|10[01]\d|102[0-3])`;

const words = (text: string): string =>
  text
    .trim()
    .split(/\s+/)
    .join(String.raw`\s+`);
const regex = (...alternatives: string[]): RegExp => new RegExp(alternatives.map((source) => `(?:${source})`).join('|'), 'gi');

/** Both releases carry the sysctl: the injector re-adds it at admission if only the gateway is fixed. */
export const POST_RENDER_BOTH =
  'post-render both releases: `helm upgrade istiod istio/istiod -n istio-system --reuse-values --post-renderer gateway-compat` ' +
  'and `helm upgrade <gateway-release> istio/gateway -n <namespace> --reuse-values --post-renderer gateway-compat` ' +
  '(Sail operator: `kubectl get istio default -o yaml | gateway-compat | kubectl replace -f -`); ' +
  'see which nodes need it with `kubectl get nodes -o json | gateway-compat nodes`';

const LOW_PORT_GRANTS =
  'ports below 1024 then need `--post-renderer-args --net-bind-service --post-renderer-args --run-as-root`, or `--unprivileged-ports` to listen above 1024';

export const ERROR_PATTERNS: readonly ErrorPattern[] = [
  {
    id: 'kernel-too-old',
    title: 'kernel older than 4.11',
    pattern: regex(words(`${PROC_FILE}: no such file or directory`)),
    looksLike: 'open /proc/sys/net/ipv4/ip_unprivileged_port_start: no such file or directory (every runc wording)',
    meaning:
      "the node's kernel predates Linux 4.11 and has no net.ipv4.ip_unprivileged_port_start, so the runtime cannot " +
      'write the sysctl the pod asks for and the pod sandbox never starts (CentOS 7 and kin run 3.10). If pods that ' +
      "are not gateways fail the same way, the runtime adds the sysctl itself: set containerd's " +
      'enable_unprivileged_ports and enable_unprivileged_icmp to false on that node (k3s-io/k3s#5912)',
    fixedBy: 'yes',
    fix: `${POST_RENDER_BOTH}; ${LOW_PORT_GRANTS}`,
    sources: [
      'https://github.com/istio/istio/issues/49549',
      'https://github.com/istio/istio/issues/36560',
      'https://github.com/containerd/nerdctl/issues/5179',
      'https://github.com/kubernetes-sigs/gateway-api/issues/1798',
    ],
  },
  {
    id: 'host-network',
    title: 'hostNetwork pod',
    pattern: regex(
      words(`forbidden sysctl: "${SYSCTL}" not allowed with host net enabled`),
      words(`sysctl "${SYSCTL}" not allowed in host network namespace`),
    ),
    looksLike: 'SysctlForbidden: forbidden sysctl: "net.ipv4.ip_unprivileged_port_start" not allowed with host net enabled',
    meaning:
      'the pod uses hostNetwork: true, and the kubelet refuses every net.* sysctl on such pods, on any kernel ' +
      '(kubernetes/website#40482); the pod then binds on the host, whose own ip_unprivileged_port_start applies',
    fixedBy: 'yes',
    fix: `${POST_RENDER_BOTH}; on the host network ports below 1024 need root with the capability: \`--post-renderer-args --net-bind-service --post-renderer-args --run-as-root\``,
    sources: ['https://github.com/nginx/kubernetes-ingress/issues/3714', 'https://github.com/nginx/nginx-gateway-fabric/issues/4651'],
  },
  {
    id: 'unsafe-sysctl',
    title: 'kubelet treats the sysctl as unsafe',
    pattern: regex(words(`forbidden sysctl: "${SYSCTL}" not`) + String.raw`\s+(?:whitelisted|allowlisted)`),
    looksLike: 'SysctlForbidden: forbidden sysctl: "net.ipv4.ip_unprivileged_port_start" not whitelisted',
    meaning:
      'the kubelet on that node is older than 1.22 (the sysctl became safe in 1.22, kubernetes/kubernetes#103326), or ' +
      'older than the API server that admitted the pod, so it rejects the pod',
    fixedBy: 'yes',
    fix:
      `${POST_RENDER_BOTH}; ${LOW_PORT_GRANTS}. Or allow it on that kubelet (\`--allowed-unsafe-sysctls=net.ipv4.ip_unprivileged_port_start\`, ` +
      'KubeletConfiguration allowedUnsafeSysctls), or upgrade the kubelet to 1.22 or later',
    sources: ['https://github.com/istio/istio/issues/36560', 'https://github.com/kubernetes/kubernetes/issues/103298'],
  },
  {
    id: 'admission-policy',
    title: 'an admission policy forbids the sysctl',
    pattern: regex(words(`sysctl "${SYSCTL}" is not allowed`), words(`The sysctl ${SYSCTL} is not allowed`)),
    looksLike:
      'PodSecurityPolicy: unable to admit pod: [... sysctl "net.ipv4.ip_unprivileged_port_start" is not allowed]; Gatekeeper: The sysctl net.ipv4.ip_unprivileged_port_start is not allowed',
    meaning:
      'a PodSecurityPolicy (forbiddenSysctls, or the sysctl missing from allowedUnsafeSysctls) or an OPA Gatekeeper ' +
      'constraint (k8spspforbiddensysctls) rejects the pod before it is created. Pod Security Admission allows this sysctl at every level',
    fixedBy: 'yes',
    fix: `${POST_RENDER_BOTH}; ${LOW_PORT_GRANTS}. Or allow the sysctl in the policy (PSP allowedUnsafeSysctls/forbiddenSysctls, Gatekeeper allowedSysctls/forbiddenSysctls)`,
    sources: [
      'https://github.com/kubernetes-sigs/kubespray/pull/3743',
      'https://github.com/open-policy-agent/gatekeeper-library/blob/master/website/docs/forbidden-sysctls.md',
    ],
  },
  {
    id: 'runtime-apparmor',
    title: 'runc 1.3.3+ inside LXC/Proxmox with AppArmor',
    pattern: regex(words(`open sysctl ${SYSCTL} file: reopen fd`) + String.raw`\s+\d+:\s+permission\s+denied`),
    looksLike: 'open sysctl net.ipv4.ip_unprivileged_port_start file: reopen fd 8: permission denied',
    meaning:
      'the kernel has the sysctl, but runc 1.3.3 and later (the CVE-2025-52881 fix) reopens /proc files in a way the ' +
      'AppArmor profile of an LXC/Proxmox container denies. Docker and containerd 2.x write this sysctl into every ' +
      'container or pod sandbox themselves, so this is not a manifest problem',
    fixedBy: 'no',
    fix:
      "the fix lives in the runtime, not in the manifests: adjust the LXC container's AppArmor profile or use the " +
      'fixed runtime packages (opencontainers/runc#4968, containerd/containerd#12484)',
    sources: [
      'https://github.com/opencontainers/runc/issues/4968',
      'https://github.com/opencontainers/runc/issues/4972',
      'https://github.com/containerd/containerd/issues/12484',
      'https://github.com/moby/moby/issues/51405',
    ],
  },
  {
    id: 'runtime-sandbox',
    title: 'Sysbox or a similar sandbox runtime',
    pattern: regex(words(`write ${PROC_FILE}: permission denied`), words(`openat2 ${PROC_FILE}: invalid cross-device link`)),
    looksLike: 'write /proc/sys/net/ipv4/ip_unprivileged_port_start: permission denied',
    meaning:
      'the sandbox runtime (Sysbox, or another runtime that virtualises /proc) does not let the container write this ' +
      'sysctl, or runc refuses the /proc it provides; the kernel is not the problem',
    fixedBy: 'no',
    fix: 'the fix lives in the runtime configuration (nestybox/sysbox#1035, #972): use a runtime version that allows the sysctl, or run the gateway with the default runtime class',
    sources: ['https://github.com/nestybox/sysbox/issues/1035', 'https://github.com/nestybox/sysbox/issues/972'],
  },
  {
    id: 'envoy-cannot-bind',
    title: 'Envoy cannot bind a port below 1024',
    pattern: regex(words(`cannot bind '`) + String.raw`[^'\s]*:${PRIVILEGED_PORT}'` + words(`: Permission denied`)),
    looksLike: "Envoy: cannot bind '0.0.0.0:80': Permission denied",
    meaning:
      "the gateway's Envoy runs as a non-root user (uid 1337) without net.ipv4.ip_unprivileged_port_start=0 and " +
      'without an effective NET_BIND_SERVICE, so it cannot listen on ports below 1024; this follows removing the ' +
      'sysctl without granting anything else',
    fixedBy: 'yes',
    fix:
      'post-render the gateway release with `--post-renderer-args --net-bind-service --post-renderer-args --run-as-root` ' +
      "(root with the capability, as Istio's own templates pair them), or with `--unprivileged-ports` so Envoy listens above 1024 behind the same Service ports",
    sources: ['https://github.com/istio/istio/issues/26822', 'https://github.com/istio/istio/issues/28596'],
  },
  {
    id: 'istiod-skips-privileged-port',
    title: 'istiod skips ports below 1024 for an unprivileged gateway',
    pattern: regex(
      words('skipping privileged gateway port') +
        String.raw`\s+(\d+)\s+` +
        words('for node') +
        String.raw`\s+\S+\s+` +
        words('as it is an unprivileged pod'),
    ),
    looksLike: 'buildGatewayListeners: skipping privileged gateway port 80 for node ... as it is an unprivileged pod',
    meaning:
      'a legacy gateway chart (istio-ingressgateway) sets ISTIO_META_UNPRIVILEGED_POD=true on the proxy, so istiod ' +
      'builds no listener for ports below 1024 even when the proxy could bind them',
    fixedBy: 'partly',
    fix:
      'gateway-compat grants root with `--net-bind-service --run-as-root`, but does not remove the env var: also drop it, ' +
      'e.g. `kubectl set env deployment/<gateway> -n <namespace> -c istio-proxy ISTIO_META_UNPRIVILEGED_POD-`, ' +
      "or set the gateway's runAsRoot value in the legacy chart or IstioOperator",
    sources: ['https://github.com/istio/istio/issues/38295', 'https://github.com/istio/istio/issues/44372'],
  },
];

/** Mentions of the sysctl anywhere: reported when nothing matched, so a user knows the text was read. */
export const SYSCTL_MENTION = new RegExp(SYSCTL, 'gi');
