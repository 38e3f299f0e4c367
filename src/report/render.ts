// What gateway-compat tells the operator on stderr: every change, every warning, and a total.
//   text  one line per change, then one line per warning or note, then a one-line total
//   json  one JSON object (schemas/report.schema.json) and nothing else
//   none  nothing
// --diff puts a unified diff of each changed document (src/report/diff.ts) before the text report.
import { renderDiff } from './diff.js';
import { describeResource, type ResourceId } from '../kube/objects.js';
import type { ReportFormat } from '../config/flags.js';
import type { ChangeRecord, WarningRecord } from './records.js';
import type { TransformResult } from '../transform.js';

export interface ReportOptions {
  format: ReportFormat;
  diff: boolean;
}

type Reported = Pick<TransformResult, 'changes' | 'warnings' | 'documents'> &
  Partial<Pick<TransformResult, 'changedDocuments' | 'documentEdits' | 'ignoredWarnings'>>;

const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

function counts(result: Reported) {
  return {
    changes: result.changes.length,
    warnings: result.warnings.filter((w) => w.severity === 'warning').length,
    notes: result.warnings.filter((w) => w.severity === 'info').length,
    documents: result.documents.in,
    changedDocuments: new Set(result.changedDocuments ?? result.changes.map((c) => c.document)).size,
    addedDocuments: result.documents.out - result.documents.in,
  };
}

export function totalLine(result: Reported): string {
  const n = counts(result);
  const added = n.addedDocuments > 0 ? `, ${plural(n.addedDocuments, 'document')} added` : '';
  const notes = n.notes > 0 ? `, ${plural(n.notes, 'note')}` : '';
  const ignored = (result.ignoredWarnings ?? []).map((entry) => `${entry.code} x${entry.count}`);
  const ignoredText = ignored.length > 0 ? ` (ignored by --ignore-warning: ${ignored.join(', ')})` : '';
  return `gateway-compat: ${plural(n.changes, 'change')} in ${n.changedDocuments} of ${plural(n.documents, 'document')}${added}; ${plural(n.warnings, 'warning')}${notes}${ignoredText}`;
}

export function changeLine(change: ChangeRecord): string {
  return `${describeResource(change.resource)}: ${change.message}`;
}

export function warningLine(warning: WarningRecord): string {
  const label = warning.severity === 'info' ? 'note' : 'warning';
  const subject = warning.resource ? `${describeResource(warning.resource)}: ` : '';
  return `${label} [${warning.code}] ${subject}${warning.message}`;
}

// Names and values come from the input: a name holding ESC, CR or a line break would rewrite the
// operator's terminal or forge report lines. Every control character is shown as an escape.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function escapeControls(text: string): string {
  return text.replace(CONTROL, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function textReport(result: Reported): string {
  const lines = [...result.changes.map(changeLine), ...result.warnings.map(warningLine), totalLine(result)].map(escapeControls);
  return `${lines.join('\n')}\n`;
}

// --- json ---------------------------------------------------------------------------------------

export interface JsonResource {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface JsonReport {
  changes: { resource: JsonResource; rule: string; path: string; message: string; document: number }[];
  warnings: { resource?: JsonResource; code: string; severity: 'warning' | 'info'; message: string; path?: string; document?: number }[];
  /** present when --ignore-warning was given: each code and how many warnings of it were left out */
  ignoredWarnings?: { code: string; count: number }[];
  summary: {
    documents: number;
    changedDocuments: number;
    addedDocuments: number;
    changes: number;
    warnings: number;
    notes: number;
  };
}

function jsonResource(id: ResourceId): JsonResource {
  return { apiVersion: id.apiVersion, kind: id.kind, ...(id.namespace ? { namespace: id.namespace } : {}), name: id.name };
}

/** The report as data, keys in a fixed order (schemas/report.schema.json). */
export function jsonReport(result: Reported): JsonReport {
  const n = counts(result);
  return {
    changes: result.changes.map((c) => ({
      resource: jsonResource(c.resource),
      rule: c.rule,
      path: c.path,
      message: c.message,
      document: c.document,
    })),
    warnings: result.warnings.map((w) => ({
      ...(w.resource ? { resource: jsonResource(w.resource) } : {}),
      code: w.code,
      severity: w.severity,
      message: w.message,
      ...(w.path ? { path: w.path } : {}),
      ...(w.document ? { document: w.document } : {}),
    })),
    ...(result.ignoredWarnings && result.ignoredWarnings.length > 0
      ? { ignoredWarnings: result.ignoredWarnings.map(({ code, count }) => ({ code, count })) }
      : {}),
    summary: {
      documents: n.documents,
      changedDocuments: n.changedDocuments,
      addedDocuments: n.addedDocuments,
      changes: n.changes,
      warnings: n.warnings,
      notes: n.notes,
    },
  };
}

/**
 * A failed run under --report json: stderr still holds one report object (a reader parses it
 * whatever happened), empty, with the error the text mode prints, its exit code and, when the
 * message names it, the document and line:column.
 */
export function renderErrorReport(message: string, exitCode: number): string {
  const text = message.replace(/\s+$/, '');
  const where = /^error: document (\d+) at line (\d+):(\d+):/.exec(text);
  const error = {
    message: text,
    exitCode,
    ...(where ? { document: Number(where[1]), line: Number(where[2]), column: Number(where[3]) } : {}),
  };
  const report: JsonReport & { error: typeof error } = {
    changes: [],
    warnings: [],
    summary: { documents: 0, changedDocuments: 0, addedDocuments: 0, changes: 0, warnings: 0, notes: 0 },
    error,
  };
  return `${JSON.stringify(report)}\n`;
}

/** Everything the stream host writes on stderr after a successful run. */
export function renderReport(result: Reported, options: ReportOptions): string {
  if (options.format === 'json') return `${JSON.stringify(jsonReport(result))}\n`;
  const diff = options.diff ? renderDiff(result.documentEdits ?? []) : '';
  return diff + (options.format === 'text' ? textReport(result) : '');
}
