// Rule `istioValues`: Istio's values hold the sysctl in a place the injection templates render
// (the istiod value gateways.securityContext: `{{ if .Values.gateways.securityContext }}` writes
// it in place of the template's own sysctl), so they lose it too. Three places a post-renderer sees:
//   - ConfigMap istio-sidecar-injector[-<revision>]: data.values, the chart values as JSON text;
//   - an IstioOperator's spec.values.gateways.securityContext;
//   - a Sail Istio resource's spec.values.gateways.securityContext (pruned by its CRD).
// It runs after injectionTemplates, which reads the values as they came in (see
// valuesSetGatewaySecurityContext there).
import { isMap, isScalar, type Scalar } from 'yaml';
import type { EditableDocument } from '../../yaml/editable-document.js';
import { findPair, mapAt, mapIn, removeSeqItems, replaceValueInline, seqAt, stringAt } from '../../yaml/node-edits.js';
import type { Patch } from '../../yaml/source-text.js';
import { keyColumnOf, replaceStringValue } from '../../yaml/string-value.js';
import { GATEWAY_SECURITY_CONTEXT, removeSysctlsFromValues } from '../../kube/injector-values.js';
import { objectsIn, type KubeObject } from '../../kube/objects.js';
import { isNamedSysctl } from '../../kube/sysctl-names.js';
import { isInjectorConfigMap, isIstioOperator, isIstioResource } from '../../kube/injection-templates.js';
import type { ApplyToDocument, RuleContext } from '../rule.js';

/**
 * data.values is what the templates read as `.Values`: a sysctl in `gateways.securityContext`
 * (the value Istio's own chart comment points to) is rendered by every gateway template in place
 * of the one removed from their text, so it goes too.
 */
function injectorValuesPatches(ed: EditableDocument, object: KubeObject, ctx: RuleContext): Patch[] {
  const data = mapAt(object.map, 'data');
  const valuesPair = data && findPair(data, 'values');
  const valuesNode = valuesPair?.value;
  if (!valuesPair || !valuesNode || !isScalar(valuesNode) || typeof valuesNode.value !== 'string') return [];
  const edit = removeSysctlsFromValues(valuesNode.value, ctx.config.sysctls.remove);
  if (!edit) return [];
  const path = 'data.values.gateways.securityContext.sysctls';
  for (const name of edit.removed) {
    ctx.change(
      {
        resource: object.id,
        rule: 'istioValues',
        path,
        message: `removed sysctl ${name} from ${path} (the istiod value gateways.securityContext, which every gateway template renders)`,
      },
      ed,
    );
  }
  return [
    replaceStringValue(ed.source, valuesNode as Scalar, edit.text, keyColumnOf(ed.source, valuesPair.key as Scalar), ed.eol, data!.flow),
  ];
}

/**
 * An IstioOperator's spec.values.gateways.securityContext (the istiod chart value that every
 * gateway template renders in place of its own sysctl, 1.20.8/1.21.4+/1.22.2+/1.23+) loses the
 * removed sysctls; a list left empty stays as `sysctls: []`, which still replaces the pod's list.
 * Sail's Istio has no such key (its API server prunes it).
 */
function operatorValuesPatches(ed: EditableDocument, object: KubeObject, ctx: RuleContext): Patch[] {
  const securityContext = mapIn(object.map, GATEWAY_SECURITY_CONTEXT);
  const sysctls = securityContext && seqAt(securityContext, 'sysctls');
  if (!securityContext || !sysctls) return [];
  const names = ctx.config.sysctls.remove;
  const isRemoved = (item: unknown): boolean => isMap(item) && names.includes(stringAt(item, 'name') ?? '');
  const removed = sysctls.items.filter(isRemoved).map((item) => stringAt(item as never, 'name'));
  if (removed.length === 0) return [];
  const pair = findPair(securityContext, 'sysctls');
  const patches = sysctls.items.every(isRemoved) && pair ? replaceValueInline(ed, pair, '[]') : removeSeqItems(ed, sysctls, isRemoved);
  const path = `${GATEWAY_SECURITY_CONTEXT.join('.')}.sysctls`;
  for (const name of removed) {
    ctx.change(
      {
        resource: object.id,
        rule: 'istioValues',
        path,
        message: `removed sysctl ${name} from ${path}, which every gateway template renders`,
      },
      ed,
    );
  }
  return patches;
}

/**
 * A sysctl in the Istio resource's spec.values.gateways.securityContext: Sail's CRD declares no
 * `gateways` key, so the API server prunes it and it never reaches istiod; it goes anyway, so that
 * the stream holds the sysctl nowhere and nobody copies it to a place where it counts.
 */
function istioValuesPatches(ed: EditableDocument, object: KubeObject, ctx: RuleContext): Patch[] {
  const securityContext = mapIn(object.map, ['spec', 'values', 'gateways', 'securityContext']);
  const pair = securityContext && findPair(securityContext, 'sysctls');
  const sysctls = securityContext && seqAt(securityContext, 'sysctls');
  if (!pair || !sysctls) return [];
  const names = ctx.config.sysctls.remove;
  const named = (item: unknown): boolean => isMap(item) && isNamedSysctl(stringAt(item, 'name'), names);
  const doomed = sysctls.items.filter(named);
  if (doomed.length === 0) return [];
  const path = 'spec.values.gateways.securityContext.sysctls';
  for (const item of doomed) {
    ctx.change(
      {
        resource: object.id,
        rule: 'istioValues',
        path,
        message: `removed sysctl ${stringAt(item as never, 'name')} from ${path} (Sail's Istio CRD prunes spec.values.gateways, so istiod never saw it; the gateway template is what counts)`,
      },
      ed,
    );
  }
  return doomed.length === sysctls.items.length ? replaceValueInline(ed, pair, '[]') : removeSeqItems(ed, sysctls, named);
}

export const apply: ApplyToDocument = (ed, ctx) => {
  ed.apply(
    objectsIn(ed.doc).flatMap((object) => {
      if (!ctx.isSelected(object.id)) return [];
      if (isInjectorConfigMap(object)) return injectorValuesPatches(ed, object, ctx);
      if (isIstioResource(object)) return istioValuesPatches(ed, object, ctx);
      if (isIstioOperator(object)) return operatorValuesPatches(ed, object, ctx);
      return [];
    }),
  );
};
