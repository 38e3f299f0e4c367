// What a run of gateway-compat would change, as a kustomize patch set: one JSON 6902 patch per
// changed object, targeted by group/version/kind/namespace/name, and the objects it adds.
import type { LoadedConfig } from '../config/load.js';
import { fixStream } from '../export/fix.js';
import { describeObject, groupOf, metadataOf, type Plain } from '../export/objects.js';
import { diffOps, type JsonPatchOp } from './json-patch.js';

export interface PatchTarget {
  group?: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface ObjectPatch {
  target: PatchTarget;
  ops: JsonPatchOp[];
  /** for file names and messages: "Deployment istio-ingress/gw" */
  describe: string;
}

export interface PatchSet {
  patches: ObjectPatch[];
  added: Plain[];
  /** the transform's change lines, for the report */
  changeCount: number;
  warnings: string[];
}

function targetOf(object: Plain): PatchTarget {
  const { group, version } = groupOf(object);
  const { name, namespace } = metadataOf(object);
  return { ...(group ? { group } : {}), version, kind: String(object.kind), ...(namespace ? { namespace } : {}), name };
}

export function patchSet(input: string, loaded: LoadedConfig): PatchSet {
  const fixed = fixStream(input, loaded);
  const patches: ObjectPatch[] = [];
  const added: Plain[] = [];
  for (const entry of fixed.objects) {
    if (!entry.before) {
      added.push(entry.after);
      continue;
    }
    const ops = diffOps(entry.before, entry.after);
    if (ops.length > 0) patches.push({ target: targetOf(entry.before), ops, describe: describeObject(entry.before) });
  }
  const warnings = fixed.result.warnings
    .filter((warning) => warning.severity === 'warning')
    .map((warning) => `[${warning.code}] ${warning.message}`);
  return { patches, added, changeCount: fixed.result.changes.length, warnings };
}
