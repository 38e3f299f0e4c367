// The KRM function host: kpt (`kpt fn eval --exec gateway-compat`) and standalone kustomize
// (`--enable-alpha-plugins --enable-exec`). stdin and stdout are one ResourceList: the items are
// transformed as one manifest stream, the configuration comes from functionConfig (flags given in
// the exec command still apply over it), and every change and warning becomes a `results` entry.
//
// kpt writes the items back to the package's files by their annotations, so all of them are kept;
// an added ConfigMap gets the path of the Gateway it serves and an index no item of that file has.
// The transform's output documents say which item each one is (or which it was added for), so
// nothing is split or searched again here.
// kpt deletes a package's files when a function answers with an empty list, so an error never
// produces one: on error the original items go back with an `error` result and exit code 1 (kpt
// then leaves the files untouched and shows the result).
import { checkSize } from '../input/text.js';
import { DocumentError, UserError } from '../errors.js';
import type { ChangeRecord, WarningRecord } from '../report/records.js';
import { transform, type AddedFor } from '../transform.js';
import { specFromFunctionConfig } from '../config/function-config.js';
import type { LoadedConfig } from '../config/load.js';
import type { Outcome } from './outcome.js';
import {
  asStreamDocument,
  composeResourceList,
  fromStreamDocument,
  parseResourceList,
  type KrmResult,
  type ResourceList,
  type ResourceListItem,
} from './resource-list.js';

const PATH = 'config.kubernetes.io/path';
const INDEX = 'config.kubernetes.io/index';
const INTERNAL_PATH = 'internal.config.kubernetes.io/path';
const INTERNAL_INDEX = 'internal.config.kubernetes.io/index';
const LOCAL_CONFIG = 'config.kubernetes.io/local-config';
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

/**
 * kpt's bookkeeping on a document added for a resource: the path of the resource's file (its own
 * annotation, else that of the item holding it, e.g. a `kind: List`), and an index no item of that
 * file has.
 */
function kptBookkeeping(items: readonly ResourceListItem[], itemOfDocument: (document: number) => ResourceListItem | undefined) {
  const freshIndex = freshIndexes(items);
  return (added: AddedFor): Record<string, string> => {
    const holder = itemOfDocument(added.document);
    const path = pathOf(added.annotations) ?? (holder && pathOf(holder.annotations));
    const index = String(freshIndex(path));
    return {
      ...(path ? { [PATH]: path, [INTERNAL_PATH]: path } : {}),
      [INDEX]: index,
      [INTERNAL_INDEX]: index,
    };
  };
}

function withoutSeparator(documentText: string): string {
  return documentText.replace(/^---[^\n]*\n/, '');
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
  const stream = included.map(({ item }) => `---\n${asStreamDocument(item)}`).join('');
  // The core numbers the documents of the stream built above: document n is included[n - 1].
  const itemOfDocument = (document: number | undefined) => (document ? included[document - 1]?.item : undefined);
  let result;
  try {
    result = transform(stream, {
      config,
      ...(gatewayTemplate !== undefined ? { gatewayTemplate } : {}),
      annotateAdded: kptBookkeeping(list.items, itemOfDocument),
    });
  } catch (error) {
    // Name the item the user knows.
    const entry = error instanceof DocumentError ? included[error.documentNumber - 1] : undefined;
    if (error instanceof DocumentError && entry) {
      throw new UserError(
        `${error.message}\n(document ${error.documentNumber} is ResourceList item ${entry.index + 1}: ${describeItemForError(entry.item)})`,
        error.exitCode,
      );
    }
    throw error;
  }

  const replaced = new Map<number, string>();
  const addedBefore = new Map<number, string[]>();
  let inputs = 0;
  for (const document of result.output) {
    const text = withoutSeparator(document.text);
    const origin = document.origin;
    const number = 'input' in origin ? origin.input : origin.addedFor.document;
    const entry = included[number - 1];
    if (!entry) throw new Error(`the transform returned document ${number} of the ${included.length} items it was given`);
    if ('addedFor' in origin) {
      addedBefore.set(entry.index, [...(addedBefore.get(entry.index) ?? []), text]);
      continue;
    }
    inputs++;
    const itemText = fromStreamDocument(entry.item, text);
    if (itemText !== entry.item.text) replaced.set(entry.index, itemText);
  }
  if (inputs !== included.length) throw new Error(`the transform returned ${inputs} of the ${included.length} items it was given`);

  const itemTexts = list.items.flatMap((item, index) => [...(addedBefore.get(index) ?? []), replaced.get(index) ?? item.text]);
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
      stdout: composeResourceList(
        list.apiVersion,
        list.items.map((item) => item.text),
        [result],
      ),
      stderr: `${error.message}\n`,
      exitCode: 1,
    };
  }
}
