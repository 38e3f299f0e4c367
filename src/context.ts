// What the transform hands every rule and the warnings: the run's configuration, the selection,
// and the two ways to say something (a change made, a warning). Rules and warnings both depend on
// this, never on each other.
import type { Config } from './config/config.js';
import type { EditableDocument } from './yaml/editable-document.js';
import type { ResourceId } from './kube/objects.js';
import type { ChangeRecord, WarningRecord } from './report/records.js';

/** @internal (its types are the parser's, which the published types leave out) */
export interface RuleContext {
  readonly config: Config;
  /** text of the default gateway injection template (--gateway-template), if one was given */
  readonly gatewayTemplate?: string | undefined;
  /** whether the select include/exclude globs let a rule edit this resource */
  isSelected(id: ResourceId): boolean;
  change(record: Omit<ChangeRecord, 'document'>, ed: EditableDocument): void;
  warn(record: WarningRecord): void;
}
