// What the tool did and what it could not do, as data: hosts render these records their own way
// (stderr lines, JSON, KRM results).
import type { RuleId } from '../rules/index.js';

/** Which object a record is about. */
export interface ResourceId {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export type { RuleId };

export interface ChangeRecord {
  resource: ResourceId;
  rule: RuleId;
  /** dotted field path inside the resource, e.g. spec.template.spec.securityContext.sysctls */
  path: string;
  message: string;
  /** 1-based document number in the input stream */
  document: number;
}

/** Every warning code (docs/reporting.md): --ignore-warning and spec.warnings.ignore take these. */
export const WARNING_CODES = [
  'privileged-port',
  'grant-overridden',
  'capability-without-root',
  'template-adds-sysctl-back',
  'sysctl-not-removed',
  'istio-cr-without-template',
  'parameters-ref-unresolved',
  'istio-too-old-for-parametersref',
  'gateway-without-proxy-container',
  'port-offset-conflict',
  'class-defaults-elsewhere',
  'gateway-release-needs',
  'nothing-matched',
] as const;

export type WarningCode = (typeof WARNING_CODES)[number];

export interface WarningRecord {
  code: WarningCode;
  severity: 'warning' | 'info';
  message: string;
  resource?: ResourceId;
  path?: string;
  document?: number;
}

/** One document's text before and after the run (what --diff and --check show); an added one has no before. */
export interface DocumentEdit {
  number: number;
  added: boolean;
  before: string;
  after: string;
}
