// The KRM function wire format: one `config.kubernetes.io/v1` ResourceList (items, functionConfig,
// results) on stdin and on stdout. Reading splits it into one YAML document text per item, cut
// from the input bytes (so an item no rule changes goes back exactly as it came, and the core's
// line-preserving edits apply to the item's own text); writing puts item texts back into a list.
//
// Re-serialising items with a YAML library would be simpler but is not faithful: `0644` would come
// back as `644` (YAML 1.2) and other scalars would change form, and kpt writes what we print.
import { isMap, isScalar, isSeq, stringify, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { documentError } from '../parse/document-error.js';
import { lineAndColumn } from '../yaml/source-text.js';
import { parseWithUniqueKeys } from '../yaml/unique-keys.js';
import { UserError } from '../errors.js';
import { splitStream } from '../stream/split.js';

export interface ResourceListItem {
  /** the item as a YAML document of its own, ending with a newline */
  readonly text: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** the item is a flow mapping (`- {apiVersion: v1, ...}`), maybe over several lines */
  readonly flow: boolean;
}

/**
 * An item's text as a document of the stream the core reads. A flow item's continuation lines
 * come out of the list at its column, which may be column 0 once dedented, where a line that
 * starts with `---` or `...` would end the document; one more space keeps them inside it (in flow
 * context indentation means nothing, so no value changes). `fromStreamDocument` takes it away.
 */
export function asStreamDocument(item: ResourceListItem): string {
  return item.flow ? item.text.replace(/\n(?=[^\r\n])/g, '\n ') : item.text;
}

export function fromStreamDocument(item: ResourceListItem, text: string): string {
  return item.flow ? text.replace(/\n /g, '\n') : text;
}

export interface ResourceList {
  readonly apiVersion: string;
  readonly items: ResourceListItem[];
  /** plain data, or undefined when the list has none */
  readonly functionConfig: unknown;
}

/** A KRM result, as kpt and kustomize print them. */
export interface KrmResult {
  message: string;
  severity: 'error' | 'warning' | 'info';
  resourceRef?: { apiVersion: string; kind: string; name: string; namespace?: string };
  field?: { path: string };
  file?: { path: string; index?: number };
}

const RESOURCE_LIST_KIND = /^["']?kind["']?[ \t]*:[ \t]*["']?ResourceList["']?[ \t]*(?:#.*)?\r?$/m;
const JSON_RESOURCE_LIST_KIND = /^\s*\{[\s\S]*"kind"\s*:\s*"ResourceList"/;

/** Whether stdin holds a ResourceList (a KRM function call) rather than a manifest stream. */
export function looksLikeResourceList(input: string): boolean {
  if (!input.includes('ResourceList')) return false;
  const first = splitStream(input).chunks.find((chunk) => chunk.hasContent);
  return first !== undefined && (RESOURCE_LIST_KIND.test(first.text) || JSON_RESOURCE_LIST_KIND.test(first.text));
}

function scalarString(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return String(node.value);
}

function stringMap(node: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(node)) return out;
  for (const pair of node.items) {
    const key = scalarString(pair.key);
    const value = scalarString(pair.value);
    if (key !== undefined && value !== undefined) out[key] = value;
  }
  return out;
}

/** Removes up to `column` leading spaces from every line but the first. */
function dedent(text: string, column: number): string {
  if (column === 0) return text;
  return text.replace(/\n( +)/g, (_match, spaces: string) => `\n${spaces.slice(Math.min(spaces.length, column))}`);
}

/**
 * Where an item of a block sequence starts: right after its `-`, so that comments between the
 * dash and the item (kpt puts a file's leading comment there: `- # comment`) stay with the item.
 */
function itemStart(source: string, nodeStart: number): number {
  const lineStart = source.lastIndexOf('\n', nodeStart - 1) + 1;
  const prefix = source.slice(lineStart, nodeStart);
  if (/-\s*$/.test(prefix)) return nodeStart;
  if (prefix.trim() !== '') return nodeStart;
  let end = lineStart - 1; // the newline ending the previous line
  while (end > 0) {
    const start = source.lastIndexOf('\n', end - 1) + 1;
    const line = source.slice(start, end);
    const dash = /^(\s*)-(?:\s+#.*|\s*)\r?$/.exec(line);
    if (dash) return start + (dash[1] ?? '').length + 1;
    if (!/^\s*(#.*)?\r?$/.test(line)) break;
    end = start - 1;
  }
  return nodeStart;
}

function itemText(source: string, node: Node, inBlockSequence: boolean): string {
  const [nodeStart, valueEnd] = node.range ?? [0, 0];
  const start = inBlockSequence ? itemStart(source, nodeStart) : nodeStart;
  const column = nodeStart - (source.lastIndexOf('\n', nodeStart - 1) + 1);
  let text = dedent(source.slice(start, valueEnd), column).replace(/^[ \t]+/, '');
  text = text.replace(/^(?:[ \t]*\r?\n)+/, '');
  return text.endsWith('\n') ? text : `${text}\n`;
}

function describeItem(node: YAMLMap, source: string, inBlockSequence: boolean): ResourceListItem {
  const metadata = node.get('metadata', true);
  const namespace = isMap(metadata) ? scalarString(metadata.get('namespace', true)) : undefined;
  return {
    text: itemText(source, node, inBlockSequence),
    apiVersion: scalarString(node.get('apiVersion', true)) ?? '',
    kind: scalarString(node.get('kind', true)) ?? '',
    name: (isMap(metadata) && scalarString(metadata.get('name', true))) || '',
    ...(namespace ? { namespace } : {}),
    annotations: isMap(metadata) ? stringMap(metadata.get('annotations', true)) : {},
    flow: Boolean(node.flow),
  };
}

export function parseResourceList(input: string): ResourceList {
  const source = input.startsWith('\uFEFF') ? input.slice(1) : input;
  if (splitStream(source).chunks.filter((chunk) => chunk.hasContent).length > 1) {
    throw new UserError('error: stdin holds a ResourceList followed by more documents; a KRM function call is one ResourceList');
  }
  const doc = parseWithUniqueKeys(source, { prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError) {
    // Through documentError: a position and caret, and no Secret item's value in the excerpt or
    // in a yaml message that quotes the source.
    const { line, column } = lineAndColumn(source, firstError.pos[0]);
    const what =
      firstError.code === 'RESOURCE_EXHAUSTION' ? 'nests too deeply to be read' : `is not valid YAML: ${firstError.message.split('\n')[0]}`;
    throw documentError(
      1,
      source,
      0,
      { line: line - 1, column: column - 1 },
      `the ResourceList on stdin ${what}`,
      'correct the YAML at this position',
    );
  }
  const root = doc.contents;
  if (!isMap(root)) throw new UserError('error: the ResourceList on stdin is not a mapping');
  const apiVersion = scalarString(root.get('apiVersion', true)) ?? '';
  if (!apiVersion.startsWith('config.kubernetes.io/')) {
    throw new UserError(`error: stdin holds a ResourceList of apiVersion "${apiVersion}"; expected config.kubernetes.io/v1`);
  }
  const itemsNode = root.get('items', true);
  if (itemsNode !== undefined && itemsNode !== null && !isSeq(itemsNode) && !(isScalar(itemsNode) && itemsNode.value === null)) {
    throw new UserError('error: the ResourceList field "items" must be a list');
  }
  const items: ResourceListItem[] = [];
  if (isSeq(itemsNode)) {
    const seq = itemsNode as YAMLSeq;
    const inBlockSequence = !seq.flow;
    seq.items.forEach((node, index) => {
      if (!isMap(node)) throw new UserError(`error: ResourceList item ${index + 1} is not an object`);
      items.push(describeItem(node, source, inBlockSequence));
    });
  }
  const functionConfig = root.get('functionConfig', true);
  let config: unknown;
  try {
    config = functionConfig ? (functionConfig as Node).toJS(doc, { maxAliasCount: 100 }) : undefined;
  } catch {
    // yaml's ReferenceError for an alias bomb ("Excessive alias count") or an unresolvable alias
    throw new UserError(
      'error: the functionConfig of the ResourceList expands YAML aliases too often (an alias bomb) or uses an alias it cannot resolve; write the values out',
    );
  }
  return { apiVersion, items, functionConfig: config };
}

/** An item's document text as an entry of a block sequence at column 0. */
function asSequenceEntry(text: string): string {
  const lines = text.replace(/\r?\n$/, '').split('\n');
  return `${lines.map((line, i) => (i === 0 ? `- ${line}` : line === '' || line === '\r' ? line : `  ${line}`)).join('\n')}\n`;
}

export function composeResourceList(apiVersion: string, itemTexts: readonly string[], results: readonly KrmResult[]): string {
  let out = stringify({ apiVersion, kind: 'ResourceList' }, { version: '1.1' });
  out += itemTexts.length > 0 ? `items:\n${itemTexts.map(asSequenceEntry).join('')}` : 'items: []\n';
  if (results.length > 0) out += stringify({ results }, { version: '1.1', lineWidth: 0 });
  return out;
}
