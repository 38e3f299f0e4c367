// Istio release numbers: read, compared, printed. One reading for every place a version comes from
// (--istio-version, chart labels, image tags, Sail's spec.version).
export type Version = readonly [number, number, number];

const VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/;

export function parseVersion(text: string): Version | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function atLeast(version: Version, floor: Version): boolean {
  return compareVersions(version, floor) >= 0;
}

export const formatVersion = (version: Version): string => version.join('.');
