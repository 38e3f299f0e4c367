// The fast readers in one call: JSON (json-reader.ts) when the text starts like JSON, else plain
// block YAML (block-reader.ts). Each builds the tree `parseDocument(source, options)` builds, or
// declines (undefined), and the caller then uses `yaml`. A text that starts with `{` or `[` is a
// flow collection, which the block reader always declines, so one reader is tried, never both.
import type { Document } from 'yaml';
import { readBlockYaml } from './block-reader.js';
import type { FastReadOptions } from './fast-nodes.js';
import { looksLikeJson, readJson } from './json-reader.js';

/**
 * A tree read by a caller that only looked at it (`--check`/`--write`'s manifest test), kept for
 * the next read of the same text with the same options (the transform's), which takes it: a large
 * JSON file is read once, not twice. Only one, and only until it is taken or forgotten.
 */
let kept: { source: string; options: FastReadOptions; doc: Document.Parsed } | undefined;

export function readFast(source: string, options: FastReadOptions): Document.Parsed | undefined {
  if (kept && kept.options === options && kept.source === source) {
    const { doc } = kept;
    kept = undefined;
    return doc;
  }
  return looksLikeJson(source) ? readJson(source, options) : readBlockYaml(source, options);
}

/** readFast, and the tree kept for the next reader of the same text (who may change it: do not). */
export function readFastAndKeep(source: string, options: FastReadOptions): Document.Parsed | undefined {
  const doc = readFast(source, options);
  kept = doc ? { source, options, doc } : undefined;
  return doc;
}

/** Drops the kept tree, if nobody took it. */
export function forgetKeptRead(): void {
  kept = undefined;
}
