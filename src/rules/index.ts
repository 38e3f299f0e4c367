// The ordered list of ALL rules. Everything that names rules derives from it: the command-line
// flags and their --help lines (src/config/flags.ts), the kpt key=value keys and their schema, the spec
// schema's rule properties, the validators (scripts/build-schemas.mjs) and the report's rule enum.
// Document-wide rules run in this order on each document; stream-wide ones in this order on the
// stream (those the warnings must see first, before them: see StreamRule.beforeWarnings).
import { gatewayOptions } from './gateway-options/rule.js';
import { injectionTemplates } from './injection-templates/rule.js';
import { istioValues } from './istio-values/rule.js';
import { proxyPrivileges } from './proxy-privileges/rule.js';
import { sysctls } from './sysctls/rule.js';
import { unprivilegedPorts } from './unprivileged-ports/rule.js';

// istioValues after injectionTemplates: the templates are judged by the values as they came in.
export const RULES = [sysctls, injectionTemplates, istioValues, proxyPrivileges, gatewayOptions, unprivilegedPorts] as const;

export type RuleId = (typeof RULES)[number]['id'];
