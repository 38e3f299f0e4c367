// Small operations on plain JSON-like data that the exporters share.
import { isPlainMap, type Plain } from './objects.js';

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  }
  if (!isPlainMap(a) || !isPlainMap(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

export function getPath(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const part of path) {
    if (Array.isArray(current) && typeof part === 'number') current = current[part];
    else if (isPlainMap(current) && typeof part === 'string') current = current[part];
    else return undefined;
  }
  return current;
}

/** A deep copy without the value at each path (paths that do not exist are ignored). */
export function without(value: Plain, paths: readonly (readonly (string | number)[])[]): Plain {
  const copy = structuredClone(value);
  for (const path of paths) {
    const parent = getPath(copy, path.slice(0, -1));
    const last = path[path.length - 1];
    if (isPlainMap(parent) && typeof last === 'string') delete parent[last];
    else if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1, null);
  }
  return copy;
}
