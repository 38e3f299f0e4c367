// Text edits on Istio's gateway injection templates (`gateway`, `kube-gateway`, `agentgateway`).
//
// These templates are Go-template source whose *output* is YAML, so they are not YAML themselves:
// `{{- if }}` lines sit at any indentation, values are Go actions, and whole blocks come from
// `toYaml` of user values. So we read them line by line: YAML structure comes from the indentation
// of content lines, Go control lines (`if` / `else` / `end`) are read as branches, and every edit
// replaces, inserts or deletes whole lines. Lines we do not need to change keep their exact bytes,
// line endings included, which keeps the ConfigMap or Istio CR that embeds the template diffable.
//
// The stages, in the order a template goes through them: lines.ts (split and join), go-actions.ts
// and classify-lines.ts (what each line is), flow.ts (one-line `[...]` / `{...}`), levels.ts (the
// nested structure with its Go branches), then the two edits: remove-sysctls.ts, and
// grant-privileges.ts with its steps (steps.ts, fill-branches.ts, detect-style.ts,
// grant-security-context.ts).
export { grantProxyPrivilegesInTemplate } from './grant-privileges.js';
export { removeSysctlsFromTemplate, templateHasSysctl } from './remove-sysctls.js';
export type { ProxyPrivileges, TemplateEdit, TemplateEditResult } from './types.js';
