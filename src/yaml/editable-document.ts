// A parsed document together with the exact text it came from. Rules find nodes in the parsed
// tree and change the *text* with small patches, so everything they do not touch (comments,
// quoting, indentation style, line endings) stays as it was. After each change the text is parsed
// again, so the next lookup always sees positions that match the text (a JSON document only where
// the edit was, in place, so that a large List is not read whole again for each object edited).
import type { Document } from 'yaml';
import { readFast } from './fast-read.js';
import { rereadJson } from './json-reader.js';
import { checkAnchorEdits, mayUseAnchors, mightHoldAlias } from './anchor-guard.js';
import { parseWithUniqueKeys } from './unique-keys.js';
import { applyPatches, lineAndColumn, type Patch } from './source-text.js';
import { lineEndingOf } from '../stream/split.js';
import { textReplaced } from '../memory.js';

export const PARSE_OPTIONS = {
  // Kubernetes decodes manifests as YAML 1.1 ("yes" is a string there, but a bool in 1.2 for
  // some decoders); reading with 1.1 keeps our view of values the same as kubectl's.
  version: '1.1',
  uniqueKeys: true,
  prettyErrors: false,
  keepSourceTokens: false,
} as const;

/**
 * `parseDocument(source, PARSE_OPTIONS)`, through a fast reader when the text is JSON or plain
 * block YAML (the same tree, see fast-read.ts), else with the duplicate-key check in linear time
 * (unique-keys.ts).
 */
export function parseYaml(source: string): Document.Parsed {
  return readFast(source, PARSE_OPTIONS) ?? parseWithUniqueKeys(source, PARSE_OPTIONS);
}

export class EditableDocument {
  source: string;
  readonly eol: '\n' | '\r\n';
  private readonly original: string;
  /** the parse of `source`, made again only when someone reads it after an edit */
  private parsed: Document.Parsed | undefined;
  /** the patch sets applied so far, to map an offset of `source` back to the original text */
  private readonly applied: (readonly Patch[])[] = [];

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
      this.parsed = this.parseEdited(this.source);
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
    const next = applyPatches(this.source, patches);
    let after: Document.Parsed | undefined;
    if (this.parsed && rereadJson(this.parsed, next, patches, PARSE_OPTIONS)) {
      // JSON, read again in place: it holds no anchors and no aliases, before or after
      after = this.parsed;
    } else if (mayUseAnchors(this.source)) {
      // The patches were computed from this parse; the next one is kept for whoever reads on.
      const before = this.doc;
      after = this.parseEdited(next);
      checkAnchorEdits(this.source, before, after, (offset) => this.originalLineColumn(offset));
    }
    textReplaced(this.source.length);
    this.source = next;
    this.parsed = after;
    this.applied.push(patches);
  }

  /**
   * Checks the edited text the way a host will read it: it parses, and every alias resolves
   * (yaml reports an alias without its anchor only when the tree is converted).
   */
  verify(): void {
    const doc = this.doc;
    if (!mightHoldAlias(this.source)) return;
    try {
      doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw new Error(`an edit produced YAML whose aliases do not resolve in document ${this.number}: ${(error as Error).message}`);
    }
  }

  private parseEdited(text: string): Document.Parsed {
    const doc = parseYaml(text);
    if (doc.errors.length > 0) {
      throw new Error(`an edit produced invalid YAML in document ${this.number}: ${doc.errors[0]?.message ?? ''}`);
    }
    return doc;
  }

  /** Where an offset of the current text was in the original one (inside new text: where that went in). */
  originalOffset(offset: number): number {
    let at = offset;
    for (let set = this.applied.length - 1; set >= 0; set--) {
      const ordered = [...(this.applied[set] ?? [])].sort((a, b) => a.start - b.start);
      let shift = 0;
      let mapped: number | undefined;
      for (const patch of ordered) {
        const start = patch.start + shift;
        if (at < start) break;
        if (at < start + patch.text.length) {
          mapped = patch.start;
          break;
        }
        shift += patch.text.length - (patch.end - patch.start);
      }
      at = mapped ?? at - shift;
    }
    return at;
  }

  /** `line:column` in the whole input of an offset of the current text. */
  private originalLineColumn(offset: number): string {
    const { line, column } = lineAndColumn(this.original, this.originalOffset(offset));
    return `${this.firstLine + line}:${column}`;
  }

  /** Drops the parsed tree (it is read again if asked for): large streams hold many documents. */
  release(): void {
    this.parsed = undefined;
  }
}
