// What a node's container runtime and kubelet versions mean for the sysctl, from the same
// status.nodeInfo the kernel check reads. Sources:
//  - containerd 2.x CRI: EnableUnprivilegedPorts and EnableUnprivilegedICMP default to true
//    (internal/cri/config/config_unix.go, containerd#9348); the runtime config is refused on
//    kernels before 4.11 (ValidateEnableUnprivileged in config_kernel_linux.go, containerd#9172);
//    the sandbox spec adds ip_unprivileged_port_start=0 unless the pod is hostNetwork or sets it.
//  - kubelet: the sysctl is safe from 1.22 (kubernetes#103326); failCgroupV1 defaults to true
//    from 1.35 (kubernetes#134298); Kubernetes supports cgroup v2 on kernels 5.8 and later.
import { formatMajorMinor, isOlderThan, parseKernelVersion, type KernelVersion } from './kernel-version.js';

export type NoteId = 'containerd-refuses-old-kernel' | 'containerd-sets-sysctl' | 'kubelet-cgroup-v1' | 'kubelet-cgroup-v1-on-upgrade';

/** Advice about a node setting; it does not change the verdict. */
export interface NodeNote {
  id: NoteId;
  message: string;
}

export interface SoftwareAssessment {
  /** why the kubelet itself rejects pods that set the sysctl; undefined when it does not */
  kubeletRejectsSysctl: string | undefined;
  notes: NodeNote[];
}

const FIRST_SAFE_KUBELET: KernelVersion = { major: 1, minor: 22, patch: 0 };
const FIRST_KUBELET_FAILING_CGROUP_V1: KernelVersion = { major: 1, minor: 35, patch: 0 };
const FIRST_KERNEL_FOR_CGROUP_V2: KernelVersion = { major: 5, minor: 8, patch: 0 };
const FIRST_KERNEL_WITH_SYSCTL: KernelVersion = { major: 4, minor: 11, patch: 0 };
const FIRST_CONTAINERD_ENABLING_PORTS = 2;

export interface Runtime {
  name: string;
  version: KernelVersion | undefined;
  text: string;
}

/** `containerd://2.0.5-k3s2` -> containerd 2.0; the version head is read like a kernel release. */
export function parseRuntime(containerRuntimeVersion: string): Runtime | undefined {
  const match = /^([a-z0-9-]+):\/\/v?(.+)$/i.exec(containerRuntimeVersion.trim());
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), version: parseKernelVersion(match[2]!), text: match[2]! };
}

/** `v1.28.14+k3s1`, `v1.29.6-eks-1de2ab1` -> 1.28 / 1.29. */
export function parseKubeletVersion(kubeletVersion: string): KernelVersion | undefined {
  return parseKernelVersion(kubeletVersion.trim().replace(/^v/, ''));
}

export function assessSoftware(
  facts: { containerRuntimeVersion: string | undefined; kubeletVersion: string | undefined },
  kernel: KernelVersion | undefined,
): SoftwareAssessment {
  const notes: NodeNote[] = [];
  const runtime = facts.containerRuntimeVersion === undefined ? undefined : parseRuntime(facts.containerRuntimeVersion);
  if (runtime?.name === 'containerd' && runtime.version !== undefined && runtime.version.major >= FIRST_CONTAINERD_ENABLING_PORTS) {
    const containerd = `containerd ${runtime.text}`;
    if (kernel !== undefined && isOlderThan(kernel, FIRST_KERNEL_WITH_SYSCTL)) {
      notes.push({
        id: 'containerd-refuses-old-kernel',
        message:
          `${containerd} defaults its CRI options enable_unprivileged_ports and enable_unprivileged_icmp to true and refuses to ` +
          `load its CRI runtime on kernels older than 4.11 ("unprivileged_icmp and unprivileged_port require kernel version greater ` +
          `than or equal to 4.11"): keep both set to false under [plugins.'io.containerd.cri.v1.runtime'] in /etc/containerd/config.toml on this node`,
      });
    } else if (kernel !== undefined) {
      notes.push({
        id: 'containerd-sets-sysctl',
        message:
          `${containerd} sets net.ipv4.ip_unprivileged_port_start=0 itself in every pod sandbox that is not hostNetwork ` +
          `(enable_unprivileged_ports, true by default since 2.0): a non-root Envoy binds ports below 1024 here without the pod sysctl, unless that option was turned off`,
      });
    }
  }

  const kubelet = facts.kubeletVersion === undefined ? undefined : parseKubeletVersion(facts.kubeletVersion);
  let kubeletRejectsSysctl: string | undefined;
  if (kubelet !== undefined && isOlderThan(kubelet, FIRST_SAFE_KUBELET)) {
    kubeletRejectsSysctl =
      `kubelet ${facts.kubeletVersion} is older than 1.22 and rejects pods that set net.ipv4.ip_unprivileged_port_start ` +
      'as an unsafe sysctl (SysctlForbidden) unless its --allowed-unsafe-sysctls allows it';
  }
  if (kubelet !== undefined && kernel !== undefined && isOlderThan(kernel, FIRST_KERNEL_FOR_CGROUP_V2)) {
    const cgroupV1 = `kernel ${formatMajorMinor(kernel)} is older than 5.8, the oldest Kubernetes supports for cgroup v2, so this node most likely runs cgroup v1`;
    if (isOlderThan(kubelet, FIRST_KUBELET_FAILING_CGROUP_V1)) {
      notes.push({
        id: 'kubelet-cgroup-v1-on-upgrade',
        message: `${cgroupV1}: kubelet 1.35 and later refuse to start on it by default, so an upgrade of this kubelet (${facts.kubeletVersion}) needs failCgroupV1: false in its KubeletConfiguration`,
      });
    } else {
      notes.push({
        id: 'kubelet-cgroup-v1',
        message: `${cgroupV1}: kubelet ${facts.kubeletVersion} refuses cgroup v1 by default (failCgroupV1: true since 1.35) and runs here only with failCgroupV1: false in its KubeletConfiguration; keep it`,
      });
    }
  }
  return { kubeletRejectsSysctl, notes };
}
