// Decides, node by node, whether gateways scheduled there need gateway-compat.
import {
  FIRST_KERNEL_WITH_UNPRIVILEGED_PORT_START as FIRST_FIXED,
  formatMajorMinor,
  isOlderThan,
  parseKernelVersion,
} from './kernel-version.js';
import type { NodeFacts } from './node-list.js';
import { assessSoftware, type NodeNote } from './node-software.js';

export type Verdict = 'needs fix' | 'ok' | 'unknown';

export interface NodeAssessment {
  name: string;
  kernelVersion: string | undefined;
  osImage: string | undefined;
  containerRuntimeVersion: string | undefined;
  kubeletVersion: string | undefined;
  /** null when the kernel could not be judged (missing or unreadable kernelVersion) and nothing else needs the fix. */
  needsFix: boolean | null;
  /** What decides the verdict, in sentences an operator can act on; also what --json prints. */
  reason: string;
  /** the kubelet (older than 1.22) rejects the sysctl, whatever the kernel */
  oldKubelet: boolean;
  /** Node settings that matter beside the verdict (containerd's own sysctl, cgroup v1 and the kubelet). */
  notes: NodeNote[];
}

export interface NodeSummary {
  total: number;
  needFix: number;
  unknown: number;
  /** of needFix: nodes whose kubelet rejects the sysctl (older than 1.22) */
  oldKubelet: number;
}

export function assessNode(node: NodeFacts): NodeAssessment {
  const kernelVersion = node.kernelVersion === undefined ? undefined : parseKernelVersion(node.kernelVersion);
  const software = assessSoftware(node, kernelVersion);
  const judged = (kernelNeedsFix: boolean | null, kernelReason: string): NodeAssessment => {
    // An old kubelet rejects the sysctl on any kernel; notes only concern Linux nodes.
    const kubelet = software.kubeletRejectsSysctl;
    const needsFix = kubelet === undefined ? kernelNeedsFix : true;
    const reason = kubelet === undefined ? kernelReason : kernelNeedsFix === false ? kubelet : `${kernelReason}; ${kubelet}`;
    return {
      name: node.name,
      kernelVersion: node.kernelVersion,
      osImage: node.osImage,
      containerRuntimeVersion: node.containerRuntimeVersion,
      kubeletVersion: node.kubeletVersion,
      needsFix,
      reason,
      oldKubelet: kubelet !== undefined,
      notes: software.notes,
    };
  };
  // Windows nodes report NT versions (10.0.x) as kernelVersion; comparing those to 4.11 would be
  // meaningless, and Istio gateways do not run there anyway.
  if (node.operatingSystem !== undefined && node.operatingSystem !== 'linux') {
    const reason = `operatingSystem is ${node.operatingSystem}; the Linux sysctl question does not apply`;
    return { ...judged(false, reason), needsFix: false, reason, oldKubelet: false, notes: [] };
  }
  if (node.kernelVersion === undefined) return judged(null, 'status.nodeInfo.kernelVersion is missing');
  const version = kernelVersion;
  if (version === undefined) {
    return judged(null, `cannot read a major.minor version from kernelVersion ${JSON.stringify(node.kernelVersion)}`);
  }
  const first = formatMajorMinor(FIRST_FIXED);
  if (isOlderThan(version, FIRST_FIXED)) {
    return judged(true, `kernel ${formatMajorMinor(version)} is older than ${first} and lacks net.ipv4.ip_unprivileged_port_start`);
  }
  return judged(false, `kernel ${formatMajorMinor(version)} is ${first} or newer and has net.ipv4.ip_unprivileged_port_start`);
}

export function verdictOf(assessment: NodeAssessment): Verdict {
  if (assessment.needsFix === null) return 'unknown';
  return assessment.needsFix ? 'needs fix' : 'ok';
}

export function summarize(assessments: readonly NodeAssessment[]): NodeSummary {
  return {
    total: assessments.length,
    needFix: assessments.filter((assessment) => assessment.needsFix === true).length,
    unknown: assessments.filter((assessment) => assessment.needsFix === null).length,
    oldKubelet: assessments.filter((assessment) => assessment.oldKubelet).length,
  };
}
