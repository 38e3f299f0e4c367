// The pure core: text in, text out, plus records of what changed and what could not be done.
//   stream -> select (cheap text checks) -> parse (only those) -> rules -> emit
// A document no rule could concern is never parsed and comes out as its original bytes.
import { resolveConfig, type Config, type ConfigSpec } from './config/config.js';
import { documentError } from './parse/document-error.js';
import type { EditableDocument } from './yaml/editable-document.js';
import { emit, type AddedFor, type AddedText, type DocumentOrigin, type OutputDocument } from './emit.js';
import { parseChecked, positionOf } from './parse/parse-document.js';
import { UnsupportedYamlError } from './yaml/node-edits.js';
import { collectGarbage, LARGE_INPUT } from './memory.js';
import { StrictModeError, UserError } from './errors.js';
import { isCustomResourceDefinition } from './kube/kind-text.js';
import { withChecksRemembered } from './kube/text-memo.js';
import { describeResource, type ResourceId } from './kube/objects.js';
import { maySpellSecret, secretIn } from './kube/secrets.js';
import { isResourceSelected } from './stream/select.js';
import type { ChangeRecord, DocumentEdit, WarningRecord } from './report/records.js';
import { RULES } from './rules/index.js';
import { EDITS } from './generated/rule-edits.js';
import type { ApplyToDocument, ApplyToStream, Rule, RuleContext, StreamRuleContext } from './rules/rule.js';
import { splitStream, type Chunk, type SplitStream } from './stream/split.js';
import type { Document } from 'yaml';
import { analyzeStream, noteGatewayReleaseNeeds, noteNothingMatched } from './warnings/analyze.js';
import { warnSysctlsLeft } from './warnings/sysctl-not-removed.js';
import { takeIgnored, type IgnoredWarnings } from './warnings/ignore.js';
import { lenientView, type StreamView } from './kube/view.js';

// Each rule's edit is its own module, loaded with the transform and never by the CLI's start-up.
const APPLY = new Map<Rule, ApplyToDocument | ApplyToStream>(RULES.map((rule) => [rule, EDITS[rule.id]]));

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

interface RunPlan {
  readonly documentRules: readonly Rule[];
  readonly steps: ReturnType<typeof stepsOf>;
  /** the stream-wide rules that run after the warnings */
  readonly streamRules: readonly Rule[];
}

// Which rules run, and in which steps, follows from the configuration alone: worked out once per
// configuration, not once per file of a --check over a thousand files.
const plans = new WeakMap<Config, RunPlan>();
function planOf(config: Config): RunPlan {
  let plan = plans.get(config);
  if (!plan) {
    const rules = RULES.filter((rule: Rule) => rule.isEnabled(config));
    const steps = stepsOf(rules);
    plan = {
      documentRules: rules.filter((rule) => rule.scope === 'document'),
      steps,
      streamRules: steps.afterWarnings.flatMap((step) => (step.scope === 'stream' ? [step.rule] : [])),
    };
    plans.set(config, plan);
  }
  return plan;
}

export interface TransformOptions {
  /** a resolved configuration, or a partial one merged over the defaults */
  config?: Config | ConfigSpec;
  /** text of the default gateway injection template (--gateway-template) */
  gatewayTemplate?: string;
  /**
   * The annotations a document added for a resource carries: a host's own bookkeeping (Helm 4's
   * postrender-filename, kpt's path and index), from plain data about what it was added for.
   * None by default.
   */
  annotateAdded?: (added: AddedFor) => Readonly<Record<string, string>>;
  /** @internal What a host that looked at the input first (--check/--write) already knows of it. */
  prepared?: PreparedInput;
  /** @internal Tell each edited document's Secret verdict (TransformResult.secretVerdict), for --check's diff. */
  secretVerdicts?: boolean;
}

/**
 * @internal `input` as splitStream split it, and the trees of the chunks (by index) the host
 * read as parseYaml reads them (hosts/files.ts: to tell a manifest from other YAML), which the
 * transform takes over instead of reading those texts again.
 */
export interface PreparedInput {
  readonly split: SplitStream;
  readonly trees?: ReadonlyMap<number, Document.Parsed>;
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
   * order: what --diff shows (src/report/diff.ts). `number` is the document's own, or for an added one the
   * number of the document it was placed before.
   */
  documentEdits: DocumentEdit[];
  /**
   * The output documents (those with content) in output order, each with its origin: the number
   * of the input document it is, or what it was added for. Their texts are among `pieces`; hosts
   * map documents back by origin, never by splitting `text` again.
   */
  readonly output: readonly OutputDocument[];
  /**
   * @internal For --check's diff (src/hosts/file-diff.ts), whether a document text holds a Secret,
   * as far as the transform knows it without another parse: for the texts it parsed (input ones,
   * edited ones before and after, the ones it added), false when the text cannot spell the word,
   * and, under TransformOptions.secretVerdicts, for an edited document the answer of the tree it
   * verified (a rule never edits a Secret, so the text before holds one exactly when the text
   * after does). undefined: not known.
   */
  readonly secretVerdict: (text: string) => boolean | undefined;
}

export type { AddedFor, DocumentEdit, DocumentOrigin, OutputDocument };

function configOf(config: Config | ConfigSpec | undefined): Config {
  if (config && 'maxInputBytes' in config && 'select' in config && 'sysctls' in config && 'gatewayApi' in config) {
    return config as Config;
  }
  return resolveConfig(config ?? {});
}

export function transform(input: string, options: TransformOptions = {}): TransformResult {
  // the text checks' answers, for each document, serve every rule and warning that asks (kube/text-memo.ts)
  return withChecksRemembered(() => transformStream(input, options));
}

function transformStream(input: string, options: TransformOptions): TransformResult {
  const config = configOf(options.config);
  const { bom, chunks } = options.prepared?.split ?? splitStream(input);
  const trees = options.prepared?.trees;
  const changes: ChangeRecord[] = [];
  const warnings: WarningRecord[] = [];
  const ctx: RuleContext = {
    config,
    gatewayTemplate: options.gatewayTemplate,
    isSelected: (id: ResourceId) => isResourceSelected(id, config.select),
    change: (record, ed) => changes.push({ ...record, document: ed.number }),
    warn: (record) => warnings.push(record),
  };

  const { documentRules, steps, streamRules } = planOf(config);
  const numbers = documentNumbers(chunks);
  const parsed = new Map<number, EditableDocument>();
  const parse = (index: number): EditableDocument => {
    let ed = parsed.get(index);
    if (!ed) {
      const chunk = chunks[index] as Chunk;
      ed = parseChecked(chunk, numbers[index] ?? 0, trees?.get(index));
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
  const insertBefore = new Map<number, AddedText[]>();
  const streamContext: StreamRuleContext = {
    ...ctx,
    view,
    within: (index, run) => {
      const ed = parse(index);
      runRule(run, ed, chunks[index] as Chunk);
    },
  };
  const runStreamRule = (rule: Rule): void => {
    for (const added of (APPLY.get(rule) as ApplyToStream)(streamContext) ?? []) {
      const addedFor: AddedFor = { resource: added.resource, document: numbers[added.before] ?? 0, annotations: added.annotations };
      const text = added.render(options.annotateAdded?.(addedFor) ?? {});
      insertBefore.set(added.before, [...(insertBefore.get(added.before) ?? []), { text, addedFor }]);
    }
  };

  for (const step of steps.beforeWarnings) runStreamRule(step.rule);
  // Warnings read the documents before the other rules edit them: an edited document would have
  // to be parsed again, and what those rules do follows from the configuration anyway.
  analyzeStream(view, ctx);
  // Only the documents a rule edits, and those a stream-wide rule will read, are read again; let
  // the others go (a tree held to the end is copied by every young-generation collection on its way out).
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

  // Each edited document's Secret verdict is taken from its tree while emit still holds it; only a
  // text that can spell the word has its tree visited.
  const editedSecrets = new Map<string, boolean>();
  const tellSecrets = options.secretVerdicts === true;
  const { pieces, added, changedDocuments, documentEdits, output } = emit({ bom, chunks, numbers, parsed, insertBefore }, (ed, chunk) => {
    runRule(() => ed.verify(), ed, chunk);
    if (!tellSecrets) return;
    const secret = (maySpellSecret(chunk.text) || maySpellSecret(ed.source)) && secretIn(ed.doc) !== undefined;
    editedSecrets.set(chunk.text, secret).set(ed.source, secret);
  });
  const documentsIn = chunks.filter((chunk) => chunk.hasContent).length;
  let parsedTexts: Set<string> | undefined;
  const secretVerdict = (documentText: string): boolean | undefined => {
    const edited = editedSecrets.get(documentText);
    if (edited !== undefined) return edited;
    if (!parsedTexts) {
      parsedTexts = new Set([...parsed.keys()].map((index) => (chunks[index] as Chunk).text));
      for (const edit of documentEdits) if (edit.added) parsedTexts.add(edit.after);
    }
    return parsedTexts.has(documentText) && !maySpellSecret(documentText) ? false : undefined;
  };
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
    output,
    secretVerdict,
  };
}

/** 1-based numbers of the documents that carry content; separators and comments get 0. */
function documentNumbers(chunks: readonly Chunk[]): number[] {
  let number = 0;
  return chunks.map((chunk) => (chunk.hasContent ? ++number : 0));
}

function runRule(run: () => void, ed: EditableDocument, chunk: Chunk): void {
  try {
    run();
  } catch (error) {
    if (error instanceof UnsupportedYamlError) {
      // The position is in the text as earlier edits left it; the user knows the original.
      throw documentError(
        ed.number,
        chunk.text,
        chunk.firstLine,
        positionOf(chunk.text, ed.originalOffset(error.position)),
        error.message,
        error.fix ?? 'see above',
      );
    }
    // An internal error says which document it met (src/cli.ts); a UserError says so itself (DocumentError).
    if (error instanceof Error && !(error instanceof UserError) && !(error as { documentNumber?: number }).documentNumber) {
      (error as { documentNumber?: number }).documentNumber = ed.number;
    }
    throw error;
  }
}
