// `yaml`'s stringify, remembered for plain data. The edits render the same small values over and
// over (a Gateway's parametersRef, the options ConfigMap of a namespace, the deployment patch), once
// per Gateway of a stream or per file of a --check, and stringify is the costly part of each edit.
import { stringify, type ToStringOptions, type CreateNodeOptions, type DocumentOptions, type SchemaOptions } from 'yaml';

type Options = DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions;

const LIMIT = 1000;
const texts = new Map<string, string>();

/**
 * Strings, finite numbers, booleans, null, and arrays and plain objects of them: values whose JSON
 * text says all that stringify reads (no undefined, NaN, -0, Date, Map or class instance).
 */
function isPlain(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isPlain);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every(isPlain);
}

/** stringify(value, options), computed once per distinct plain value and options. */
export function renderPlain(value: unknown, options: Options): string {
  if (!isPlain(value)) return stringify(value, options);
  const key = JSON.stringify([value, options]);
  let text = texts.get(key);
  if (text === undefined) {
    text = stringify(value, options);
    // Values may differ per Gateway (names, Helm 4's filename annotation): the cache never grows with the stream.
    if (texts.size >= LIMIT) texts.clear();
    texts.set(key, text);
  }
  return text;
}
