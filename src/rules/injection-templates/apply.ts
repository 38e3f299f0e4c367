// Rule `injectionTemplates`: Istio's injector puts the sysctl back into every gateway pod at
// admission (strategic merge of the template over the pod, and `sysctls` is an atomic list), so the
// templates themselves must lose it. They live in two places a post-renderer sees:
//   - ConfigMap istio-sidecar-injector[-<revision>]: data.config is a YAML string whose
//     templates.<name> are Go-template strings;
//   - the Sail operator's Istio resource: spec.values.sidecarInjectorWebhook.templates.<name>.
// The values those templates render (gateways.securityContext) are the istioValues rule's.
import { isAlias, isMap, isScalar, isSeq, visit, type Document, type Scalar } from 'yaml';
import type { Config, TemplateName } from '../../config/config.js';
import type { EditableDocument } from '../../yaml/editable-document.js';
import { parseYaml } from '../../yaml/editable-document.js';
import { findPair, mapAt, mapIn, mergePatches, stringAt, UnsupportedYamlError } from '../../yaml/node-edits.js';
import { applyPatches, type Patch } from '../../yaml/source-text.js';
import { keyColumnOf, replaceStringValue, sourceOffsetOf } from '../../yaml/string-value.js';
import { containerOfTemplate } from '../../kube/gateway-containers.js';
import { GATEWAY_SECURITY_CONTEXT } from '../../kube/injector-values.js';
import { objectsIn, type KubeObject } from '../../kube/objects.js';
import { describeGrant, grantsCapability, proxySecurityContext } from '../proxy-privileges/apply.js';
import type { ApplyToDocument, RuleContext } from '../rule.js';
import { grantProxyPrivilegesInTemplate, removeSysctlsFromTemplate, templateHasSysctl } from '../../gotemplate/index.js';
import { renderedBranchText } from '../../gotemplate/values-guard.js';
import { grantStructured, removeSysctlsStructured } from '../../gotemplate/structured.js';
import { isInjectorConfigMap, isIstioOperator, isIstioResource } from '../../kube/injection-templates.js';
import { AREA_TEMPLATES, markCompiled } from '../../code-cache-areas.js';

const TEMPLATES_PATH = ['spec', 'values', 'sidecarInjectorWebhook', 'templates'] as const;

/**
 * The IstioOperator sets a non-empty gateways.securityContext: the templates' switch renders it
 * (without the sysctl, once the istioValues rule has run) in place of their own sysctl.
 */
function operatorSetsSecurityContext(object: KubeObject): boolean {
  const securityContext = mapIn(object.map, GATEWAY_SECURITY_CONTEXT);
  return securityContext !== undefined && securityContext.items.length > 0;
}

interface TemplateRewrite {
  text: string;
  messages: string[];
}

/**
 * The whole edit of one template's text: sysctl out, then the grant if asked for, to the container
 * that template runs the gateway in (agentgateway's is `agentgateway`).
 * `securityContextFromValues`: the values the template renders with set a non-empty
 * `gateways.securityContext` that holds no removed sysctl, so the `else` branch that writes the
 * sysctl never renders; a template whose sysctl lives only there keeps it.
 */
export function rewriteTemplate(
  text: string,
  config: Config,
  name: TemplateName = 'gateway',
  securityContextFromValues = false,
): TemplateRewrite {
  markCompiled(AREA_TEMPLATES);
  // --no-sysctls leaves workload sysctls alone; the templates are --no-injection-templates' to spare
  const all = config.sysctls.remove;
  const live = securityContextFromValues ? renderedBranchText(text, 'gateways.securityContext', true) : undefined;
  const names = live !== undefined && !templateHasSysctl(live, all) ? [] : all;
  let withoutSysctl = removeSysctlsFromTemplate(text, names);
  // Flow or JSON style: no block lines to read, but the text is YAML (structured.ts).
  if (withoutSysctl.edits.length === 0) withoutSysctl = removeSysctlsStructured(text, names);
  const messages = withoutSysctl.edits.map((edit) => edit.message);
  let result = withoutSysctl.text;
  const wanted = proxySecurityContext(config);
  if (wanted) {
    const container = containerOfTemplate(name);
    let granted = grantProxyPrivilegesInTemplate(
      result,
      { netBindService: grantsCapability(config), runAsRoot: config.runAsRoot },
      container,
    );
    if (granted.text === result) granted = grantStructured(result, container, wanted);
    if (granted.text !== result) messages.push(`${container}: ${describeGrant(config)}`);
    result = granted.text;
  }
  return { text: result, messages };
}

function recordTemplateEdits(ed: EditableDocument, ctx: RuleContext, object: KubeObject, path: string, messages: string[]): void {
  for (const message of messages) {
    ctx.change({ resource: object.id, rule: 'injectionTemplates', path, message: `template ${path}: ${message}` }, ed);
  }
}

/**
 * Whether the injector's `data.values` (the JSON the templates see as `.Values`) sets a non-empty
 * `gateways.securityContext` without any of the removed sysctls (Helm value of the same name).
 */
export function valuesSetGatewaySecurityContext(valuesText: string | undefined, removed: readonly string[]): boolean {
  if (valuesText === undefined) return false;
  let values: unknown;
  try {
    values = JSON.parse(valuesText);
  } catch {
    return false;
  }
  const securityContext = (values as { gateways?: { securityContext?: unknown } } | null)?.gateways?.securityContext;
  if (securityContext === null || typeof securityContext !== 'object' || Object.keys(securityContext).length === 0) return false;
  const text = JSON.stringify(securityContext);
  return !removed.some((name) => text.includes(name) || text.includes(name.replace(/\./g, '/')));
}

/**
 * An alias with no anchor before it, or one that expands too often (an alias bomb): yaml finds
 * either only when the document is converted, as Istio's reader would.
 */
function aliasProblemIn(doc: Document.Parsed): { what: string; offset: number } | undefined {
  const anchors = new Set<string>();
  let problem: { what: string; offset: number } | undefined;
  let first: number | undefined;
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      first ??= node.range?.[0] ?? 0;
      if (!anchors.has(node.source)) {
        problem = { what: `an alias refers to no anchor defined before it: *${node.source}`, offset: node.range?.[0] ?? 0 };
        return visit.BREAK;
      }
    } else if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) {
      anchors.add(node.anchor);
    }
    return undefined;
  });
  if (problem || first === undefined) return problem;
  try {
    doc.toJS({ maxAliasCount: 100 });
  } catch {
    return { what: 'it expands YAML aliases too often (an alias bomb)', offset: first };
  }
  return undefined;
}

function injectorTemplatePatches(ed: EditableDocument, object: KubeObject, ctx: RuleContext): Patch[] {
  const data = mapAt(object.map, 'data');
  const fromValues = valuesSetGatewaySecurityContext(data ? stringAt(data, 'values') : undefined, ctx.config.sysctls.remove);
  const configPair = data && findPair(data, 'config');
  const configNode = configPair?.value;
  if (!configPair || !configNode || !isScalar(configNode) || typeof configNode.value !== 'string') return [];

  // data.config is itself YAML: edit it with the same line-preserving technique, one level down.
  const inner = configNode.value;
  const innerDoc = parseYaml(inner);
  // Skipping it would leave the sysctl in every gateway template without a word; the position is
  // the problem's own line in the stream, not the `config: |` line.
  const notReadable = (what: string, innerOffset: number): UnsupportedYamlError =>
    new UnsupportedYamlError(
      `data.config of ${object.id.name} is not valid YAML (${what}), so its gateway injection templates cannot be fixed; Istio would reject it too. Fix data.config`,
      sourceOffsetOf(ed.source, configNode, innerOffset),
    );
  const firstError = innerDoc.errors[0];
  if (firstError) throw notReadable(firstError.message.split('\n')[0] ?? '', firstError.pos[0]);
  const aliasProblem = inner.includes('*') ? aliasProblemIn(innerDoc) : undefined;
  if (aliasProblem) throw notReadable(aliasProblem.what, aliasProblem.offset);
  if (!isMap(innerDoc.contents)) return [];
  const templates = mapAt(innerDoc.contents, 'templates');
  if (!templates) return [];
  const innerEol = inner.includes('\r\n') ? '\r\n' : '\n';
  const patches = [];
  const edits: { name: TemplateName; messages: string[] }[] = [];
  for (const name of ctx.config.injectionTemplate.templates) {
    const pair = findPair(templates, name);
    const node = pair?.value;
    if (!pair || !node || !isScalar(node) || typeof node.value !== 'string') continue;
    const rewrite = rewriteTemplate(node.value, ctx.config, name, fromValues);
    if (rewrite.text === node.value) continue;
    patches.push(replaceStringValue(inner, node as Scalar, rewrite.text, keyColumnOf(inner, pair.key as Scalar), innerEol, templates.flow));
    edits.push({ name, messages: rewrite.messages });
  }
  if (patches.length === 0) return [];
  const newInner = applyPatches(inner, patches);
  for (const edit of edits) recordTemplateEdits(ed, ctx, object, `data.config.templates.${edit.name}`, edit.messages);
  return [replaceStringValue(ed.source, configNode, newInner, keyColumnOf(ed.source, configPair.key as Scalar), ed.eol, data.flow)];
}

function istioResourcePatches(ed: EditableDocument, object: KubeObject, ctx: RuleContext): Patch[] {
  const templates = mapIn(object.map, TEMPLATES_PATH);
  const path = TEMPLATES_PATH.join('.');
  const patches: Patch[] = [];
  for (const name of ctx.config.injectionTemplate.templates) {
    const pair = templates && findPair(templates, name);
    const node = pair?.value;
    if (!pair || !node || !isScalar(node) || typeof node.value !== 'string') continue;
    const rewrite = rewriteTemplate(node.value, ctx.config, name);
    if (rewrite.text === node.value) continue;
    patches.push(
      replaceStringValue(ed.source, node as Scalar, rewrite.text, keyColumnOf(ed.source, pair.key as Scalar), ed.eol, templates!.flow),
    );
    recordTemplateEdits(ed, ctx, object, `${path}.${name}`, rewrite.messages);
  }
  return patches;
}

/**
 * An Istio resource without a `gateway` template uses Istio's built-in one, which sets the sysctl.
 * The user's copy of that default (--gateway-template) is rewritten and set on the resource, as
 * the manual procedure does with jq and kubectl patch.
 */
function addGatewayTemplatePatches(ed: EditableDocument, object: KubeObject, ctx: RuleContext, baseTemplate: string | undefined): Patch[] {
  const templates = mapIn(object.map, TEMPLATES_PATH);
  if (templates && stringAt(templates, 'gateway') !== undefined) return [];
  if (!ctx.config.injectionTemplate.templates.includes('gateway')) return [];
  if (baseTemplate === undefined) {
    const operator = isIstioOperator(object);
    // The value route: with gateways.securityContext set, the built-in templates render it instead
    // of their sysctl (on the releases that have that switch).
    if (operator && operatorSetsSecurityContext(object)) return [];
    ctx.warn({
      code: 'istio-cr-without-template',
      severity: 'warning',
      resource: object.id,
      path: `${TEMPLATES_PATH.join('.')}.gateway`,
      message: operator
        ? "this IstioOperator has no gateway injection template, so istioctl installs Istio's built-in one, which sets net.ipv4.ip_unprivileged_port_start and adds it back to every gateway pod. Either set spec.values.gateways.securityContext (Istio 1.20.8, 1.21.4+, 1.22.2+, 1.23+; gateway-compat values --chart istiod --format istiooperator prints it from a render), or save the default gateway template of your Istio version and pass it with --gateway-template FILE (config: spec.injectionTemplate.file)"
        : 'this Istio resource has no gateway injection template, so Istio injects its built-in one, which sets net.ipv4.ip_unprivileged_port_start and adds it back to every gateway pod. Save the default gateway template of your Istio version (see the README) and pass it with --gateway-template FILE (config: spec.injectionTemplate.file)',
    });
    return [];
  }
  const rewrite = rewriteTemplate(baseTemplate, ctx.config);
  const patches = mergePatches(ed, object.map, {
    spec: { values: { sidecarInjectorWebhook: { templates: { gateway: rewrite.text } } } },
  });
  if (patches.length === 0) return [];
  const path = `${TEMPLATES_PATH.join('.')}.gateway`;
  ctx.change(
    {
      resource: object.id,
      rule: 'injectionTemplates',
      path,
      message: `set ${path} from --gateway-template${rewrite.messages.length ? ` (${rewrite.messages.join('; ')})` : ''}`,
    },
    ed,
  );
  return patches;
}

export const apply: ApplyToDocument = (ed, ctx) => {
  // Each template is its own string node, so all patches go in at once.
  ed.apply(
    objectsIn(ed.doc).flatMap((object) => {
      if (!ctx.isSelected(object.id)) return [];
      if (isInjectorConfigMap(object)) return injectorTemplatePatches(ed, object, ctx);
      if (isIstioResource(object) || isIstioOperator(object)) {
        return [...istioResourcePatches(ed, object, ctx), ...addGatewayTemplatePatches(ed, object, ctx, ctx.gatewayTemplate)];
      }
      return [];
    }),
  );
};
