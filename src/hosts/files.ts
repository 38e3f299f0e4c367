// The file host, for pre-commit and for fixing a folder of manifests by hand:
//   gateway-compat --write FILE...   rewrite the files that need it, in place
//   gateway-compat --check FILE...   change nothing; print a unified diff per file that would change
//                                    and exit 1 if any would
// Every file is read and transformed in memory first; if any of them fails, no file is written.
// Files that need no change are not touched (their mtime stays). YAML files without a Kubernetes
// object (values.yaml, CI workflows, .pre-commit-config.yaml) are skipped, since pre-commit hands
// the hook every file matching \.ya?ml$.
// Synchronous file reads: one process handles the files one by one, and a thousand files under
// pre-commit must not each wait for the thread pool (twice as long as the same bytes on stdin).
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { isMap, parseDocument } from 'yaml';
import { forgetKeptRead, readFastAndKeep } from '../yaml/fast-read.js';
import { PARSE_OPTIONS } from '../yaml/editable-document.js';
import { UserError } from '../errors.js';
import { checkSize, decodeText, describeFsError } from '../input/text.js';
import { describeResource } from '../kube/objects.js';
import { reportFormatOf, type ParsedFlags } from '../config/flags.js';
import { splitStream, type SplitStream } from '../stream/split.js';
import { transform, type TransformResult } from '../transform.js';
import { replaceFiles } from './atomic-write.js';
import { escapeControls } from '../report/render.js';
import { unifiedDiff } from './file-diff.js';
import type { LoadedConfig } from '../config/load.js';
import { helmFilenameOf } from './helm-bookkeeping.js';
import type { Outcome } from './outcome.js';

export type FilesMode = 'write' | 'check';

interface Planned {
  readonly file: string;
  readonly before: string;
  readonly result: TransformResult;
  /** texts of its edited documents that hold a Secret (TransformOptions.secretTexts) */
  readonly secretTexts: ReadonlySet<string>;
}

const TOP_LEVEL_API_VERSION = /^["']?apiVersion["']?\s*:/m;
const TOP_LEVEL_KIND = /^["']?kind["']?\s*:/m;

// The same keys, written as keys: a `:` then a space, a tab or the line end.
const API_VERSION_KEY = /^(?:apiVersion|"apiVersion"|'apiVersion')[ \t]*:(?:[ \t]|\r?$)/m;
const KIND_KEY = /^(?:kind|"kind"|'kind')[ \t]*:(?:[ \t]|\r?$)/m;
const ROOT_KEY = /^(?:[\w./-]+|"[\w./-]+"|'[\w./-]+')[ \t]*:(?:[ \t]|\r?$)/;

/**
 * Whether the document's first content line (after comments, blank lines and its `---`) is a key
 * at column 0: then the document, if valid, is a block mapping at column 0, and a line of it that
 * starts with `apiVersion:` is one of that mapping's keys (nothing else of a valid document can
 * start at column 0 inside it; yaml rejects scalars and flow collections continued there).
 */
function opensWithRootKey(text: string): boolean {
  let start = 0;
  let markerSeen = false;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) {
      if (!markerSeen && /^---[ \t]*(#.*)?$/.test(line)) markerSeen = true;
      else return ROOT_KEY.test(line);
    }
    start = end + 1;
  }
  return false;
}

/** Whether some document of the file is a mapping with both apiVersion and kind. */
export function holdsKubernetesObjects(text: string, split: SplitStream = splitStream(text)): boolean {
  return split.chunks.some((chunk) => {
    if (!chunk.hasContent || !chunk.text.includes('apiVersion') || !chunk.text.includes('kind')) return false;
    // A manifest says so in its text, with no parse: whether it is valid (a mapping with both keys)
    // or not (the transform reports its YAML error, as below), the answer is yes.
    if (API_VERSION_KEY.test(chunk.text) && KIND_KEY.test(chunk.text) && opensWithRootKey(chunk.text)) return true;
    // The fast readers answer only for JSON, and YAML without tags, merge keys or errors, where
    // YAML 1.1 and 1.2 (yaml's default, used below) build the same mapping.
    // the tree is kept for the transform, which reads this same text next
    const read = readFastAndKeep(chunk.text, PARSE_OPTIONS);
    if (read) return isMap(read.contents) && read.contents.has('apiVersion') && read.contents.has('kind');
    // no duplicate-key check (quadratic in yaml): the transform makes it, in linear time
    const doc = parseDocument(chunk.text, { uniqueKeys: false });
    // A document that does not parse but looks like an object goes to the transform, which
    // reports the YAML error precisely; one that does not look like an object is not ours.
    if (doc.errors.length > 0) return TOP_LEVEL_API_VERSION.test(chunk.text) && TOP_LEVEL_KIND.test(chunk.text);
    return isMap(doc.contents) && doc.contents.has('apiVersion') && doc.contents.has('kind');
  });
}

async function readManifest(file: string, limit: number): Promise<string> {
  let bytes: Buffer;
  let fd: number | undefined;
  try {
    // Opened once and asked through the descriptor: a path looked up twice (stat, then read) costs
    // a thousand files under pre-commit twice the lookups. O_NONBLOCK: opening a FIFO must not
    // wait for a writer before it is refused.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = fstatSync(fd);
    // --write replaces files through a rename: a FIFO, a device or a folder cannot be one
    if (!info.isFile()) throw new UserError(`error: not a regular file`);
    checkSize(info.size, limit, 'the file');
    bytes = readAll(fd, info.size);
  } catch (error) {
    if (error instanceof UserError) throw error;
    // a socket cannot even be opened (ENXIO): it is no regular file either
    if (fd === undefined && isSomethingElse(file)) throw new UserError(`error: not a regular file`);
    throw new UserError(`error: ${describeFsError(error)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  // it may have grown between the size check and the read
  checkSize(bytes.length, limit, 'the file');
  return decodeText(bytes, 'the file');
}

/**
 * What readFileSync(fd) reads, without the second fstat it would make: up to `size` bytes, less if
 * the file shrank. A size of 0 may be a file that does not know its size (procfs): read to its end.
 */
function readAll(fd: number, size: number): Buffer {
  if (size === 0) return readFileSync(fd);
  const buffer = Buffer.allocUnsafe(size);
  let length = 0;
  while (length < size) {
    const read = readSync(fd, buffer, length, size - length, null);
    if (read === 0) break;
    length += read;
  }
  return length < size ? buffer.subarray(0, length) : buffer;
}

function isSomethingElse(file: string): boolean {
  try {
    return !statSync(file).isFile();
  } catch {
    return false;
  }
}

function explain(error: UserError, text: string | undefined): string {
  const message = error.message.startsWith('error: ') ? error.message : `error: ${error.message}`;
  // Helm chart templates match \.ya?ml$ too, and their {{ }} lines are rarely valid YAML.
  const hint =
    text?.includes('{{') && /invalid YAML/.test(message)
      ? '\nhint: this looks like a Helm chart template, which is not a manifest; exclude it from the hook (e.g. exclude: templates/) and post-render the rendered chart instead'
      : '';
  return `${message}${hint}`;
}

/** Each path once, even if given twice or through a symlink. */
async function distinct(files: readonly string[]): Promise<string[]> {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const file of files) {
    let key = file;
    try {
      key = realpathSync.native(file);
    } catch {
      // a missing file is reported when it is read
    }
    if (!seen.has(key)) {
      seen.add(key);
      out.push(file);
    }
  }
  return out;
}

/**
 * The texts of the documents a transform parsed (those it only read as well), those it edited,
 * after (emit verifies every edit), and those it added (its own ConfigMaps, written by yaml's stringifier).
 */
function parsedTexts(result: TransformResult): Set<string> {
  const texts = new Set(result.parsedInputTexts());
  for (const edit of result.documentEdits) texts.add(edit.after);
  return texts;
}

function changeSummary(planned: Planned, verb: string): string {
  const lines = planned.result.changes.map((change) => `  ${describeResource(change.resource)}: ${change.message}`);
  return [`gateway-compat: ${verb} ${planned.file} (${planned.result.changes.length} change(s))`, ...lines].map(escapeControls).join('\n');
}

/** `files`: at least one (the CLI says so otherwise); `loaded`: the run's configuration, loaded once by the CLI. */
export async function runFiles(
  values: ParsedFlags['values'],
  loaded: LoadedConfig,
  files: readonly string[],
  mode: FilesMode,
): Promise<Outcome> {
  const report = reportFormatOf(values);
  const { config, gatewayTemplate } = loaded;

  const planned: Planned[] = [];
  const errors: string[] = [];
  for (const file of await distinct(files)) {
    let text: string | undefined;
    try {
      text = await readManifest(file, config.maxInputBytes);
      // split once: the transform reads the same chunks
      const split = splitStream(text);
      if (!holdsKubernetesObjects(text, split)) continue;
      const secretTexts = new Set<string>();
      const result = transform(text, {
        split,
        config,
        secretTexts,
        ...(gatewayTemplate !== undefined ? { gatewayTemplate } : {}),
        annotateAdded: helmFilenameOf,
      });
      forgetKeptRead();
      planned.push({ file, before: text, result, secretTexts });
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      errors.push(`${file}: ${explain(error, text)}`);
    }
  }
  if (errors.length > 0) {
    const closing = `gateway-compat: ${errors.length} file(s) could not be processed; no file was changed`;
    return { stdout: '', stderr: `${errors.join('\n')}\n${closing}\n`, exitCode: 1 };
  }

  const changed = planned.filter((entry) => entry.result.text !== entry.before);
  const warnings = planned.flatMap((entry) =>
    entry.result.warnings.map((warning) => escapeControls(`${entry.file}: ${warning.severity} [${warning.code}] ${warning.message}`)),
  );
  const quiet = report === 'none';

  if (mode === 'check') {
    const stdout = changed
      .map((entry) => unifiedDiff(entry.file, entry.before, entry.result.text, parsedTexts(entry.result), entry.secretTexts))
      .join('');
    const lines = quiet ? [] : [...changed.map((entry) => changeSummary(entry, 'would change')), ...warnings];
    if (!quiet && changed.length > 0)
      lines.push(
        `gateway-compat: ${changed.length} file(s) would change; run gateway-compat --write on them (or the gateway-compat pre-commit hook)`,
      );
    return { stdout, stderr: lines.length > 0 ? `${lines.join('\n')}\n` : '', exitCode: changed.length > 0 ? 1 : 0 };
  }

  try {
    await replaceFiles(changed.map((entry) => ({ file: entry.file, content: entry.result.text, expected: entry.before })));
  } catch (error) {
    const { file, replaced } = error as { file?: string; replaced?: string[] };
    const already = replaced && replaced.length > 0 ? `; already replaced: ${replaced.join(', ')}` : '; no file was changed';
    throw new UserError(`${file ?? '?'}: error: cannot write: ${describeFsError(error)}${already}`);
  }
  const lines = quiet ? [] : [...changed.map((entry) => changeSummary(entry, 'fixed')), ...warnings];
  return { stdout: '', stderr: lines.length > 0 ? `${lines.join('\n')}\n` : '', exitCode: 0 };
}
