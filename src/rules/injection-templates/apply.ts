// Rule `injectionTemplates`: Istio's injector puts the sysctl back into every gateway pod at
// admission (strategic merge of the template over the pod, and `sysctls` is an atomic list), so the
// templates themselves must lose it. They live in two places a post-renderer sees:
//   - ConfigMap istio-sidecar-injector[-<revision>]: data.config is a YAML string whose
//     templates.<name> are Go-template strings;
//   - the Sail operator's Istio resource: spec.values.sidecarInjectorWebhook.templates.<name>.
import { isMap, isScalar, type Scalar } from 'yaml';
import type { Config, TemplateName } from '../../config.js';
import type { EditableDocument } from '../../edit/editable-document.js';
import { parseYaml } from '../../edit/editable-document.js';
import { findPair, mapAt, mapIn, mergePatches, stringAt, UnsupportedYamlError } from '../../edit/node-edits.js';
import { applyPatches, type Patch } from '../../edit/source-text.js';
import { keyColumnOf, replaceStringValue } from '../../edit/string-value.js';
import { objectsIn, type KubeObject } from '../../kube/objects.js';
import { proxySecurityContext, describeGrant } from '../proxy-privileges/apply.js';
import type { ApplyToDocument, RuleContext } from '../rule.js';
import { grantProxyPrivilegesInTemplate, removeSysctlsFromTemplate } from '../template-text/index.js';

const INJECTOR_CONFIGMAP = /^istio-sidecar-injector(-[a-z0-9.-]+)?$/;
const TEMPLATES_PATH = ['spec', 'values', 'sidecarInjectorWebhook', 'templates'] as const;

export function isInjectorConfigMap(object: KubeObject): boolean {
  return object.id.kind === 'ConfigMap' && object.id.apiVersion === 'v1' && INJECTOR_CONFIGMAP.test(object.id.name);
}

export function isIstioResource(object: KubeObject): boolean {
  return object.id.kind === 'Istio' && /^sailoperator\.io\/v1(alpha1)?$/.test(object.id.apiVersion);
}

interface TemplateRewrite {
  text: string;
  messages: string[];
}

/** The whole edit of one template's text: sysctl out, then the proxy grant if asked for. */
export function rewriteTemplate(text: string, config: Config): TemplateRewrite {
  // --no-sysctls leaves workload sysctls alone; the templates are --no-injection-templates' to spare
  const withoutSysctl = removeSysctlsFromTemplate(text, config.sysctls.remove);
  const messages = withoutSysctl.edits.map((edit) => edit.message);
  let result = withoutSysctl.text;
  if (proxySecurityContext(config)) {
    const granted = grantProxyPrivilegesInTemplate(result, config);
    if (granted.text !== result) messages.push(`istio-proxy: ${describeGrant(config)}`);
    result = granted.text;
  }
  return { text: result, messages };
}

function recordTemplateEdits(
  ed: EditableDocument,
  ctx: RuleContext,
  object: KubeObject,
  path: string,
  messages: string[],
): void {
  for (const message of messages) {
    ctx.change({ resource: object.id, rule: 'injectionTemplates', path, message: `template ${path}: ${message}` }, ed);
  }
}

function injectorConfigMapPatches(ed: EditableDocument, object: KubeObject, ctx: RuleContext): Patch[] {
  const data = mapAt(object.map, 'data');
  const configPair = data && findPair(data, 'config');
  const configNode = configPair?.value;
  if (!configPair || !configNode || !isScalar(configNode) || typeof configNode.value !== 'string') return [];

  // data.config is itself YAML: edit it with the same line-preserving technique, one level down.
  const inner = configNode.value;
  const innerDoc = parseYaml(inner);
  if (innerDoc.errors.length > 0) {
    // Skipping it would leave the sysctl in every gateway template without a word.
    throw new UnsupportedYamlError(
      `data.config of ${object.id.name} is not valid YAML (${innerDoc.errors[0]?.message.split('\n')[0] ?? ''}), so its gateway injection templates cannot be fixed; Istio would reject it too. Fix data.config`,
      configNode.range?.[0] ?? 0,
    );
  }
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
    const rewrite = rewriteTemplate(node.value, ctx.config);
    if (rewrite.text === node.value) continue;
    patches.push(replaceStringValue(inner, node as Scalar, rewrite.text, keyColumnOf(inner, pair.key as Scalar), innerEol));
    edits.push({ name, messages: rewrite.messages });
  }
  if (patches.length === 0) return [];
  const newInner = applyPatches(inner, patches);
  for (const edit of edits) recordTemplateEdits(ed, ctx, object, `data.config.templates.${edit.name}`, edit.messages);
  return [replaceStringValue(ed.source, configNode, newInner, keyColumnOf(ed.source, configPair.key as Scalar), ed.eol)];
}

function istioResourcePatches(ed: EditableDocument, object: KubeObject, ctx: RuleContext): Patch[] {
  const templates = mapIn(object.map, TEMPLATES_PATH);
  const path = TEMPLATES_PATH.join('.');
  const patches: Patch[] = [];
  for (const name of ctx.config.injectionTemplate.templates) {
    const pair = templates && findPair(templates, name);
    const node = pair?.value;
    if (!pair || !node || !isScalar(node) || typeof node.value !== 'string') continue;
    const rewrite = rewriteTemplate(node.value, ctx.config);
    if (rewrite.text === node.value) continue;
    patches.push(replaceStringValue(ed.source, node as Scalar, rewrite.text, keyColumnOf(ed.source, pair.key as Scalar), ed.eol));
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
    ctx.warn({
      code: 'istio-cr-without-template',
      severity: 'warning',
      resource: object.id,
      path: `${TEMPLATES_PATH.join('.')}.gateway`,
      message:
        'this Istio resource has no gateway injection template, so Istio injects its built-in one, which sets net.ipv4.ip_unprivileged_port_start and adds it back to every gateway pod. Save the default gateway template of your Istio version (see the README) and pass it with --gateway-template FILE (config: spec.injectionTemplate.file)',
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
      if (isInjectorConfigMap(object)) return injectorConfigMapPatches(ed, object, ctx);
      if (isIstioResource(object)) {
        return [...istioResourcePatches(ed, object, ctx), ...addGatewayTemplatePatches(ed, object, ctx, ctx.gatewayTemplate)];
      }
      return [];
    }),
  );
};
