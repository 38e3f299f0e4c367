// Library entry: the pure transform and what configures it.
export {
  transform,
  type AddedFor,
  type DocumentOrigin,
  type OutputDocument,
  type TransformOptions,
  type TransformResult,
} from './transform.js';
export { defaultConfig, mergeConfig, validateConfigObject, validateSpec, type Config, type ConfigSpec } from './config/config.js';
export { parseConfigText } from './config/file.js';
export type { ChangeRecord, WarningRecord, WarningCode, RuleId, ResourceId } from './report/records.js';
export { DocumentError, UserError, UsageError } from './errors.js';
