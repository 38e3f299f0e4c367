// The fast readers in one call: JSON (json-reader.ts) when the text starts like JSON, else plain
// block YAML (block-reader.ts). Each builds the tree `parseDocument(source, options)` builds, or
// declines (undefined), and the caller then uses `yaml`. A text that starts with `{` or `[` is a
// flow collection, which the block reader always declines, so one reader is tried, never both.
import type { Document } from 'yaml';
import { readBlockYaml } from './block-reader.js';
import type { FastReadOptions } from './fast-nodes.js';
import { looksLikeJson, readJson } from './json-reader.js';

export function readFast(source: string, options: FastReadOptions): Document.Parsed | undefined {
  return looksLikeJson(source) ? readJson(source, options) : readBlockYaml(source, options);
}
