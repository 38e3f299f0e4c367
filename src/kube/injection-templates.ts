// Where Istio's injection templates live in a rendered stream: the injector ConfigMaps
// (istio-sidecar-injector[-<revision>], data.config), Sail's Istio resources and istioctl's
// IstioOperators (spec.values.sidecarInjectorWebhook.templates).
import type { KubeObject } from './objects.js';
import { mightHoldTemplates } from './text-checks.js';
import { eachObject, type Place, type StreamView } from './view.js';

const INJECTOR_CONFIGMAP = /^istio-sidecar-injector(-[a-z0-9.-]+)?$/;

export function isInjectorConfigMap(object: KubeObject): boolean {
  return object.id.kind === 'ConfigMap' && object.id.apiVersion === 'v1' && INJECTOR_CONFIGMAP.test(object.id.name);
}

export function isIstioResource(object: KubeObject): boolean {
  return object.id.kind === 'Istio' && /^sailoperator\.io\/v1(alpha1)?$/.test(object.id.apiVersion);
}

/** istioctl's IstioOperator: the same spec.values.sidecarInjectorWebhook.templates as Sail's Istio. */
export function isIstioOperator(object: KubeObject): boolean {
  return object.id.kind === 'IstioOperator' && object.id.apiVersion === 'install.istio.io/v1alpha1';
}

export interface TemplateHolders {
  /** istio-sidecar-injector ConfigMaps */
  readonly injectorConfigMaps: readonly Place[];
  /** Sail operator Istio resources and IstioOperators (templates in spec.values) */
  readonly istioResources: readonly Place[];
}

/** Where the injection templates live in this stream (whatever the select globs say). */
export function findTemplateHolders(view: StreamView): TemplateHolders {
  const injectorConfigMaps: Place[] = [];
  const istioResources: Place[] = [];
  view.chunks.forEach((chunk, index) => {
    if (!chunk.hasContent || !mightHoldTemplates(chunk.text)) return;
    eachObject(view, index, (object) => {
      if (isInjectorConfigMap(object)) injectorConfigMaps.push({ chunk: index, path: object.path });
      else if (isIstioResource(object) || isIstioOperator(object)) istioResources.push({ chunk: index, path: object.path });
    });
  });
  return { injectorConfigMaps, istioResources };
}
