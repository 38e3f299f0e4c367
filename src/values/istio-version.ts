// Istio versions: the one given with --istio-version, or the one a render shows.
import { UsageError } from '../errors.js';
import { isPlainMap } from '../export/objects.js';
import type { FixedObject } from '../export/fix.js';
import { parseVersion, type Version } from '../kube/version.js';

export function versionFlag(text: string | undefined): Version | undefined {
  if (text === undefined) return undefined;
  const version = parseVersion(text);
  if (!version || version[0] !== 1) {
    throw new UsageError(`error: --istio-version must be an Istio release such as 1.26.3, not "${text}"`);
  }
  return version;
}

/**
 * The release a render names: the `app.kubernetes.io/version` or `helm.sh/chart` label of its
 * objects, or the tag of its proxy or istiod image. Charts built from a git checkout say 1.0.0
 * and tag `latest`; those name no release and are not taken.
 */
export function versionOfRender(objects: readonly FixedObject[]): Version | undefined {
  const candidates: string[] = [];
  for (const { before } of objects) {
    if (!before) continue;
    const labels = isPlainMap(before.metadata) && isPlainMap(before.metadata.labels) ? before.metadata.labels : {};
    const label = labels['app.kubernetes.io/version'];
    if (typeof label === 'string') candidates.push(label);
    const chart = labels['helm.sh/chart'];
    if (typeof chart === 'string') candidates.push(chart.replace(/^.*-(?=v?\d+\.\d+)/, ''));
  }
  for (const text of candidates) {
    const version = parseVersion(text);
    if (version && version[0] === 1 && version[1] >= 10) return version;
  }
  return undefined;
}
