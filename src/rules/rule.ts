// The one shape every rule has. A rule is a descriptor (this file's `Rule`) that says, without
// loading any parser: its id (the report's rule id), the spec properties it owns and its JSON
// Schema, its command-line flags and kpt `key=value` keys, whether it edits one document at a time
// or works across the stream, and a cheap text pre-check that keeps other documents unparsed. Its
// apply function lives in a module of its own (src/generated/rule-edits.ts, built from the rule
// folders, lists them), which only the transform imports: the CLI's start-up reads the descriptors
// and never runs an edit's module.
import type { Config, ConfigSpec } from '../config/config.js';
import type { EditableDocument } from '../yaml/editable-document.js';
import type { ResourceId } from '../report/records.js';
import type { StreamView } from '../kube/view.js';
import type { RuleContext } from '../context.js';

/** @internal */
export type { RuleContext } from '../context.js';

/** @internal What a stream-wide rule gets besides the context: the whole stream, parsed on demand. */
export interface StreamRuleContext extends RuleContext {
  readonly view: StreamView;
  /** runs `run`, reporting an error in it as one of the document at `chunk` */
  within(chunk: number, run: () => void): void;
}

/**
 * A document a stream-wide rule adds for a resource, placed before the chunk holding it. The
 * rule knows nothing of hosts: a host's bookkeeping annotations (Helm 4's filename, kpt's path and
 * index) are given to `render` as plain data (TransformOptions.annotateAdded).
 */
export interface AddedDocument {
  /** the chunk of the document holding `resource` */
  readonly before: number;
  readonly resource: ResourceId;
  /** `resource`'s own string annotations */
  readonly annotations: Readonly<Record<string, string>>;
  /** the full text (separator included), with `annotations` in its metadata */
  render(annotations: Readonly<Record<string, string>>): string;
}

/** @internal */
export type ApplyToDocument = (ed: EditableDocument, ctx: RuleContext) => void;
/** @internal */
export type ApplyToStream = (ctx: StreamRuleContext) => readonly AddedDocument[] | void;

export type FlagValue = string | boolean | string[];

/** A command-line flag: how it reads in --help, and the part of a spec it stands for. */
export interface RuleFlag {
  /** without the leading dashes */
  readonly name: string;
  readonly type: 'boolean' | 'string';
  readonly multiple?: true;
  /** the left column of --help, e.g. `--port-offset N` */
  readonly usage: string;
  readonly help: string;
  /** the spec this flag asks for; {} when the value asks for nothing (an empty string) */
  toSpec(value: FlagValue): ConfigSpec;
}

/** A key of the ConfigMap kpt builds from `kpt fn eval ... -- key=value`: every value is a string. */
export interface RuleKey {
  readonly key: string;
  /** JSON Schema of the string value (see schemas/function-input.schema.json's definitions) */
  readonly schema: Readonly<Record<string, unknown>>;
  toSpec(value: string): ConfigSpec;
}

interface RuleBase<Id extends string> {
  readonly id: Id;
  /** the rule's JSON Schema (src/rules/<folder>/schema.json), published as schemas/rules/<folder>.schema.json */
  readonly schema: { readonly $id: string };
  /** each spec property the rule owns -> the JSON pointer of its schema inside `schema` ('' = all of it) */
  readonly spec: Readonly<Record<string, string>>;
  readonly flags: readonly RuleFlag[];
  readonly keys: readonly RuleKey[];
  isEnabled(config: Config): boolean;
  /** cheap text pre-check: false means the rule can have nothing to do with this document */
  mightApply(text: string, config: Config): boolean;
}

export interface DocumentRule<Id extends string = string> extends RuleBase<Id> {
  readonly scope: 'document';
}

export interface StreamRule<Id extends string = string> extends RuleBase<Id> {
  readonly scope: 'stream';
  /**
   * The warnings judge the stream after this rule's edits (it changes which ports pods listen on).
   * Every other rule runs after the warnings, which infer its effect from the configuration.
   */
  readonly beforeWarnings: boolean;
}

export type Rule<Id extends string = string> = DocumentRule<Id> | StreamRule<Id>;

/** JSON Schemas of kpt ConfigMap values (definitions of schemas/function-input.schema.json). */
export const KEY_BOOLEAN = { $ref: '#/definitions/boolean' } as const;
export const KEY_LIST = { $ref: '#/definitions/list' } as const;

/** `a, b,,c` -> [a, b, c]: how a kpt ConfigMap value holds a list. */
export const keyList = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
export const keyBoolean = (value: string): boolean => value === 'true';

/** The folder (and published schema name) of a rule: its id in kebab case. */
export function folderOf(id: string): string {
  return id.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
