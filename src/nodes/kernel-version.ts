// Parses Linux kernel release strings as Kubernetes reports them in
// status.nodeInfo.kernelVersion (the node's `uname -r`), and compares them.

/** The numeric head of a kernel release; distro suffixes are dropped because they never change the answer. */
export interface KernelVersion {
  major: number;
  minor: number;
  /** Absent for strings like "4.11"; kept for display only, comparisons stop at minor. */
  patch: number | undefined;
}

/**
 * 4.11 introduced the sysctl net.ipv4.ip_unprivileged_port_start. On older kernels a pod that
 * sets it fails to start, which is why Istio gateways there need gateway-compat.
 */
export const FIRST_KERNEL_WITH_UNPRIVILEGED_PORT_START: KernelVersion = { major: 4, minor: 11, patch: 0 };

// A release starts with major.minor[.patch] and may carry any distro suffix after a separator
// ("-1160.el7.x86_64", "-1057-azure", "+", ".17763" on Windows). The lookahead refuses strings
// such as "4.11abc" or "4.1x", where digits run into text we cannot vouch for.
const RELEASE_HEAD = /^(\d+)\.(\d+)(?:\.(\d+))?(?=$|[-+._~])/;

/** Returns undefined when the string does not start with a readable major.minor. */
export function parseKernelVersion(release: string): KernelVersion | undefined {
  const match = RELEASE_HEAD.exec(release.trim());
  if (!match) return undefined;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const patch = match[3] === undefined ? undefined : Number(match[3]);
  // Digit runs longer than a double can hold would compare wrongly; such a string is not a kernel.
  if (![major, minor, patch ?? 0].every(Number.isSafeInteger)) return undefined;
  return { major, minor, patch };
}

/** Numeric major.minor comparison: 4.9 is older than 4.11, which a string comparison gets wrong. */
export function isOlderThan(version: KernelVersion, reference: KernelVersion): boolean {
  if (version.major !== reference.major) return version.major < reference.major;
  return version.minor < reference.minor;
}

export function formatMajorMinor(version: KernelVersion): string {
  return `${version.major}.${version.minor}`;
}
