// The KRM function host: kpt (`kpt fn eval --exec gateway-compat`) and standalone kustomize
// (`--enable-alpha-plugins --enable-exec`). stdin and stdout are one ResourceList: the items are
// transformed as one manifest stream, the configuration comes from functionConfig (flags given in
// the exec command still apply over it), and every change and warning becomes a `results` entry.
//
// kpt writes the items back to the package's files by their annotations, so all of them are kept;
// an added ConfigMap gets the path of the Gateway it serves and an index no item of that file has.
// kpt deletes a package's files when a function answers with an empty list, so an error never
// produces one: on error the original items go back with an `error` result and exit code 1 (kpt
// then leaves the files untouched and shows the result).
import { isMap } from 'yaml';
import type { EditableDocument } from '../yaml/editable-document.js';
import { annotationOf, type KubeObject } from '../kube/objects.js';
import { checkSize } from '../input/text.js';
import { UserError } from '../errors.js';
import type { ChangeRecord, WarningRecord } from '../report/records.js';
import { splitStream } from '../stream/split.js';
import { transform } from '../transform.js';
import { specFromFunctionConfig } from '../config/function-config.js';
import type { LoadedConfig } from '../config/load.js';
import type { Outcome } from './outcome.js';
import { composeResourceList, parseResourceList, type KrmResult, type ResourceList, type ResourceListItem } from './resource-list.js';

const PATH = 'config.kubernetes.io/path';
const INDEX = 'config.kubernetes.io/index';
const INTERNAL_PATH = 'internal.config.kubernetes.io/path';
const INTERNAL_INDEX = 'internal.config.kubernetes.io/index';
const LOCAL_CONFIG = 'config.kubernetes.io/local-config';
/** Marks the ConfigMaps the transform adds, so they can be told from edited items; never printed. */
const ADDED_MARKER = 'gateway-compat.io/krm-host-added';

/** Kptfiles and local-config objects (function configs, setters) are the package's, not the cluster's. */
export function isSkippedItem(item: ResourceListItem): boolean {
  return (item.kind === 'Kptfile' && item.apiVersion.startsWith('kpt.dev/')) || item.annotations[LOCAL_CONFIG] === 'true';
}

const pathOf = (annotations: Readonly<Record<string, string>>): string | undefined => annotations[PATH] ?? annotations[INTERNAL_PATH];
const indexOf = (annotations: Readonly<Record<string, string>>): number => {
  const value = Number(annotations[INDEX] ?? annotations[INTERNAL_INDEX]);
  return Number.isInteger(value) ? value : -1;
};

/** Hands out an index per file that no item of that file has, for the ConfigMaps we add. */
function freshIndexes(items: readonly ResourceListItem[]): (path: string | undefined) => number {
  const next = new Map<string | undefined, number>();
  for (const item of items) {
    const path = pathOf(item.annotations);
    next.set(path, Math.max(next.get(path) ?? 0, indexOf(item.annotations) + 1));
  }
  return (path) => {
    const index = next.get(path) ?? 0;
    next.set(path, index + 1);
    return index;
  };
}

function annotationsForAdded(items: readonly ResourceListItem[]) {
  const freshIndex = freshIndexes(items);
  return (gateway: KubeObject, gatewayDocument: EditableDocument): Record<string, string> => {
    // A Gateway inside a `kind: List` item has no annotations of its own: kpt put them on the List.
    const holders = [gateway.map, gatewayDocument.doc.contents].filter(isMap);
    const path = holders
      .map((holder) => holder.get('metadata', true) as never)
      .map((metadata) => annotationOf(metadata, PATH) ?? annotationOf(metadata, INTERNAL_PATH))
      .find((found) => found !== undefined);
    const index = String(freshIndex(path));
    return {
      ...(path ? { [PATH]: path, [INTERNAL_PATH]: path } : {}),
      [INDEX]: index,
      [INTERNAL_INDEX]: index,
      [ADDED_MARKER]: 'true',
    };
  };
}

function removeMarker(text: string): string {
  return text.replace(new RegExp(`^[ \\t]*["']?${ADDED_MARKER.replace(/[./]/g, '\\$&')}["']?:.*\\r?\\n`, 'm'), '');
}

function withoutSeparator(chunkText: string): string {
  return chunkText.replace(/^---[^\n]*\n/, '');
}

function fileOf(item: ResourceListItem | undefined): KrmResult['file'] | undefined {
  const path = item && pathOf(item.annotations);
  if (!item || !path) return undefined;
  const index = indexOf(item.annotations);
  return index >= 0 ? { path, index } : { path };
}

function resourceRef(resource: ChangeRecord['resource']): KrmResult['resourceRef'] {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    name: resource.name,
    ...(resource.namespace ? { namespace: resource.namespace } : {}),
  };
}

function changeResult(change: ChangeRecord, item: ResourceListItem | undefined): KrmResult {
  const file = fileOf(item);
  return {
    message: change.message,
    severity: 'info',
    resourceRef: resourceRef(change.resource),
    field: { path: change.path },
    ...(file ? { file } : {}),
  };
}

function warningResult(warning: WarningRecord, item: ResourceListItem | undefined): KrmResult {
  const file = fileOf(item);
  return {
    message: `[${warning.code}] ${warning.message}`,
    severity: warning.severity,
    ...(warning.resource ? { resourceRef: resourceRef(warning.resource) } : {}),
    ...(warning.path ? { field: { path: warning.path } } : {}),
    ...(file ? { file } : {}),
  };
}

function describeItemForError(item: ResourceListItem): string {
  const where = pathOf(item.annotations);
  return `${item.kind || 'object'} ${item.namespace ? `${item.namespace}/` : ''}${item.name || '(unnamed)'}${where ? ` (file ${where})` : ''}`;
}

interface Transformed {
  itemTexts: string[];
  results: KrmResult[];
}

async function transformItems(list: ResourceList, loaded: LoadedConfig, inputBytes: number): Promise<Transformed> {
  const config = loaded.withHostConfig(specFromFunctionConfig(list.functionConfig));
  const { gatewayTemplate } = loaded;
  checkSize(inputBytes, config.maxInputBytes, 'the ResourceList');
  const included = list.items.map((item, index) => ({ item, index })).filter(({ item }) => !isSkippedItem(item));
  if (included.some(({ item }) => item.text.includes(ADDED_MARKER))) {
    throw new UserError(`error: an item carries the annotation ${ADDED_MARKER}, which gateway-compat reserves for its own bookkeeping; remove it`);
  }
  const stream = included.map(({ item }) => `---\n${item.text}`).join('');
  let result;
  try {
    result = transform(stream, {
      config,
      ...(gatewayTemplate !== undefined ? { gatewayTemplate } : {}),
      annotationsForAdded: annotationsForAdded(list.items),
    });
  } catch (error) {
    // The core numbers documents in the stream built above: name the item the user knows.
    const number = /^error: document (\d+)/.exec((error as Error).message ?? '')?.[1];
    const entry = number ? included[Number(number) - 1] : undefined;
    if (error instanceof UserError && entry) {
      throw new UserError(`${error.message}\n(document ${number} is ResourceList item ${entry.index + 1}: ${describeItemForError(entry.item)})`, error.exitCode);
    }
    throw error;
  }

  const replaced = new Map<number, string>();
  const addedBefore = new Map<number, string[]>();
  let next = 0;
  for (const chunk of splitStream(result.text).chunks) {
    if (!chunk.hasContent) continue;
    const text = withoutSeparator(chunk.text);
    const current = included[next];
    if (!current) throw new Error('the transform returned more documents than it was given');
    if (text.includes(ADDED_MARKER)) {
      addedBefore.set(current.index, [...(addedBefore.get(current.index) ?? []), removeMarker(text)]);
      continue;
    }
    if (text !== current.item.text) replaced.set(current.index, text);
    next++;
  }
  if (next !== included.length) throw new Error(`the transform returned ${next} of the ${included.length} items it was given`);

  const itemTexts = list.items.flatMap((item, index) => [...(addedBefore.get(index) ?? []), replaced.get(index) ?? item.text]);
  const itemOfDocument = (document: number | undefined) => (document ? included[document - 1]?.item : undefined);
  const results = [
    ...result.changes.map((change) => changeResult(change, itemOfDocument(change.document))),
    ...result.warnings.map((warning) => warningResult(warning, itemOfDocument(warning.document))),
  ];
  return { itemTexts, results };
}

/** `loaded`: the run's configuration, loaded once by the CLI; the functionConfig joins it as the host's layer. */
export async function runKrm(loaded: LoadedConfig, input: string): Promise<Outcome> {
  // A list we cannot read cannot be answered with a list: plain error, nothing on stdout.
  const list = parseResourceList(input);
  try {
    const { itemTexts, results } = await transformItems(list, loaded, Buffer.byteLength(input));
    if (list.items.length > 0 && itemTexts.length === 0) throw new Error('refusing to answer a non-empty ResourceList with an empty one');
    return { stdout: composeResourceList(list.apiVersion, itemTexts, results), stderr: '', exitCode: 0 };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const result: KrmResult = { message: error.message.replace(/^error: /, ''), severity: 'error' };
    return {
      stdout: composeResourceList(list.apiVersion, list.items.map((item) => item.text), [result]),
      stderr: `${error.message}\n`,
      exitCode: 1,
    };
  }
}
