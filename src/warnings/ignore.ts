// `--ignore-warning CODE` (spec.warnings.ignore): the operator acknowledges a warning code, e.g.
// template-adds-sysctl-back on a gateway release whose istiod release is post-rendered too. Those
// warnings leave the report's warnings (and so --strict), and the report says which codes were
// ignored and how often, so that nothing disappears without a trace.
import type { WarningCode, WarningRecord } from '../report/records.js';

export interface IgnoredWarnings {
  code: WarningCode;
  count: number;
}

/** Takes the ignored codes out of `warnings` (in place) and counts them, in the order configured. */
export function takeIgnored(warnings: WarningRecord[], ignore: readonly WarningCode[]): IgnoredWarnings[] {
  if (ignore.length === 0) return [];
  const counts = new Map<WarningCode, number>(ignore.map((code) => [code, 0]));
  const kept = warnings.filter((warning) => {
    const count = counts.get(warning.code);
    if (count === undefined) return true;
    counts.set(warning.code, count + 1);
    return false;
  });
  warnings.splice(0, warnings.length, ...kept);
  return [...counts].map(([code, count]) => ({ code, count }));
}
