// Change records and warnings as a person reads them on stderr.
import { describeResource } from './kube/objects.js';
import type { TransformResult } from './transform.js';

export function textReport(result: Pick<TransformResult, 'changes' | 'warnings' | 'documents'>): string {
  const lines: string[] = [];
  for (const change of result.changes) lines.push(`${describeResource(change.resource)}: ${change.message}`);
  for (const warning of result.warnings) {
    const subject = warning.resource ? `${describeResource(warning.resource)}: ` : '';
    lines.push(`${warning.severity} [${warning.code}] ${subject}${warning.message}`);
  }
  const warningCount = result.warnings.filter((w) => w.severity === 'warning').length;
  lines.push(
    `gateway-compat: ${result.changes.length} change(s) in ${result.documents.in} document(s), ${result.documents.out - result.documents.in} added, ${warningCount} warning(s)`,
  );
  return `${lines.join('\n')}\n`;
}
