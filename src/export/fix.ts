// Runs gateway-compat's own transform over a stream and pairs every input object with what the
// transform made of it: the one source of truth for `values`, `patches` and `sail`, which only
// re-express that difference in another form and never re-implement a rule.
import { UserError } from '../errors.js';
import type { LoadedConfig } from '../config/load.js';
import { transform, type TransformResult } from '../transform.js';
import { describeObject, streamObjects, type Plain, type StreamObject } from './objects.js';

export interface FixedObject {
  /** the object as it came in; undefined for an object the transform added */
  readonly before: Plain | undefined;
  readonly after: Plain;
  readonly key: string;
  readonly document: number;
}

export interface FixedStream {
  readonly objects: FixedObject[];
  readonly inputObjects: StreamObject[];
  readonly result: TransformResult;
}

export function fixStream(input: string, loaded: LoadedConfig): FixedStream {
  // validate: every document is parsed and checked, so a broken one is reported with its
  // number and line before anything here converts it.
  const result = transform(input, {
    config: { ...loaded.config, validate: true },
    ...(loaded.gatewayTemplate !== undefined ? { gatewayTemplate: loaded.gatewayTemplate } : {}),
  });
  const inputObjects = streamObjects(input);
  const outputObjects = streamObjects(result.text);
  const byKey = new Map<string, StreamObject>();
  for (const entry of inputObjects) {
    const twin = byKey.get(entry.key);
    if (twin) {
      throw new UserError(
        `error: document ${entry.document}: ${describeObject(entry.object)} is already defined in document ${twin.document}; a patch or a value cannot tell the two apart (kubectl and kustomize refuse them too)\nfix: remove one of the two`,
      );
    }
    byKey.set(entry.key, entry);
  }
  const objects = outputObjects.map((entry): FixedObject => ({
    before: byKey.get(entry.key)?.object,
    after: entry.object,
    key: entry.key,
    document: byKey.get(entry.key)?.document ?? entry.document,
  }));
  return { objects, inputObjects, result };
}
