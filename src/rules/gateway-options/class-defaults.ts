// `--gateway-options class` (Istio 1.26+): one options patch for a whole Gateway API class instead
// of a ConfigMap per namespace and a parametersRef on every Gateway (which misses Gateways created
// later). Istio applies the ConfigMap labelled `gateway.istio.io/defaults-for-class: <class>` in
// its own namespace to every Gateway of that class, before the Gateway's own parametersRef. The
// istiod chart renders it from the `gatewayClasses` value as `istio-<rev>-gatewayclass-<class>`; this
// writes it into the istiod release (next to the injector ConfigMap), or merges into the one the
// chart already rendered. Gateways are left alone.
import { isScalar } from 'yaml';
import { renderPlain } from '../../yaml/render-plain.js';
import type { Config } from '../../config/config.js';
import { DocumentError, UserError } from '../../errors.js';
import { mapAt, stringAt } from '../../yaml/node-edits.js';
import { annotationsOf, objectsIn, type KubeObject } from '../../kube/objects.js';
import type { AddedDocument, StreamRuleContext } from '../rule.js';
import { deploymentPatch, mergeIntoConfigMap, type ConfigMapPlace, type ParsedDocument } from './per-gateway.js';
import { containerOfClass } from '../../kube/gateway-containers.js';
import { mightHoldGateway } from '../../kube/text-checks.js';

/** The literal class names of the configuration, and the globs (which name no single class). */
function literalClassNames(config: Config): { names: string[]; globs: string[] } {
  const names = config.gatewayApi.gatewayClassNames.filter((glob) => !/[*?[\]{}!()+@]/.test(glob));
  return { names, globs: config.gatewayApi.gatewayClassNames.filter((glob) => !names.includes(glob)) };
}

function labelOf(object: KubeObject, key: string): string | undefined {
  const metadata = mapAt(object.map, 'metadata');
  return stringAt(metadata && mapAt(metadata, 'labels'), key);
}

const INJECTOR = /^istio-sidecar-injector(?:-([a-z0-9.-]+))?$/;
export const DEFAULTS_FOR_CLASS = 'gateway.istio.io/defaults-for-class';

interface ControlPlane {
  readonly doc: ParsedDocument;
  readonly object: KubeObject;
  readonly namespace: string;
  readonly revision: string;
}

function controlPlanes(ctx: StreamRuleContext): ControlPlane[] {
  const found: ControlPlane[] = [];
  ctx.view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || !chunk.text.includes('istio-sidecar-injector') || ctx.view.isCrd(index)) return;
    const ed = ctx.view.parse(index);
    if (!ed) return;
    for (const object of objectsIn(ed.doc)) {
      const match = object.id.kind === 'ConfigMap' && object.id.apiVersion === 'v1' ? INJECTOR.exec(object.id.name) : null;
      if (!match) continue;
      const label = labelOf(object, 'istio.io/rev');
      found.push({
        doc: { chunk: index, ed },
        object,
        namespace: object.id.namespace ?? 'istio-system',
        revision: match[1] ?? (label && label !== 'default' ? label : 'default'),
      });
    }
  });
  return found;
}

/** The kube-gateway template of 1.26+ renders the HPA and PDB only an overlay completes. */
function supportsClassDefaults(plane: ControlPlane): { ok: boolean; why: string } {
  const config = mapAt(plane.object.map, 'data')?.get('config', true);
  const text = isScalar(config) && typeof config.value === 'string' ? config.value : '';
  const version = labelOf(plane.object, 'app.kubernetes.io/version');
  const named = version && /^1\.(\d+)\./.test(version) && version !== '1.0.0' ? `Istio ${version}` : undefined;
  if (!text.includes('kube-gateway:'))
    return { ok: false, why: `${named ?? 'this istiod'} has no kube-gateway template (Istio before 1.18)` };
  if (named)
    return {
      ok: Number(/^1\.(\d+)\./.exec(version as string)?.[1]) >= 26,
      why: `${named} (app.kubernetes.io/version of ${plane.object.id.name})`,
    };
  return {
    ok: text.includes('HorizontalPodAutoscaler'),
    why: 'an Istio older than 1.26 (its kube-gateway template has none of the overlay objects 1.26 added)',
  };
}

function classConfigMaps(ctx: StreamRuleContext): Map<string, ConfigMapPlace> {
  const found = new Map<string, ConfigMapPlace>();
  ctx.view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || !chunk.text.includes(DEFAULTS_FOR_CLASS) || ctx.view.isCrd(index)) return;
    const ed = ctx.view.parse(index);
    if (!ed) return;
    for (const object of objectsIn(ed.doc)) {
      if (object.id.kind !== 'ConfigMap' || object.id.apiVersion !== 'v1') continue;
      const className = labelOf(object, DEFAULTS_FOR_CLASS);
      if (className && !found.has(`${object.id.namespace ?? ''}/${className}`))
        found.set(`${object.id.namespace ?? ''}/${className}`, { doc: { chunk: index, ed }, path: object.path });
    }
  });
  return found;
}

function classConfigMapText(
  plane: ControlPlane,
  className: string,
  config: Config,
  annotations: Readonly<Record<string, string>>,
  eol: string,
): string {
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `istio-${plane.revision}-gatewayclass-${className}`,
      namespace: plane.namespace,
      labels: { 'istio.io/rev': plane.revision, [DEFAULTS_FOR_CLASS]: className },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    data: { deployment: renderPlain(deploymentPatch(config, containerOfClass(className)), { version: '1.1', indentSeq: false }) },
  };
  const text = [
    '---',
    `# Added by gateway-compat (--gateway-options class): Istio applies data.deployment to the Deployment of every Gateway of class ${className}`,
    renderPlain(configMap, { version: '1.1', lineWidth: 0, indentSeq: false }),
  ].join('\n');
  return eol === '\n' ? text : text.replace(/\n/g, eol);
}

export function applyClassDefaults(ctx: StreamRuleContext): AddedDocument[] {
  const planes = controlPlanes(ctx).filter((plane) => ctx.isSelected(plane.object.id));
  if (planes.length === 0) {
    const hasGateways = ctx.view.chunks.some((chunk, index) => chunk.hasContent && mightHoldGateway(chunk.text) && !ctx.view.isCrd(index));
    if (!hasGateways) return [];
    ctx.warn({
      code: 'class-defaults-elsewhere',
      severity: 'info',
      message:
        "--gateway-options class writes the class-defaults ConfigMap into the istiod release (the control plane's namespace), and this stream holds no istio-sidecar-injector ConfigMap: post-render the istiod release with --gateway-options class; Gateways are left alone",
    });
    return [];
  }
  const { names, globs } = literalClassNames(ctx.config);
  if (globs.length > 0) {
    throw new UserError(
      `error: --gateway-options class needs class names, not globs (${globs.join(', ')}): a class-defaults ConfigMap names one class\nfix: give each class with --gateway-class NAME`,
    );
  }
  const existing = classConfigMaps(ctx);
  const added: AddedDocument[] = [];
  for (const plane of planes) {
    const support = supportsClassDefaults(plane);
    if (!support.ok) {
      throw new DocumentError(
        `error: document ${plane.doc.ed.number}: --gateway-options class needs Istio 1.26 or later (class defaults, gateway.istio.io/defaults-for-class), and this stream shows ${support.why}\nfix: leave out --gateway-options class (the default gives each Gateway a parametersRef, which also needs 1.26), or fix the kube-gateway template: it is fixed in this same run`,
        plane.doc.ed.number,
      );
    }
    for (const className of names) {
      const place = existing.get(`${plane.namespace}/${className}`);
      if (place) {
        ctx.within(place.doc.chunk, () => mergeIntoConfigMap(place, ctx, containerOfClass(className)));
        continue;
      }
      const eol = plane.doc.ed.eol;
      added.push({
        before: plane.doc.chunk,
        resource: plane.object.id,
        annotations: annotationsOf(plane.object),
        render: (annotations) => classConfigMapText(plane, className, ctx.config, annotations, eol),
      });
      ctx.change(
        {
          resource: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            namespace: plane.namespace,
            name: `istio-${plane.revision}-gatewayclass-${className}`,
          },
          rule: 'gatewayOptions',
          path: 'data.deployment',
          message: `added the class-defaults ConfigMap for Gateway class ${className} (revision ${plane.revision}): every Gateway of the class gets the patch that clears the pod sysctls`,
        },
        plane.doc.ed,
      );
    }
  }
  return added;
}
