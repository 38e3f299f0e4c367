// Rule `gatewayOptions`, per Gateway (--gateway-options gateway, the default): Istio (1.26+) builds each Gateway API gateway's Deployment from the
// kube-gateway template and then applies the ConfigMap named by the Gateway's
// spec.infrastructure.parametersRef as a strategic merge patch. A patch with `sysctls: []`
// replaces the atomic sysctls list, so the generated pod no longer asks for the sysctl.
//
// This rule works across documents: it points Gateways at a ConfigMap, merges into a ConfigMap
// that is already in the stream, or adds one per namespace right before its first Gateway.
import { isMap, isScalar, type Scalar, type YAMLMap } from 'yaml';
import { renderPlain } from '../../yaml/render-plain.js';
import type { Config } from '../../config/config.js';
import { EditableDocument } from '../../yaml/editable-document.js';
import {
  addToMap,
  appendToSeq,
  findPair,
  mapAt,
  mapIn,
  mergePatches,
  removeSeqItems,
  replaceValueInline,
  seqAt,
  stringAt,
  toPlain,
  UnsupportedYamlError,
  type Desired,
} from '../../yaml/node-edits.js';
import { lineAndColumn, type Patch } from '../../yaml/source-text.js';
import { documentError } from '../../parse/document-error.js';
import { keyColumnOf, replaceStringValue } from '../../yaml/string-value.js';
import { AGENTGATEWAY_CONTAINER, containerOfClass } from '../../kube/gateway-containers.js';
import { annotationsOf, objectsIn, type KubeObject, type ResourceId } from '../../kube/objects.js';
import { isNamedSysctl } from '../../kube/sysctl-names.js';
import type { AddedDocument, ApplyToStream, RuleContext } from '../rule.js';
import { PROXY_CONTAINER } from '../../kube/gateway-containers.js';
import { proxySecurityContext } from '../proxy-privileges/apply.js';
import { editUntilDone } from '../edit-loop.js';
import { objectPath } from '../../kube/objects.js';
import { classOf, isGateway, matchesGatewayClass } from '../../kube/gateways.js';
import { mightHoldConfigMap, mightHoldGatewayObject } from '../../kube/text-checks.js';

export interface ParsedDocument {
  /** position of the document's chunk in the stream */
  readonly chunk: number;
  readonly ed: EditableDocument;
}

/**
 * The strategic merge patch the options ConfigMap's `deployment` key must contain. The grant names
 * the container istiod renders for the Gateway's class (`istio-proxy`, or `agentgateway` for
 * istio-agentgateway): containers merge by name, so any other name would add a second container
 * without an image, and the API server would reject the Deployment.
 */
export function deploymentPatch(config: Config, container: string = PROXY_CONTAINER): Record<string, unknown> {
  const podSpec: Record<string, unknown> = { securityContext: { sysctls: [] } };
  const proxy = proxySecurityContext(config);
  if (proxy) podSpec.containers = [{ name: container, securityContext: toPlain(proxy) }];
  return { spec: { template: { spec: podSpec } } };
}

/**
 * The options ConfigMap the tool adds for a Gateway: one per namespace and gateway container, since
 * a patch naming istio-proxy must never reach an agentgateway Deployment (or the reverse).
 */
export function optionsConfigMapName(config: Config, container: string): string {
  const name = config.gatewayApi.optionsConfigMap;
  return container === PROXY_CONTAINER ? name : `${name}-${container}`;
}

interface ParametersRef {
  group: string | undefined;
  kind: string | undefined;
  name: string | undefined;
}

function parametersRefOf(gateway: KubeObject): ParametersRef | undefined {
  const ref = mapIn(gateway.map, ['spec', 'infrastructure', 'parametersRef']);
  if (!ref) return undefined;
  return { group: stringAt(ref, 'group'), kind: stringAt(ref, 'kind'), name: stringAt(ref, 'name') };
}

const keyOf = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

export interface ConfigMapPlace {
  readonly doc: ParsedDocument;
  readonly path: readonly (string | number)[];
}

function findConfigMaps(docs: readonly ParsedDocument[]): Map<string, ConfigMapPlace> {
  const found = new Map<string, ConfigMapPlace>();
  for (const doc of docs) {
    for (const object of objectsIn(doc.ed.doc)) {
      if (object.id.kind === 'ConfigMap' && object.id.apiVersion === 'v1') {
        const key = keyOf(object.id.namespace, object.id.name);
        if (!found.has(key)) found.set(key, { doc, path: object.path });
      }
    }
  }
  return found;
}

/**
 * The ConfigMap a Gateway's parametersRef meets. A document without metadata.namespace is applied
 * into the namespace of the apply (Helm's --namespace, kubectl's -n or context), which is the
 * namespace the Gateway's chart renders it for in every chart we know; so when only one side names
 * a namespace, the one ConfigMap of that name whose namespace does not contradict the Gateway's is
 * the user's, and it gets the patch: a second one of the same name (ours) would be the same object
 * in that namespace, and whichever comes last would win.
 */
function placeOf(
  configMaps: ReadonlyMap<string, ConfigMapPlace>,
  namespace: string | undefined,
  name: string,
): { key: string; place: ConfigMapPlace } | undefined {
  const exact = configMaps.get(keyOf(namespace, name));
  if (exact) return { key: keyOf(namespace, name), place: exact };
  const candidates = [...configMaps].filter(([key]) => {
    const slash = key.indexOf('/');
    const other = key.slice(0, slash);
    return key.slice(slash + 1) === name && (other === '' || namespace === undefined);
  });
  const [only] = candidates;
  return candidates.length === 1 && only ? { key: only[0], place: only[1] } : undefined;
}

function objectAt(ed: EditableDocument, path: readonly (string | number)[]): KubeObject | undefined {
  return objectsIn(ed.doc).find((object) => object.path.join() === path.join());
}

/** Names of ConfigMaps Gateways in these documents point at, plus the configured one. */
export function referencedConfigMapNames(gatewayDocs: readonly ParsedDocument[], config: Config): Set<string> {
  const names = new Set([config.gatewayApi.optionsConfigMap, optionsConfigMapName(config, AGENTGATEWAY_CONTAINER)]);
  for (const { ed } of gatewayDocs) {
    for (const object of objectsIn(ed.doc)) {
      const name = isGateway(object) ? parametersRefOf(object)?.name : undefined;
      if (name) names.add(name);
    }
  }
  return names;
}

/** Gateways first, then the ConfigMaps they name; CustomResourceDefinitions are never read. */
export const applyPerGateway: ApplyToStream = (ctx) => {
  const { view } = ctx;
  const gatewayDocs: ParsedDocument[] = [];
  view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || !mightHoldGatewayObject(chunk.text) || view.isCrd(index)) return;
    const ed = view.parse(index);
    if (ed) gatewayDocs.push({ chunk: index, ed });
  });
  const first = gatewayDocs[0];
  if (!first) return [];
  const names = referencedConfigMapNames(gatewayDocs, ctx.config);
  // a Set, not a search of gatewayDocs per chunk: a stream of many small Gateways is quadratic otherwise
  const gatewayChunks = new Set(gatewayDocs.map((doc) => doc.chunk));
  const configMapDocs: ParsedDocument[] = [];
  view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || gatewayChunks.has(index)) return;
    if (!mightHoldConfigMap(chunk.text, names) || view.isCrd(index)) return;
    const ed = view.parse(index);
    if (ed) configMapDocs.push({ chunk: index, ed });
  });
  let added: AddedDocument[] = [];
  ctx.within(first.chunk, () => {
    added = applyGatewayOptions(gatewayDocs, configMapDocs, ctx);
  });
  return added;
};

function applyGatewayOptions(
  gatewayDocs: readonly ParsedDocument[],
  configMapDocs: readonly ParsedDocument[],
  ctx: RuleContext,
): AddedDocument[] {
  const config = ctx.config;
  const configMaps = findConfigMaps([...configMapDocs, ...gatewayDocs]);
  /** ConfigMap key -> the container its patch names */
  const merged = new Map<string, string>();
  const added: AddedDocument[] = [];
  // The parametersRef edits of one document's Gateways are computed from one tree and applied
  // together: a List of many Gateways gets one new text, not one copy of the whole List per Gateway.
  const refEdits = new Map<EditableDocument, Patch[]>();
  const applyRefEdits = (ed: EditableDocument): void => {
    const patches = refEdits.get(ed);
    if (!patches) return;
    refEdits.delete(ed);
    ed.apply(patches);
  };

  for (const doc of gatewayDocs) {
    for (const gatewayPath of objectsIn(doc.ed.doc)
      .filter(isGateway)
      .map((object) => object.path)) {
      const gateway = objectAt(doc.ed, gatewayPath);
      if (!gateway || !ctx.isSelected(gateway.id) || !matchesGatewayClass(gateway, config)) continue;
      const namespace = gateway.id.namespace;
      const container = containerOfClass(classOf(gateway));
      const ownName = optionsConfigMapName(config, container);
      let ref = parametersRefOf(gateway);
      if (!ref) {
        const patches = refEdits.get(doc.ed) ?? [];
        refEdits.set(doc.ed, patches);
        patches.push(...setParametersRef(doc.ed, gateway, ctx, ownName));
        ref = { group: '', kind: 'ConfigMap', name: ownName };
      }
      const refName = ref.name ?? '';
      if ((ref.group ?? '') !== '' || ref.kind !== 'ConfigMap' || !refName) {
        warnUnresolved(
          ctx,
          gateway,
          doc.ed,
          `its parametersRef points to ${ref.group ? `${ref.group}/` : ''}${ref.kind ?? '?'} "${refName}", not to a core ConfigMap, so gateway-compat cannot add the sysctl patch; Istio accepts only group "" and kind ConfigMap`,
        );
        continue;
      }
      const found = placeOf(configMaps, namespace, refName);
      const key = found?.key ?? keyOf(namespace, refName);
      const place = found?.place;
      const sharedWith = merged.get(key);
      if (sharedWith !== undefined && sharedWith !== container && proxySecurityContext(config)) {
        warnUnresolved(
          ctx,
          gateway,
          doc.ed,
          `its parametersRef names ConfigMap "${refName}", which Gateways whose container is ${sharedWith} use too, while this Gateway's class ${classOf(gateway) ?? ''} runs ${container}: one deployment patch cannot grant both (it would add an image-less container to one of them). Give this Gateway its own options ConfigMap`,
        );
        continue;
      }
      if (place) {
        const configMap = objectAt(place.doc.ed, place.path);
        if (configMap && !ctx.isSelected(configMap.id)) {
          warnUnresolved(
            ctx,
            gateway,
            doc.ed,
            `its parametersRef names ConfigMap "${refName}", which --include/--exclude (spec.select) leave out of this run, so gateway-compat did not add the sysctl patch to it and the Gateway's pods still ask for the sysctl; select the ConfigMap too, or add to its data.deployment: ${JSON.stringify(deploymentPatch(config, container))}`,
          );
          continue;
        }
        if (sharedWith === undefined) {
          applyRefEdits(place.doc.ed);
          mergeIntoConfigMap(place, ctx, container);
        }
        merged.set(key, container);
        continue;
      }
      if (refName !== ownName) {
        warnUnresolved(
          ctx,
          gateway,
          doc.ed,
          `its parametersRef names ConfigMap "${refName}"${namespace ? ` in namespace ${namespace}` : ''}, which is not in this stream, so gateway-compat cannot add the sysctl patch to it; render it together with the Gateway, or add to its data.deployment: ${JSON.stringify(deploymentPatch(config, container))}`,
        );
        continue;
      }
      const eol = doc.ed.eol;
      added.push({
        before: doc.chunk,
        resource: gateway.id,
        annotations: annotationsOf(gateway),
        render: (annotations) => newOptionsConfigMap(refName, namespace, annotations, eol, gateway.id, config, container),
      });
      merged.set(key, container);
      configMaps.set(key, { doc, path: [] }); // later Gateways of this namespace share it
      ctx.change(
        {
          resource: { apiVersion: 'v1', kind: 'ConfigMap', ...(namespace ? { namespace } : {}), name: refName },
          rule: 'gatewayOptions',
          path: 'data.deployment',
          message: `added ConfigMap ${namespace ? `${namespace}/` : ''}${refName} with a deployment patch that clears the pod sysctls, for Gateway ${gateway.id.name}`,
        },
        doc.ed,
      );
    }
    applyRefEdits(doc.ed);
  }
  return added;
}

function warnUnresolved(ctx: RuleContext, gateway: KubeObject, ed: EditableDocument, why: string): void {
  ctx.warn({
    code: 'parameters-ref-unresolved',
    severity: 'warning',
    resource: gateway.id,
    path: `${objectPath(gateway)}spec.infrastructure.parametersRef`,
    document: ed.number,
    message: why,
  });
}

/** The patches that point a Gateway at ConfigMap `name`, for the caller to apply. */
function setParametersRef(ed: EditableDocument, gateway: KubeObject, ctx: RuleContext, name: string): Patch[] {
  const patches = mergePatches(ed, gateway.map, { spec: { infrastructure: { parametersRef: { group: '', kind: 'ConfigMap', name } } } });
  const path = `${objectPath(gateway)}spec.infrastructure.parametersRef`;
  ctx.change({ resource: gateway.id, rule: 'gatewayOptions', path, message: `set ${path} to ConfigMap ${name}` }, ed);
  return patches;
}

function newOptionsConfigMap(
  name: string,
  namespace: string | undefined,
  annotations: Readonly<Record<string, string>>,
  eol: string,
  gateway: ResourceId,
  config: Config,
  container: string,
): string {
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    data: { deployment: renderPlain(deploymentPatch(config, container), { version: '1.1', indentSeq: false }) },
  };
  const text = [
    '---',
    `# Added by gateway-compat: Istio applies data.deployment to the Deployment it generates for Gateway ${gateway.namespace ? `${gateway.namespace}/` : ''}${gateway.name}`,
    renderPlain(configMap, { version: '1.1', lineWidth: 0, indentSeq: false }),
  ].join('\n');
  return eol === '\n' ? text : text.replace(/\n/g, eol);
}

export function mergeIntoConfigMap(place: ConfigMapPlace, ctx: RuleContext, container: string): void {
  const ed = place.doc.ed;
  const configMap = objectAt(ed, place.path);
  if (!configMap || !ctx.isSelected(configMap.id)) return;
  const patchText = renderPlain(deploymentPatch(ctx.config, container), { version: '1.1', indentSeq: false });
  const data = mapAt(configMap.map, 'data');
  const deploymentPair = data && findPair(data, 'deployment');
  const value = deploymentPair?.value;
  let changed = false;
  if (!data) {
    const patches = mergePatches(ed, configMap.map, { data: { deployment: patchText } });
    ed.apply(patches);
    changed = patches.length > 0;
  } else if (!deploymentPair) {
    ed.apply(addToMap(ed, data, { deployment: patchText }));
    changed = true;
  } else if (value && isScalar(value) && typeof value.value === 'string' && value.value.trim() !== '') {
    const inner = new EditableDocument(value.value, ed.number, 0);
    if (inner.doc.errors.length > 0 || !isMap(inner.doc.contents)) {
      ctx.warn({
        code: 'parameters-ref-unresolved',
        severity: 'warning',
        resource: configMap.id,
        path: 'data.deployment',
        document: ed.number,
        message: `ConfigMap ${configMap.id.name}: data.deployment is not a YAML mapping, so the sysctl patch could not be merged into it; fix it or remove the key`,
      });
      return;
    }
    try {
      editUntilDone(() => mergeStep(inner, ctx.config, container));
    } catch (error) {
      if (!(error instanceof UnsupportedYamlError)) throw error;
      // The position is inside the string; the user needs the ConfigMap's document and line.
      const { line, column } = lineAndColumn(ed.source, (value.range ?? [0])[0]);
      throw documentError(
        ed.number,
        ed.source,
        ed.firstLine,
        { line: line - 1, column: column - 1 },
        `in ${objectPath(configMap)}data.deployment: ${error.message}`,
        'write the patch out without anchors, aliases or merge keys',
      );
    }
    if (inner.changed) {
      ed.apply([
        replaceStringValue(
          ed.source,
          value as Scalar,
          inner.source,
          keyColumnOf(ed.source, deploymentPair.key as Scalar),
          ed.eol,
          data.flow,
        ),
      ]);
      changed = true;
    }
  } else {
    ed.apply([
      replaceStringValue(ed.source, value as Scalar, patchText, keyColumnOf(ed.source, deploymentPair.key as Scalar), ed.eol, data.flow),
    ]);
    changed = true;
  }
  if (changed) {
    ctx.change(
      {
        resource: configMap.id,
        rule: 'gatewayOptions',
        path: `${objectPath(configMap)}data.deployment`,
        message: `merged the patch that clears the pod sysctls${proxySecurityContext(ctx.config) ? ` and grants ${container} its privileges` : ''} into ${objectPath(configMap)}data.deployment`,
      },
      ed,
    );
  }
}

/** One step of merging our patch into a user's deployment patch, keeping all that is there. */
function mergeStep(inner: EditableDocument, config: Config, container: string): boolean {
  const root = inner.doc.contents as YAMLMap;
  const podSpec = mapIn(root, ['spec', 'template', 'spec']);
  const sysctls = podSpec && mapAt(podSpec, 'securityContext') && seqAt(mapAt(podSpec, 'securityContext')!, 'sysctls');
  if (sysctls && sysctls.items.length > 0) {
    const names = config.sysctls.remove;
    const isRemoved = (item: unknown): boolean => isMap(item) && isNamedSysctl(stringAt(item, 'name'), names);
    if (sysctls.items.every(isRemoved)) {
      // An emptied block list would read as null; `[]` keeps replacing the pod's list.
      inner.apply(replaceValueInline(inner, findPair(mapAt(podSpec!, 'securityContext')!, 'sysctls')!, '[]'));
      return true;
    }
    const patches = removeSeqItems(inner, sysctls, isRemoved);
    inner.apply(patches);
    if (patches.length > 0) return true;
  }
  const wanted: Desired = { spec: { template: { spec: { securityContext: { sysctls: [] } } } } };
  let patches = mergePatches(inner, root, wanted);
  if (patches.length > 0) {
    inner.apply(patches);
    return true;
  }
  const proxy = proxySecurityContext(config);
  if (!proxy) return false;
  const spec = mapIn(root, ['spec', 'template', 'spec'])!;
  const containers = seqAt(spec, 'containers');
  const proxyContainer = containers?.items.find((item): item is YAMLMap => isMap(item) && stringAt(item, 'name') === container);
  const entry = { name: container, securityContext: toPlain(proxy) };
  if (proxyContainer) patches = mergePatches(inner, proxyContainer, { securityContext: proxy });
  else if (containers) patches = appendToSeq(inner, containers, [entry]);
  else patches = mergePatches(inner, spec, { containers: [entry] });
  inner.apply(patches);
  return patches.length > 0;
}
