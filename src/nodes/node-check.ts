// Decides, node by node, whether gateways scheduled there need gateway-compat.
import {
  FIRST_KERNEL_WITH_UNPRIVILEGED_PORT_START as FIRST_FIXED,
  formatMajorMinor,
  isOlderThan,
  parseKernelVersion,
} from './kernel-version.js';
import type { NodeFacts } from './node-list.js';

export type Verdict = 'needs fix' | 'ok' | 'unknown';

export interface NodeAssessment {
  name: string;
  kernelVersion: string | undefined;
  osImage: string | undefined;
  /** null when the kernel could not be judged: missing or unreadable kernelVersion. */
  needsFix: boolean | null;
  /** One sentence an operator can act on; also what --json prints. */
  reason: string;
}

export interface NodeSummary {
  total: number;
  needFix: number;
  unknown: number;
}

export function assessNode(node: NodeFacts): NodeAssessment {
  const judged = (needsFix: boolean | null, reason: string): NodeAssessment => ({
    name: node.name,
    kernelVersion: node.kernelVersion,
    osImage: node.osImage,
    needsFix,
    reason,
  });
  // Windows nodes report NT versions (10.0.x) as kernelVersion; comparing those to 4.11 would be
  // meaningless, and Istio gateways do not run there anyway.
  if (node.operatingSystem !== undefined && node.operatingSystem !== 'linux') {
    return judged(false, `operatingSystem is ${node.operatingSystem}; the Linux sysctl question does not apply`);
  }
  if (node.kernelVersion === undefined) return judged(null, 'status.nodeInfo.kernelVersion is missing');
  const version = parseKernelVersion(node.kernelVersion);
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
  };
}
