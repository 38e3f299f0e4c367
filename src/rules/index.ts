// The document rules, in the order they run. The Gateway API rule works across documents and is
// run by the transform after these (see gateway-options.ts).
import { createInjectionTemplatesRule } from './injection-templates.js';
import { proxyPrivilegesRule } from './proxy-privileges.js';
import type { DocumentRule } from './rule.js';
import { sysctlsRule } from './sysctls.js';

export function documentRules(gatewayTemplate: string | undefined): DocumentRule[] {
  return [sysctlsRule, createInjectionTemplatesRule(gatewayTemplate), proxyPrivilegesRule];
}
