// `select.include` / `select.exclude`: minimatch globs over Kind, Kind/namespace or
// Kind/namespace/name. A glob with fewer segments matches on the leading ones, so `*` takes every
// resource and `Deployment/istio-*` every Deployment in an istio-* namespace.
import { Minimatch } from 'minimatch';
import type { ResourceId } from '../kube/objects.js';

// Each glob compiled once (minimatch() compiles it on every call, and it is asked per object).
const compiled = new Map<string, Minimatch>();

function segmentMatches(value: string, glob: string): boolean {
  // Cluster-scoped and namespace-less objects have an empty namespace, which `*` should accept.
  if (glob === '*' || glob === '**') return true;
  let matcher = compiled.get(glob);
  if (!matcher) compiled.set(glob, (matcher = new Minimatch(glob, { dot: true, nocomment: true, nonegate: true })));
  return matcher.match(value);
}

export function matchesSelector(id: ResourceId, glob: string): boolean {
  const values = [id.kind, id.namespace ?? '', id.name];
  const globs = glob.split('/');
  if (globs.length > 3) return false;
  return globs.every((part, i) => segmentMatches(values[i] ?? '', part));
}

export function isResourceSelected(id: ResourceId, select: { include: string[]; exclude: string[] }): boolean {
  return select.include.some((glob) => matchesSelector(id, glob)) && !select.exclude.some((glob) => matchesSelector(id, glob));
}
