// RFC 6902 JSON patch operations that turn one object into another: what `patches` writes for
// kustomize (and Flux's post-renderers) from an object before and after the transform. Every
// removal is guarded by a `test` of what it removes (the sysctl entry, the sysctls list), so a
// patch applied to a render that moved on fails loudly instead of removing the wrong thing.
import { isPlainMap } from '../export/objects.js';
import { deepEqual } from '../export/plain-data.js';

export type JsonPatchOp = { op: 'add' | 'replace' | 'test'; path: string; value: unknown } | { op: 'remove'; path: string };

export function pointer(path: readonly (string | number)[]): string {
  return path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Indices of `before` to remove so that what remains equals `after`, or undefined. */
function removedIndices(before: readonly unknown[], after: readonly unknown[]): number[] | undefined {
  const removed: number[] = [];
  let j = 0;
  for (let i = 0; i < before.length; i++) {
    if (j < after.length && deepEqual(before[i], after[j])) j++;
    else removed.push(i);
  }
  return j === after.length ? removed : undefined;
}

export function diffOps(before: unknown, after: unknown, path: readonly (string | number)[] = []): JsonPatchOp[] {
  if (deepEqual(before, after)) return [];
  if (isPlainMap(before) && isPlainMap(after)) {
    const ops: JsonPatchOp[] = [];
    for (const key of Object.keys(before)) {
      if (!Object.hasOwn(after, key))
        ops.push({ op: 'test', path: pointer([...path, key]), value: before[key] }, { op: 'remove', path: pointer([...path, key]) });
    }
    for (const [key, value] of Object.entries(after)) {
      if (!Object.hasOwn(before, key)) ops.push({ op: 'add', path: pointer([...path, key]), value });
      else ops.push(...diffOps(before[key], value, [...path, key]));
    }
    return ops;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.length === after.length) return before.flatMap((item, index) => diffOps(item, after[index], [...path, index]));
    const removed = after.length < before.length ? removedIndices(before, after) : undefined;
    if (removed) {
      // Highest index first, so the earlier indices still point where they did.
      return removed.reverse().flatMap((index): JsonPatchOp[] => [
        { op: 'test', path: pointer([...path, index]), value: before[index] },
        { op: 'remove', path: pointer([...path, index]) },
      ]);
    }
  }
  return [{ op: 'replace', path: pointer(path), value: after }];
}
