// Which Istio version a stream shows, from what rendered manifests carry: the Sail `Istio`
// resource's spec.version, the injector ConfigMap's data.values `global.tag`, chart labels
// (`helm.sh/chart: istiod-1.24.3`), `app.kubernetes.io/version` on objects that are part of Istio,
// and image tags (`docker.io/istio/proxyv2:1.22.1`). Control-plane evidence (what decides whether a
// Gateway's parametersRef is honoured) wins over data-plane evidence when both are present.
//
// Text first: a chunk is looked at only if it mentions "istio", regular expressions run only on
// those, and only the injector ConfigMap and Istio resources are parsed.
import { isScalar } from 'yaml';
import { mapAt, mapIn, stringAt } from '../yaml/node-edits.js';
import type { TemplateHolders } from './injection-templates.js';
import { describeResource } from './objects.js';
import { compareVersions, parseVersion, type Version } from './version.js';
import { objectAtPlace, type StreamView } from './view.js';

export interface VersionEvidence {
  readonly version: Version;
  /** what was read and where, for the message: `helm.sh/chart: istiod-1.24.3 in document 3` */
  readonly source: string;
  readonly controlPlane: boolean;
}

const CONTROL_PLANE_CHARTS = new Set(['istiod', 'istio-discovery', 'base', 'istio-base', 'istiod-remote']);
const CHART =
  /helm\.sh\/chart["']?\s*:\s*["']?(istiod|istio-discovery|istiod-remote|base|istio-base|gateway|istio-ingress|istio-egress|cni|istio-cni|ztunnel)-(v?\d+\.\d+(?:\.\d+)?(?:-[\w.]+)?)["']?\s*$/gm;
const IMAGE = /\/(pilot|proxyv2|install-cni|ztunnel):(v?\d+\.\d+(?:\.\d+)?(?:-[\w.]+)?)/g;
const PART_OF_ISTIO = /app\.kubernetes\.io\/part-of["']?\s*:\s*["']?istio["']?\s*$/m;
const APP_VERSION = /app\.kubernetes\.io\/version["']?\s*:\s*["']?(v?\d+\.\d+(?:\.\d+)?(?:-[\w.]+)?)["']?\s*$/gm;

function documentNumbers(chunks: StreamView['chunks']): number[] {
  let number = 0;
  return chunks.map((chunk) => (chunk.hasContent ? ++number : 0));
}

/** Everything in the stream that tells the Istio version. */
export function findIstioVersions(view: StreamView, holders: TemplateHolders): VersionEvidence[] {
  const found: VersionEvidence[] = [];
  const add = (text: string, source: string, controlPlane: boolean): void => {
    const version = parseVersion(text);
    if (version) found.push({ version, source, controlPlane });
  };
  let numbers: number[] | undefined;
  view.chunks.forEach((chunk, index) => {
    const text = chunk.text;
    if (!chunk.hasContent || !text.includes('istio')) return;
    const where = (): string => `document ${(numbers ??= documentNumbers(view.chunks))[index]}`;
    if (text.includes('helm.sh/chart')) {
      for (const match of text.matchAll(CHART)) {
        const chart = match[1] as string;
        add(match[2] as string, `helm.sh/chart: ${chart}-${match[2]} in ${where()}`, CONTROL_PLANE_CHARTS.has(chart));
      }
    }
    if (text.includes('proxyv2:') || text.includes('pilot:') || text.includes('install-cni:') || text.includes('ztunnel:')) {
      for (const match of text.matchAll(IMAGE))
        add(match[2] as string, `image ${match[1]}:${match[2]} in ${where()}`, match[1] === 'pilot');
    }
    if (text.includes('app.kubernetes.io/version') && PART_OF_ISTIO.test(text)) {
      for (const match of text.matchAll(APP_VERSION))
        add(match[1] as string, `app.kubernetes.io/version: ${match[1]} in ${where()}`, false);
    }
  });
  for (const place of holders.istioResources) {
    const held = objectAtPlace(view, place);
    const version = held && stringAt(mapAt(held.object.map, 'spec'), 'version');
    if (held && version) add(version, `spec.version ${version} of ${describeResource(held.object.id)}`, true);
  }
  for (const place of holders.injectorConfigMaps) {
    const held = objectAtPlace(view, place);
    const values = held && mapIn(held.object.map, ['data'])?.get('values', true);
    if (!held || !isScalar(values) || typeof values.value !== 'string') continue;
    let tag: unknown;
    try {
      tag = (JSON.parse(values.value) as { global?: { tag?: unknown } }).global?.tag;
    } catch {
      continue;
    }
    if (typeof tag === 'string' || typeof tag === 'number') {
      add(String(tag), `data.values global.tag ${String(tag)} of ${describeResource(held.object.id)}`, true);
    }
  }
  return found;
}

/** The version that decides: the lowest control-plane version, else the lowest of any. */
export function decidingVersion(evidence: readonly VersionEvidence[]): VersionEvidence | undefined {
  const controlPlane = evidence.filter((e) => e.controlPlane);
  const pool = controlPlane.length > 0 ? controlPlane : evidence;
  return [...pool].sort((a, b) => compareVersions(a.version, b.version))[0];
}
