// The pure core: text in, text out, plus records of what changed and what could not be done.
//   stream -> select (cheap text checks) -> parse (only those) -> rules -> emit
// A document no rule could concern is never parsed and comes out as its original bytes.
import { isAlias, isMap, isPair, isScalar, isSeq, visit, YAMLError } from 'yaml';
import { defaultConfig, mergeConfig, type Config, type ConfigSpec } from './config.js';
import { documentError } from './diagnostics.js';
import { EditableDocument } from './edit/editable-document.js';
import { UnsupportedYamlError } from './edit/node-edits.js';
import { lineAndColumn } from './edit/source-text.js';
import { collectGarbage, LARGE_INPUT } from './memory.js';
import { StrictModeError } from './errors.js';
import { isCustomResourceDefinition } from './kube/kind-text.js';
import { annotationOf, describeResource, type KubeObject, type ResourceId } from './kube/objects.js';
import { isResourceSelected } from './kube/select.js';
import type { ChangeRecord, WarningRecord } from './records.js';
import { RULES } from './rules/index.js';
import type { ApplyToDocument, ApplyToStream, Rule, RuleContext, StreamRuleContext } from './rules/rule.js';
import { splitStream, type Chunk } from './stream.js';
import { analyzeStream, noteGatewayReleaseNeeds, noteNothingMatched } from './warnings/analyze.js';
import { lenientView, type StreamView } from './warnings/inventory.js';
import { warnSysctlsLeft } from './warnings/sysctl-not-removed.js';
import { takeIgnored, type IgnoredWarnings } from './warnings/ignore.js';

// Each rule's edit is its own module, loaded with the transform and never by the CLI's start-up.
const APPLY = new Map<Rule, ApplyToDocument | ApplyToStream>(
  await Promise.all(RULES.map(async (rule: Rule) => [rule, (await rule.load()).apply] as const)),
);

/** Document-wide rules that run next to each other: applied document by document. */
interface DocumentStep {
  readonly scope: 'document';
  readonly rules: readonly Rule[];
}
interface StreamStep {
  readonly scope: 'stream';
  readonly rule: Rule;
}

/** The enabled rules in run order: the stream rules the warnings must see, then the rest, in list order. */
function stepsOf(rules: readonly Rule[]): { beforeWarnings: StreamStep[]; afterWarnings: (DocumentStep | StreamStep)[] } {
  const beforeWarnings: StreamStep[] = [];
  const afterWarnings: (DocumentStep | StreamStep)[] = [];
  for (const rule of rules) {
    if (rule.scope === 'stream') {
      (rule.beforeWarnings ? beforeWarnings : afterWarnings).push({ scope: 'stream', rule });
      continue;
    }
    const last = afterWarnings[afterWarnings.length - 1];
    if (last?.scope === 'document') afterWarnings[afterWarnings.length - 1] = { scope: 'document', rules: [...last.rules, rule] };
    else afterWarnings.push({ scope: 'document', rules: [rule] });
  }
  return { beforeWarnings, afterWarnings };
}

export interface TransformOptions {
  /** a resolved configuration, or a partial one merged over the defaults */
  config?: Config | ConfigSpec;
  /** text of the default gateway injection template (--gateway-template) */
  gatewayTemplate?: string;
  /**
   * Annotations an added options ConfigMap carries, given the Gateway it serves. Hosts use it
   * for their bookkeeping (Helm 4's postrender-filename, kpt's path); by default Helm 4's
   * filename annotation is copied from the Gateway.
   */
  /** @internal for the host modes; its types are the parser's, which the published types leave out */
  annotationsForAdded?: (gateway: KubeObject, gatewayDocument: EditableDocument) => Record<string, string>;
}

export interface TransformResult {
  /** the output stream */
  readonly text: string;
  /** the output stream in pieces whose concatenation is `text` (for writing without joining) */
  readonly pieces: readonly string[];
  changes: ChangeRecord[];
  warnings: WarningRecord[];
  /** warning codes left out by --ignore-warning, with how many of each there were */
  ignoredWarnings: IgnoredWarnings[];
  /** documents (with content) read and written, added ConfigMaps included in `out` */
  documents: { in: number; out: number };
  /** numbers (1-based) of the documents whose text changed */
  changedDocuments: number[];
  /**
   * Each changed document's text before and after, and each added document (before: ''), in output
   * order: what --diff shows (src/diff.ts). `number` is the document's own, or for an added one the
   * number of the document it was placed before.
   */
  documentEdits: DocumentEdit[];
}

export interface DocumentEdit {
  number: number;
  added: boolean;
  before: string;
  after: string;
}

export const HELM_FILENAME_ANNOTATION = 'postrenderer.helm.sh/postrender-filename';

function copyHelmFilename(gateway: KubeObject): Record<string, string> {
  const filename = annotationOf(gateway.map.get('metadata', true) as never, HELM_FILENAME_ANNOTATION);
  return filename ? { [HELM_FILENAME_ANNOTATION]: filename } : {};
}

function resolveConfig(config: Config | ConfigSpec | undefined): Config {
  if (config && 'maxInputBytes' in config && 'select' in config && 'sysctls' in config && 'gatewayApi' in config) {
    return config as Config;
  }
  return mergeConfig(defaultConfig(), (config ?? {}) as ConfigSpec);
}

export function transform(input: string, options: TransformOptions = {}): TransformResult {
  const config = resolveConfig(options.config);
  const { bom, chunks } = splitStream(input);
  const changes: ChangeRecord[] = [];
  const warnings: WarningRecord[] = [];
  const ctx: RuleContext = {
    config,
    gatewayTemplate: options.gatewayTemplate,
    isSelected: (id: ResourceId) => isResourceSelected(id, config.select),
    change: (record, ed) => changes.push({ ...record, document: ed.number }),
    warn: (record) => warnings.push(record),
  };

  const rules: readonly Rule[] = RULES.filter((rule: Rule) => rule.isEnabled(config));
  const documentRules = rules.filter((rule) => rule.scope === 'document');
  const numbers = documentNumbers(chunks);
  const parsed = new Map<number, EditableDocument>();
  const parse = (index: number): EditableDocument => {
    let ed = parsed.get(index);
    if (!ed) {
      const chunk = chunks[index] as Chunk;
      ed = parseChecked(chunk, numbers[index] ?? 0);
      parsed.set(index, ed);
    }
    return ed;
  };
  // No rule edits a CustomResourceDefinition and no warning reads one, but their schemas mention
  // every word the pre-checks look for: unless --validate parsed it anyway, one is never parsed.
  const crd = new Map<number, boolean>();
  const isCrd = (index: number): boolean => {
    let known = crd.get(index);
    if (known === undefined) crd.set(index, (known = isCustomResourceDefinition((chunks[index] as Chunk).text)));
    return known;
  };

  // Select: which documents each document-wide rule could concern, from their text alone; parse only those.
  const work = new Map<number, readonly Rule[]>();
  chunks.forEach((chunk, index) => {
    if (!chunk.hasContent) return;
    const applicable = documentRules.filter((rule) => rule.mightApply(chunk.text, config));
    if (applicable.length > 0 && isCrd(index)) applicable.length = 0;
    if (applicable.length === 0 && !config.validate) return;
    parse(index);
    work.set(index, applicable);
  });

  const view: StreamView = {
    chunks,
    isCrd,
    parse: (index: number) => (!parsed.has(index) && isCrd(index) ? undefined : parse(index)),
  };
  const insertBefore = new Map<number, string[]>();
  const streamContext: StreamRuleContext = {
    ...ctx,
    view,
    within: (index, run) => {
      const ed = parse(index);
      runRule(run, ed, chunks[index] as Chunk);
    },
    annotationsForAdded: options.annotationsForAdded ?? copyHelmFilename,
  };
  const runStreamRule = (rule: Rule): void => {
    for (const added of (APPLY.get(rule) as ApplyToStream)(streamContext) ?? []) {
      insertBefore.set(added.before, [...(insertBefore.get(added.before) ?? []), added.text]);
    }
  };

  const steps = stepsOf(rules);
  for (const step of steps.beforeWarnings) runStreamRule(step.rule);
  // Warnings read the documents before the other rules edit them: an edited document would have
  // to be parsed again, and what those rules do follows from the configuration anyway.
  analyzeStream(view, ctx);
  // Only the documents a rule edits, and those a stream-wide rule will read, are read again; let
  // the others go (a tree held to the end is copied by every young-generation collection on its way out).
  const streamRules = steps.afterWarnings.flatMap((step) => (step.scope === 'stream' ? [step.rule] : []));
  for (const [index, ed] of parsed) {
    const text = (chunks[index] as Chunk).text;
    if (!work.has(index) && !streamRules.some((rule) => rule.mightApply(text, config))) ed.release();
  }
  const large = input.length >= LARGE_INPUT;
  if (large) collectGarbage();

  for (const step of steps.afterWarnings) {
    if (step.scope === 'stream') {
      runStreamRule(step.rule);
      continue;
    }
    for (const [index, applicable] of work) {
      const ed = parse(index);
      for (const rule of applicable) {
        if (step.rules.includes(rule)) runRule(() => (APPLY.get(rule) as ApplyToDocument)(ed, ctx), ed, chunks[index] as Chunk);
      }
    }
  }

  warnSysctlsLeft(lenientView(view), ctx, changes);
  noteGatewayReleaseNeeds(lenientView(view), ctx, { changes, warnings });
  noteNothingMatched(view, ctx, { changes, warnings });
  const ignoredWarnings = takeIgnored(warnings, config.warnings.ignore);
  if (large) collectGarbage();

  if (config.strict) {
    const blocking = warnings.filter((warning) => warning.severity === 'warning');
    if (blocking.length > 0) {
      throw new StrictModeError(
        `error: --strict: ${blocking.length} warning(s) would need attention:\n${blocking
          .map((w) => `  - [${w.code}] ${w.resource ? `${describeResource(w.resource)}: ` : ''}${w.message}`)
          .join('\n')}`,
        { changes, warnings, documents: { in: chunks.filter((chunk) => chunk.hasContent).length, out: 0 } },
      );
    }
  }

  // The output as pieces: joining 100 MB into one string (and encoding it again to write it) would
  // double the peak memory; the CLI writes the pieces, the library joins them when asked.
  const pieces: string[] = bom ? [bom] : [];
  let added = 0;
  const changedDocuments: number[] = [];
  const documentEdits: DocumentEdit[] = [];
  chunks.forEach((chunk, index) => {
    const additions = insertBefore.get(index) ?? [];
    added += additions.length;
    for (const after of additions) documentEdits.push({ number: numbers[index] ?? 0, added: true, before: '', after });
    pieces.push(...additions);
    if (additions.length > 0 && !startsWithMarker(chunk.text)) pieces.push(`---${chunk.text.includes('\r\n') ? '\r\n' : '\n'}`);
    const ed = parsed.get(index);
    // Documents re-parse lazily, so an edit nobody read again is checked here: a patch that
    // broke the YAML is our bug and must fail the run, never reach the output.
    if (ed?.changed) runRule(() => ed.verify(), ed, chunk);
    if (ed?.changed) changedDocuments.push(ed.number);
    if (ed?.changed) documentEdits.push({ number: ed.number, added: false, before: chunk.text, after: ed.source });
    pieces.push(ed?.changed ? ed.source : chunk.text);
    ed?.release();
  });
  const documentsIn = chunks.filter((chunk) => chunk.hasContent).length;
  let text: string | undefined;
  return {
    get text() {
      return (text ??= pieces.join(''));
    },
    pieces,
    changes,
    warnings,
    ignoredWarnings,
    documents: { in: documentsIn, out: documentsIn + added },
    changedDocuments,
    documentEdits,
  };
}

function startsWithMarker(text: string): boolean {
  for (const line of text.split('\n')) {
    if (line.startsWith('---')) return true;
    if (line.trim() !== '' && !line.trimStart().startsWith('#') && !line.startsWith('%')) return false;
  }
  return false;
}

/** 1-based numbers of the documents that carry content; separators and comments get 0. */
function documentNumbers(chunks: readonly Chunk[]): number[] {
  let number = 0;
  return chunks.map((chunk) => (chunk.hasContent ? ++number : 0));
}

const FIXES: Record<string, string> = {
  DUPLICATE_KEY: 'remove or rename one of the two keys',
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs for indentation',
  BAD_INDENT: 'align the line with its siblings (YAML indentation is significant)',
  MISSING_CHAR: 'close the bracket or quote that was opened',
  UNEXPECTED_TOKEN: 'check the indentation, brackets and quotes around this position',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; check for a missing colon or quote',
  BLOCK_AS_IMPLICIT_KEY: 'check the indentation: a nested block cannot be used as a key',
};

/**
 * Kubernetes objects nest about 30 levels at most (CRD schemas). Deeper documents are refused
 * up front: the parser itself gives up near 1,000 levels, and a document just below that would
 * overflow the stack later, when a rule re-parses it after an edit.
 */
const MAX_NESTING = 200;

function nestingError(number: number, chunk: Chunk, at: { line: number; column: number } | undefined): Error {
  return documentError(
    number,
    chunk.text,
    chunk.firstLine,
    at,
    `the document nests too deeply to be read (more than ${MAX_NESTING} levels)`,
    'flatten the document; Kubernetes objects never nest this deep',
  );
}

/** Where the first collection deeper than MAX_NESTING starts, found without recursion. */
function tooDeepAt(ed: EditableDocument): number | undefined {
  const stack: [unknown, number][] = [[ed.doc.contents, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_NESTING) return node.range?.[0] ?? 0;
    for (const item of node.items as unknown[]) {
      if (isPair(item)) stack.push([item.key, depth + 1], [item.value, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

function parseChecked(chunk: Chunk, number: number): EditableDocument {
  let ed: EditableDocument;
  try {
    ed = new EditableDocument(chunk.text, number, chunk.firstLine);
  } catch (error) {
    if (error instanceof RangeError) throw nestingError(number, chunk, undefined);
    throw error;
  }
  const firstError = ed.doc.errors[0];
  if (firstError) throw yamlError(firstError, chunk, number);
  const deep = tooDeepAt(ed);
  if (deep !== undefined) throw nestingError(number, chunk, positionOf(chunk.text, deep));
  const contents = ed.doc.contents;
  if (contents !== null && !isMap(contents)) {
    const what = isSeq(contents) ? 'a sequence' : isScalar(contents) ? 'a scalar' : 'not a mapping';
    throw documentError(
      number,
      chunk.text,
      chunk.firstLine,
      positionOf(chunk.text, contents.range?.[0] ?? 0),
      `the document is ${what}, not a Kubernetes object`,
      'each document must be a mapping with apiVersion, kind and metadata; check for a stray "-" or a missing "---" separator',
    );
  }
  if (chunk.text.includes('*')) checkAliases(ed, chunk);
  return ed;
}

function checkAliases(ed: EditableDocument, chunk: Chunk): void {
  // An alias must come after its anchor; yaml only finds out (with an error that reads like an
  // alias bomb) when the document is converted.
  const anchors = new Set<string>();
  let aliases = 0;
  let unresolved: { source: string; offset: number } | undefined;
  visit(ed.doc, (_key, node) => {
    if (isAlias(node)) {
      aliases++;
      if (!anchors.has(node.source)) {
        unresolved = { source: node.source, offset: node.range?.[0] ?? 0 };
        return visit.BREAK;
      }
    } else if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) {
      anchors.add(node.anchor);
    }
    return undefined;
  });
  if (unresolved) {
    throw documentError(
      ed.number,
      chunk.text,
      chunk.firstLine,
      positionOf(chunk.text, unresolved.offset),
      `an alias refers to no anchor defined before it: *${unresolved.source}`,
      'define the anchor (&name) before the alias, or quote the value if the "*" is part of it',
    );
  }
  if (aliases === 0) return;
  try {
    ed.doc.toJS({ maxAliasCount: 100 });
  } catch {
    let first = 0;
    visit(ed.doc, {
      Alias: (_key, node) => {
        if (isAlias(node)) first = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    throw documentError(
      ed.number,
      chunk.text,
      chunk.firstLine,
      positionOf(chunk.text, first),
      'the document expands YAML aliases too often (an alias bomb, "billion laughs")',
      'write the values out instead of nesting aliases',
    );
  }
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  const { line, column } = lineAndColumn(text, offset);
  return { line: line - 1, column: column - 1 };
}

function yamlError(error: YAMLError, chunk: Chunk, number: number): Error {
  const at = positionOf(chunk.text, error.pos[0]);
  // yaml turns a stack overflow while composing into this code (compose-node.ts).
  if (error.code === 'RESOURCE_EXHAUSTION') return nestingError(number, chunk, at);
  let what = error.message.split('\n')[0] ?? error.message;
  if (error.code === 'DUPLICATE_KEY') {
    // a quoted key (JSON) is named without its quotes
    const key = /^\s*([^:#\n]+?)\s*:/.exec(chunk.text.slice(error.pos[0]))?.[1]?.replace(/^(["'])(.*)\1$/, '$2');
    what = `duplicate key${key ? ` "${key}"` : ''} in a mapping`;
  }
  const unclosed = /end with an? ([\]}])/.exec(what)?.[1];
  const fix = unclosed ? `close the flow collection with "${unclosed}" (or write it in block style)` : (FIXES[error.code] ?? 'correct the YAML syntax at this position');
  return documentError(number, chunk.text, chunk.firstLine, at, `invalid YAML: ${what}`, fix);
}

function runRule(run: () => void, ed: EditableDocument, chunk: Chunk): void {
  try {
    run();
  } catch (error) {
    if (error instanceof UnsupportedYamlError) {
      throw documentError(ed.number, chunk.text, chunk.firstLine, positionOf(ed.source, error.position), error.message, 'see above');
    }
    if (error instanceof Error && !(error as { documentNumber?: number }).documentNumber) {
      (error as { documentNumber?: number }).documentNumber = ed.number;
    }
    throw error;
  }
}
