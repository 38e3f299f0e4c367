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
import { isMap, parseDocument, type Document } from 'yaml';
import { readFast } from '../yaml/fast-read.js';
import { PARSE_OPTIONS } from '../yaml/editable-document.js';
import { UserError } from '../errors.js';
import { checkSize, decodeText, describeFsError } from '../input/text.js';
import { describeResource } from '../kube/objects.js';
import { reportFormatOf, type ParsedFlags } from '../config/flags.js';
import { splitStream, type SplitStream } from '../stream/split.js';
import { transform } from '../transform.js';
import { escapeControls } from '../report/render.js';
import { unifiedDiff } from './file-diff.js';
import type { LoadedConfig } from '../config/load.js';
import { helmFilenameOf } from './helm-bookkeeping.js';
import type { Outcome } from './outcome.js';
import type { ChangeRecord } from '../report/records.js';
import type { Replacement } from './atomic-write.js';

export type FilesMode = 'write' | 'check';

/**
 * What a file's transform leaves for the end of the run, and no more: a thousand files under
 * pre-commit must not hold a thousand transform results (their trees and texts) to the end, which
 * every young-generation collection would copy on their way out.
 */
interface Planned {
  readonly file: string;
  readonly changed: boolean;
  /** --write: the file's new content, and the content it was made from */
  readonly replacement: Replacement | undefined;
  readonly changes: readonly ChangeRecord[];
  /** its warning lines, ready to print */
  readonly warnings: readonly string[];
  /** --check: the unified diff of a file that would change */
  readonly diff: string;
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

/**
 * Whether some document of the file is a mapping with both apiVersion and kind. `trees`: where
 * the trees read on the way are put, by chunk index, for the transform to take over.
 */
export function holdsKubernetesObjects(
  text: string,
  split: SplitStream = splitStream(text),
  trees?: Map<number, Document.Parsed>,
): boolean {
  return split.chunks.some((chunk, index) => {
    if (!chunk.hasContent || !chunk.text.includes('apiVersion') || !chunk.text.includes('kind')) return false;
    // A manifest says so in its text, with no parse: whether it is valid (a mapping with both keys)
    // or not (the transform reports its YAML error, as below), the answer is yes.
    if (API_VERSION_KEY.test(chunk.text) && KIND_KEY.test(chunk.text) && opensWithRootKey(chunk.text)) return true;
    // The fast readers answer only for JSON, and YAML without tags, merge keys or errors, where
    // YAML 1.1 and 1.2 (yaml's default, used below) build the same mapping.
    // the tree goes to the transform, which would read this same text next
    const read = readFast(chunk.text, PARSE_OPTIONS);
    if (read) {
      trees?.set(index, read);
      return isMap(read.contents) && read.contents.has('apiVersion') && read.contents.has('kind');
    }
    // no duplicate-key check (quadratic in yaml): the transform makes it, in linear time
    const doc = parseDocument(chunk.text, { uniqueKeys: false });
    // A document that does not parse but looks like an object goes to the transform, which
    // reports the YAML error precisely; one that does not look like an object is not ours.
    if (doc.errors.length > 0) return TOP_LEVEL_API_VERSION.test(chunk.text) && TOP_LEVEL_KIND.test(chunk.text);
    return isMap(doc.contents) && doc.contents.has('apiVersion') && doc.contents.has('kind');
  });
}

/**
 * Each file once, even if named twice or through a symlink: paths with the same real path are one
 * file (hard links are not: --write replaces each path). Told from the descriptor's inode, which
 * the read asks for anyway: only paths that share one pay for real paths (a realpath per file
 * would cost a thousand files under pre-commit a lookup of every folder on their way).
 */
class DistinctFiles {
  private readonly names = new Set<string>();
  /** inode number -> the files kept with it (numbers, not `dev:ino` strings: no string per file) */
  private readonly byInode = new Map<number, { readonly dev: number; readonly file: string }[]>();
  /** the real paths (or, unresolvable, the paths) of files that could not be opened */
  private readonly unopened = new Set<string>();
  private readonly realPaths = new Map<string, string>();

  /** Whether the path was named before, letter for letter (then it is not even opened). */
  namedBefore(file: string): boolean {
    if (this.names.has(file)) return true;
    this.names.add(file);
    return false;
  }

  /** Whether the file opened as this inode is one kept before; if not, it is kept. */
  openedBefore(file: string, dev: number, ino: number): boolean {
    const kept = this.byInode.get(ino);
    if (!kept) {
      this.byInode.set(ino, [{ dev, file }]);
      return false;
    }
    const real = this.realPathOf(file);
    if (kept.some((other) => other.dev === dev && this.realPathOf(other.file) === real)) return true;
    kept.push({ dev, file });
    return false;
  }

  /** Whether a file that cannot be opened is one (by real path) that could not be opened before. */
  failedBefore(file: string): boolean {
    const real = this.realPathOf(file);
    if (this.unopened.has(real)) return true;
    this.unopened.add(real);
    return false;
  }

  private realPathOf(file: string): string {
    let real = this.realPaths.get(file);
    if (real === undefined) {
      try {
        real = realpathSync.native(file);
      } catch {
        real = file; // a missing file is reported when it is read
      }
      this.realPaths.set(file, real);
    }
    return real;
  }
}

/** The manifest's text; undefined when the file is one read already (named twice, or through a symlink). */
function readManifest(file: string, limit: number, distinct: DistinctFiles): string | undefined {
  let bytes: Buffer;
  let fd: number | undefined;
  try {
    // Opened once and asked through the descriptor: a path looked up twice (stat, then read) costs
    // a thousand files under pre-commit twice the lookups. O_NONBLOCK: opening a FIFO must not
    // wait for a writer before it is refused.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = fstatSync(fd);
    if (distinct.openedBefore(file, info.dev, info.ino)) return undefined;
    // --write replaces files through a rename: a FIFO, a device or a folder cannot be one
    if (!info.isFile()) throw new UserError(`error: not a regular file`);
    checkSize(info.size, limit, 'the file');
    bytes = readAll(fd, info.size);
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (fd === undefined && distinct.failedBefore(file)) return undefined;
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

/** Files up to this size are read into one buffer, used again for each (decoding copies the text out). */
const SMALL_FILE = 64 * 1024;
let smallFileBuffer: Buffer | undefined;

/**
 * What readFileSync(fd) reads, without the second fstat it would make: up to `size` bytes, less if
 * the file shrank. A size of 0 may be a file that does not know its size (procfs): read to its end.
 * A small file's bytes are valid until the next call.
 */
function readAll(fd: number, size: number): Buffer {
  if (size === 0) return readFileSync(fd);
  const buffer = size <= SMALL_FILE ? (smallFileBuffer ??= Buffer.allocUnsafe(SMALL_FILE)) : Buffer.allocUnsafe(size);
  let length = 0;
  while (length < size) {
    const read = readSync(fd, buffer, length, size - length, null);
    if (read === 0) break;
    length += read;
  }
  return length < buffer.length ? buffer.subarray(0, length) : buffer;
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

function changeSummary(planned: Planned, verb: string): string {
  const lines = planned.changes.map((change) => `  ${describeResource(change.resource)}: ${change.message}`);
  return [`gateway-compat: ${verb} ${planned.file} (${planned.changes.length} change(s))`, ...lines].map(escapeControls).join('\n');
}

/** A file's transform, reduced to what the run's end needs (see Planned). */
function planFile(file: string, text: string, loaded: LoadedConfig, mode: FilesMode): Planned | undefined {
  const { config, gatewayTemplate } = loaded;
  // split once: the transform reads the same chunks, and takes over the trees read to tell a manifest
  const split = splitStream(text);
  const trees = new Map<number, Document.Parsed>();
  if (!holdsKubernetesObjects(text, split, trees)) return undefined;
  const result = transform(text, {
    prepared: { split, trees },
    config,
    ...(mode === 'check' ? { secretVerdicts: true } : {}),
    ...(gatewayTemplate !== undefined ? { gatewayTemplate } : {}),
    annotateAdded: helmFilenameOf,
  });
  const after = result.text === text ? undefined : result.text;
  return {
    file,
    changed: after !== undefined,
    replacement: mode === 'write' && after !== undefined ? { file, content: after, expected: text } : undefined,
    changes: result.changes,
    warnings: result.warnings.map((warning) => escapeControls(`${file}: ${warning.severity} [${warning.code}] ${warning.message}`)),
    diff: mode === 'check' && after !== undefined ? unifiedDiff(file, text, after, result.secretVerdict) : '',
  };
}

/** `files`: at least one (the CLI says so otherwise); `loaded`: the run's configuration, loaded once by the CLI. */
export async function runFiles(
  values: ParsedFlags['values'],
  loaded: LoadedConfig,
  files: readonly string[],
  mode: FilesMode,
): Promise<Outcome> {
  const report = reportFormatOf(values);
  const planned: Planned[] = [];
  const errors: string[] = [];
  const distinct = new DistinctFiles();
  for (const file of files) {
    if (distinct.namedBefore(file)) continue;
    let text: string | undefined;
    try {
      text = readManifest(file, loaded.config.maxInputBytes, distinct);
      if (text === undefined) continue;
      const plan = planFile(file, text, loaded, mode);
      if (plan) planned.push(plan);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      errors.push(`${file}: ${explain(error, text)}`);
    }
  }
  if (errors.length > 0) {
    const closing = `gateway-compat: ${errors.length} file(s) could not be processed; no file was changed`;
    return { stdout: '', stderr: `${errors.join('\n')}\n${closing}\n`, exitCode: 1 };
  }

  const changed = planned.filter((entry) => entry.changed);
  const warnings = planned.flatMap((entry) => entry.warnings);
  const quiet = report === 'none';

  if (mode === 'check') {
    const stdout = changed.map((entry) => entry.diff).join('');
    const lines = quiet ? [] : [...changed.map((entry) => changeSummary(entry, 'would change')), ...warnings];
    if (!quiet && changed.length > 0)
      lines.push(
        `gateway-compat: ${changed.length} file(s) would change; run gateway-compat --write on them (or the gateway-compat pre-commit hook)`,
      );
    return { stdout, stderr: lines.length > 0 ? `${lines.join('\n')}\n` : '', exitCode: changed.length > 0 ? 1 : 0 };
  }

  // node:crypto and node:fs/promises cost start-up time, and --check writes nothing
  const { replaceFiles } = await import('./atomic-write.js');
  try {
    await replaceFiles(changed.map((entry) => entry.replacement as Replacement));
  } catch (error) {
    const { file, replaced } = error as { file?: string; replaced?: string[] };
    const already = replaced && replaced.length > 0 ? `; already replaced: ${replaced.join(', ')}` : '; no file was changed';
    throw new UserError(`${file ?? '?'}: error: cannot write: ${describeFsError(error)}${already}`);
  }
  const lines = quiet ? [] : [...changed.map((entry) => changeSummary(entry, 'fixed')), ...warnings];
  return { stdout: '', stderr: lines.length > 0 ? `${lines.join('\n')}\n` : '', exitCode: 0 };
}
