// Each rule's edit, by rule id. Only the transform imports this module: the descriptors of
// src/rules/index.ts (flags, schemas, text pre-checks) load without any edit's code, so the CLI's
// start-up, --help and an empty stream never run it.
import { apply as gatewayOptions } from './gateway-options/apply.js';
import { apply as injectionTemplates } from './injection-templates/apply.js';
import { apply as proxyPrivileges } from './proxy-privileges/apply.js';
import { apply as sysctls } from './sysctls/apply.js';
import { apply as unprivilegedPorts } from './unprivileged-ports/apply.js';
import type { RULES, RuleId } from './index.js';
import type { ApplyToDocument, ApplyToStream } from './rule.js';

type EditOf<Id extends RuleId> = Extract<(typeof RULES)[number], { id: Id }> extends { scope: 'stream' } ? ApplyToStream : ApplyToDocument;

export const EDITS: { readonly [Id in RuleId]: EditOf<Id> } = {
  sysctls,
  injectionTemplates,
  proxyPrivileges,
  gatewayOptions,
  unprivilegedPorts,
};
