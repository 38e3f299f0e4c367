// The shape every rule has. A rule first says, from the raw text alone, whether a document could
// concern it (so that other documents are never parsed), then edits the parsed document.
import type { Config } from '../config.js';
import type { EditableDocument } from '../edit/editable-document.js';
import type { ResourceId } from '../kube/objects.js';
import type { ChangeRecord, RuleId, WarningRecord } from '../records.js';

export interface RuleContext {
  readonly config: Config;
  /** whether the select include/exclude globs let a rule edit this resource */
  isSelected(id: ResourceId): boolean;
  change(record: Omit<ChangeRecord, 'document'>, ed: EditableDocument): void;
  warn(record: WarningRecord): void;
}

export interface DocumentRule {
  readonly id: RuleId;
  isEnabled(config: Config): boolean;
  /** cheap text pre-check: false means the rule can have nothing to do with this document */
  mightApply(text: string, config: Config): boolean;
  apply(ed: EditableDocument, ctx: RuleContext): void;
}
