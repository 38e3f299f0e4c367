// A parsed document together with the exact text it came from. Rules find nodes in the parsed
// tree and change the *text* with small patches, so everything they do not touch (comments,
// quoting, indentation style, line endings) stays as it was. After each change the text is parsed
// again, so the next lookup always sees positions that match the text.
import type { Document } from 'yaml';
import { readBlockYaml } from './block-yaml.js';
import { parseWithUniqueKeys } from './unique-keys.js';
import { applyPatches, type Patch } from './source-text.js';
import { lineEndingOf } from '../stream.js';

export const PARSE_OPTIONS = {
  // Kubernetes decodes manifests as YAML 1.1 ("yes" is a string there, but a bool in 1.2 for
  // some decoders); reading with 1.1 keeps our view of values the same as kubectl's.
  version: '1.1',
  uniqueKeys: true,
  prettyErrors: false,
  keepSourceTokens: false,
} as const;

/**
 * `parseDocument(source, PARSE_OPTIONS)`, through the fast reader when the text is plain block
 * YAML (the same tree, see block-yaml.ts), else with the duplicate-key check in linear time
 * (unique-keys.ts).
 */
export function parseYaml(source: string): Document.Parsed {
  return readBlockYaml(source, PARSE_OPTIONS) ?? parseWithUniqueKeys(source, PARSE_OPTIONS);
}

export class EditableDocument {
  source: string;
  readonly eol: '\n' | '\r\n';
  private readonly original: string;
  /** the parse of `source`, made again only when someone reads it after an edit */
  private parsed: Document.Parsed | undefined;

  constructor(
    source: string,
    /** 1-based position of this document in the stream */
    readonly number: number,
    /** 0-based line of the source's first line in the whole input */
    readonly firstLine: number,
    doc?: Document.Parsed,
  ) {
    this.source = source;
    this.original = source;
    this.eol = lineEndingOf(source);
    this.parsed = doc ?? parseYaml(source);
  }

  get doc(): Document.Parsed {
    if (!this.parsed) {
      const reparsed = parseYaml(this.source);
      if (reparsed.errors.length > 0) {
        throw new Error(`an edit produced invalid YAML in document ${this.number}: ${reparsed.errors[0]?.message ?? ''}`);
      }
      this.parsed = reparsed;
    }
    return this.parsed;
  }

  /**
   * The document is JSON (`kubectl get -o json`, JSON manifests): what an edit writes into it is
   * JSON too, so that it stays JSON for whoever reads it as such.
   */
  get json(): boolean {
    return /^\uFEFF?\s*\{\s*["}]/.test(this.original);
  }

  get changed(): boolean {
    return this.source !== this.original;
  }

  /**
   * Applies patches to the text. The next read of `doc` parses the new text; `verify()` does so
   * for documents nobody reads again, because a patch that breaks the YAML is our bug and must
   * never reach the output.
   */
  apply(patches: readonly Patch[]): void {
    if (patches.length === 0) return;
    this.source = applyPatches(this.source, patches);
    this.parsed = undefined;
  }

  verify(): void {
    void this.doc;
  }

  /** Drops the parsed tree (it is read again if asked for): large streams hold many documents. */
  release(): void {
    this.parsed = undefined;
  }
}
