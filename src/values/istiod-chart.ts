// Values for Istio's istiod chart (and the `spec.values` of a Sail `Istio` or an `IstioOperator`)
// that make its gateway injection templates render without the sysctl.
//
//   - gateways.securityContext, where the chart has the switch (1.20.8, 1.21.4+, 1.22.2+, 1.23+:
//     `if .Values.gateways.securityContext` picks it over the branch that writes the sysctl); it
//     keeps gateways.seccompProfile, which only the other branch renders. Sail's API has no
//     `gateways` key, so never there.
//   - sidecarInjectorWebhook.templates.<name>: the render's own template, rewritten by the
//     transform, for every template the switch does not settle (older charts, and grants the
//     configuration asks for inside a template).
//   - gatewayClasses.<class> (1.26+): the class-wide Gateway API options (see class-defaults.ts).
//
// Which templates the switch settles is not guessed: the value is set in the render's data.values
// and the transform is run again; what it still changes needs the template.
import { parseDocument } from 'yaml';
import type { LoadedConfig } from '../config/load.js';
import { UserError } from '../errors.js';
import { fixStream, type FixedObject } from '../export/fix.js';
import { describeObject, isPlainMap, metadataOf, streamObjects, type Plain } from '../export/objects.js';
import { deepEqual } from '../export/plain-data.js';
import { splitStream } from '../stream/split.js';
import { transform } from '../transform.js';
import { classDeploymentPatch, literalClassNames } from './class-defaults.js';
import { GATEWAY_TEMPLATES, injectorValuesOf, isInjectorConfigMap, templatesOf } from './injector.js';
import { atLeast, formatVersion, type Version } from '../kube/version.js';
import { versionOfRender } from './istio-version.js';

export type ValuesTarget = 'helm' | 'sail' | 'istiooperator';

export interface ValuesPlan {
  values: Plain;
  notes: string[];
}

function injectorOf(objects: readonly FixedObject[]): FixedObject {
  const injectors = objects.filter((entry) => entry.before && isInjectorConfigMap(entry.before));
  if (injectors.length === 0) {
    throw new UserError(
      'error: the input holds no istio-sidecar-injector ConfigMap, so there is nothing the istiod chart values could change\nfix: pipe in a render of the istiod chart (helm template istiod istio/istiod -n istio-system ...), or use --chart gateway for a gateway release',
    );
  }
  if (injectors.length > 1) {
    throw new UserError(
      `error: the input holds ${injectors.length} injector ConfigMaps (${injectors.map((entry) => `document ${entry.document}: ${describeObject(entry.after)}`).join(', ')}); values belong to one istiod release\nfix: render one revision at a time`,
    );
  }
  return injectors[0] as FixedObject;
}

function changedTemplates(before: Plain, after: Plain): string[] {
  const old = templatesOf(before);
  const now = templatesOf(after);
  return Object.keys(now).filter((name) => old[name] !== now[name]);
}

function removedSysctlsFrom(securityContext: Plain, names: readonly string[]): Plain {
  const copy = structuredClone(securityContext);
  const sysctls = Array.isArray(copy.sysctls) ? copy.sysctls : [];
  copy.sysctls = sysctls.filter((item) => !(isPlainMap(item) && names.includes(String(item.name))));
  return copy;
}

/** gateways.securityContext that keeps what the user set (and the seccompProfile) but no sysctl. */
function gatewaySecurityContext(values: Plain, removed: readonly string[]): Plain | undefined {
  const gateways = isPlainMap(values.gateways) ? values.gateways : undefined;
  if (!gateways || !Object.hasOwn(gateways, 'securityContext')) return undefined;
  const current = isPlainMap(gateways.securityContext) ? gateways.securityContext : {};
  const securityContext = removedSysctlsFrom(current, removed);
  const seccompProfile = gateways.seccompProfile;
  if (isPlainMap(seccompProfile) && Object.keys(seccompProfile).length > 0 && !isPlainMap(securityContext.seccompProfile)) {
    securityContext.seccompProfile = seccompProfile;
  }
  return securityContext;
}

/** The input with data.values.gateways.securityContext of the injector ConfigMap set. */
function withSecurityContextValue(input: string, document: number, securityContext: Plain): string {
  const { bom, chunks } = splitStream(input);
  let number = 0;
  return (
    bom +
    chunks
      .map((chunk) => {
        if (!chunk.hasContent || ++number !== document) return chunk.text;
        const doc = parseDocument(chunk.text);
        const values = JSON.parse(String(doc.getIn(['data', 'values']))) as Plain;
        values.gateways = { ...(isPlainMap(values.gateways) ? values.gateways : {}), securityContext };
        doc.setIn(['data', 'values'], JSON.stringify(values, null, 2));
        return `---\n${doc.toString({ lineWidth: 0 })}`;
      })
      .join('')
  );
}

function is126OrLater(version: Version | undefined, kubeGateway: string | undefined): boolean {
  if (version) return atLeast(version, [1, 26, 0]);
  // From 1.26 the kube-gateway template renders the HPA and PDB that only an overlay completes
  // (the evidence istio-sim uses too).
  return kubeGateway !== undefined && kubeGateway.includes('HorizontalPodAutoscaler');
}

export function istiodValues(input: string, given: LoadedConfig, target: ValuesTarget, givenVersion: Version | undefined): ValuesPlan {
  // The class-wide options become the gatewayClasses value here, never an added ConfigMap.
  const config = { ...given.config, gatewayApi: { ...given.config.gatewayApi, optionsFor: 'gateway' as const } };
  const loaded = { ...given, config };
  const classWide = given.config.gatewayApi.optionsFor === 'class';
  const fixed = fixStream(input, loaded);
  const injector = injectorOf(fixed.objects);
  const notes: string[] = [];
  const unexpressed = fixed.objects.filter((entry) => entry !== injector && !(entry.before && deepEqual(entry.before, entry.after)));
  if (unexpressed.length > 0) {
    throw new UserError(
      `error: istiod chart values cannot make these changes: ${unexpressed.map((entry) => `${describeObject(entry.after)} (document ${entry.document}${entry.before ? '' : ', added'})`).join(', ')}\nfix: post-render this release with gateway-compat, or export the changes with gateway-compat patches`,
    );
  }
  const before = injector.before as Plain;
  const rendered = templatesOf(before);
  const version = givenVersion ?? versionOfRender(fixed.objects);
  const changed = changedTemplates(before, injector.after);
  const values: Plain = {};

  let needTemplate = changed;
  if (target !== 'sail' && changed.length > 0) {
    const securityContext = gatewaySecurityContext(injectorValuesOf(before), config.sysctls.remove);
    if (securityContext) {
      const simulated = withSecurityContextValue(input, injector.document, securityContext);
      const again = transform(simulated, { config: { ...config, strict: false } });
      const after = streamObjects(again.text).find(({ object }) => isInjectorConfigMap(object))?.object;
      const remaining = after ? changedTemplates(before, after) : changed;
      if (remaining.length < changed.length || changed.some((name) => !remaining.includes(name))) {
        values.gateways = { securityContext };
        needTemplate = remaining;
      }
    }
  }
  if (target === 'sail' && changed.length > 0) {
    notes.push(
      "Sail's Istio API has no gateways key (the API server prunes it), so the templates are set instead of gateways.securityContext",
    );
  }
  if (needTemplate.length > 0) {
    const rewritten = templatesOf(injector.after);
    values.sidecarInjectorWebhook = { templates: Object.fromEntries(needTemplate.map((name) => [name, rewritten[name]])) };
    notes.push(
      `sidecarInjectorWebhook.templates.${needTemplate.join(', .')}: the render's own template${needTemplate.length > 1 ? 's' : ''}, rewritten; ${needTemplate.length > 1 ? 'they replace' : 'it replaces'} the built-in one of this Istio version, so run gateway-compat values again after every Istio upgrade`,
    );
  }

  const kubeGateway = rendered['kube-gateway'];
  if (classWide && !is126OrLater(version, kubeGateway)) {
    throw new UserError(
      `error: --gateway-options class needs Istio 1.26 or later (the istiod chart's gatewayClasses value), and this render is ${version ? `Istio ${formatVersion(version)}` : kubeGateway === undefined ? 'an istiod without a kube-gateway template (before 1.18)' : 'an Istio older than 1.26 (its kube-gateway template has none of the overlay objects 1.26 added)'}\nfix: leave out --gateway-options class`,
    );
  }
  if (kubeGateway === undefined && !GATEWAY_TEMPLATES.some((name) => rendered[name] !== undefined && name !== 'kube-gateway')) {
    notes.push('the render has no gateway injection template at all');
  }
  if (kubeGateway === undefined) {
    notes.push(
      'this istiod has no kube-gateway template: before Istio 1.18 the Deployments of Gateway API Gateways are compiled into istiod, and no value can change them',
    );
  } else if (target !== 'istiooperator' && is126OrLater(version, kubeGateway)) {
    const classes = classValues(loaded, fixed.objects);
    if (classes.globs.length > 0)
      notes.push(`gateway class globs (${classes.globs.join(', ')}) cannot name a gatewayClasses entry; give the class names`);
    if (Object.keys(classes.values).length > 0) values.gatewayClasses = classes.values;
  } else if (target === 'istiooperator') {
    notes.push(
      'gatewayClasses are left out of the IstioOperator form: istioctl checks spec.values against its own schema, and this key was not verified there',
    );
  }
  if (changed.length === 0 && Object.keys(values).length === 0)
    notes.push('nothing to change: this render sets no sysctl the configuration removes');
  if (version) notes.push(`Istio ${formatVersion(version)}${givenVersion ? ' (--istio-version)' : ' (from the render)'}`);
  return { values, notes };
}

function classValues(loaded: LoadedConfig, objects: readonly FixedObject[]): { values: Plain; globs: string[] } {
  const { names, globs } = literalClassNames(loaded.config);
  const values: Plain = {};
  for (const name of names) {
    const deployment = classDeploymentPatch(loaded.config, name);
    if (!deployment) continue;
    const existing = objects.find(
      (entry) =>
        entry.before &&
        entry.before.kind === 'ConfigMap' &&
        metadataOf(entry.before).labels['gateway.istio.io/defaults-for-class'] === name,
    );
    if (existing) {
      throw new UserError(
        `error: ${describeObject(existing.after)} (document ${existing.document}) already holds class defaults for ${name}; gatewayClasses values would replace its lists\nfix: add the sysctl patch to your gatewayClasses.${name}.deployment by hand, or run with --gateway-class naming the other classes`,
      );
    }
    values[name] = { deployment };
  }
  return { values, globs };
}
