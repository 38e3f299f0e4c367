// The Sail operator `Istio` resource gateway-compat is given (a file, or `kubectl get istio NAME
// -o yaml`) and the JSON merge patch that fixes it.
import { UserError } from '../errors.js';
import type { LoadedConfig } from '../config/load.js';
import { fixStream } from '../export/fix.js';
import { describeObject, isPlainMap, metadataOf, type Plain } from '../export/objects.js';
import { deepEqual, getPath } from '../export/plain-data.js';
import { atLeast, parseVersion, type Version } from '../kube/version.js';
import { classDeploymentPatch, literalClassNames } from '../values/class-defaults.js';
import { ADDITIVE_TEMPLATE_NAME, additiveTemplate, additiveVerified } from './additive-template.js';

const TEMPLATES = ['spec', 'values', 'sidecarInjectorWebhook', 'templates'] as const;

export function isSailIstio(object: Plain): boolean {
  return object.kind === 'Istio' && typeof object.apiVersion === 'string' && /^sailoperator\.io\/v1(alpha1)?$/.test(object.apiVersion);
}

export interface SailPlan {
  name: string;
  version: Version | undefined;
  /** the JSON merge patch for `kubectl patch istio NAME --type=merge` */
  patch: Plain;
  /** the route taken, for the script's comments */
  route: 'templates' | 'additive' | 'nothing';
  notes: string[];
}

/** A merge patch that sets exactly the templates that differ (null removes, as RFC 7386 says). */
function templatesPatch(before: Plain, after: Plain): Plain | undefined {
  const old = getPath(before, TEMPLATES);
  const now = getPath(after, TEMPLATES);
  if (deepEqual(old, now) || !isPlainMap(now)) return undefined;
  const changed = Object.fromEntries(Object.entries(now).filter(([name, text]) => !isPlainMap(old) || old[name] !== text));
  return { spec: { values: { sidecarInjectorWebhook: { templates: changed } } } };
}

function pickIstio(objects: readonly { before: Plain | undefined; after: Plain; document: number }[], name: string | undefined) {
  const istios = objects.filter((entry) => entry.before && isSailIstio(entry.before));
  const chosen = name === undefined ? istios : istios.filter((entry) => metadataOf(entry.after).name === name);
  if (chosen.length === 1) return chosen[0] as (typeof istios)[number];
  if (istios.length === 0) {
    throw new UserError(
      'error: the input holds no Sail operator Istio resource (sailoperator.io/v1 or v1alpha1, kind Istio)\nfix: kubectl get istio default -o yaml | gateway-compat sail',
    );
  }
  throw new UserError(
    `error: ${chosen.length === 0 ? `no Istio resource named "${name}"` : `${istios.length} Istio resources`} in the input (${istios.map((entry) => describeObject(entry.after)).join(', ')})\nfix: pick one with --name NAME`,
  );
}

export function sailPlan(input: string, loaded: LoadedConfig, name: string | undefined): SailPlan {
  const fixed = fixStream(input, loaded);
  const entry = pickIstio(fixed.objects, name);
  const before = entry.before as Plain;
  const resourceName = metadataOf(before).name;
  const versionText = getPath(before, ['spec', 'version']);
  const version = typeof versionText === 'string' ? parseVersion(versionText) : undefined;
  const notes: string[] = [];
  const templates = getPath(before, TEMPLATES);
  const classes = classDefaults(loaded, version, isPlainMap(templates) && typeof templates['kube-gateway'] === 'string', notes);
  const fromTemplates = templatesPatch(before, entry.after);
  if (fromTemplates) {
    if (classes) Object.assign((fromTemplates.spec as { values: Plain }).values, { gatewayClasses: classes });
    return { name: resourceName, version, patch: fromTemplates, route: 'templates', notes };
  }
  const hasGateway = isPlainMap(templates) && typeof templates.gateway === 'string';
  if (hasGateway || !loaded.config.injectionTemplate.enabled) {
    if (classes)
      return { name: resourceName, version, patch: { spec: { values: { gatewayClasses: classes } } }, route: 'templates', notes };
    notes.push('nothing to change: the gateway template of this Istio resource sets no sysctl the configuration removes');
    return { name: resourceName, version, patch: {}, route: 'nothing', notes };
  }
  if (!additiveVerified(version)) {
    throw new UserError(
      `error: ${describeObject(before)} has no gateway injection template, and its spec.version (${typeof versionText === 'string' ? versionText : 'not set'}) is not one on which the additive template was shown to work (Istio 1.18 to 1.30)\nfix: save the default gateway template of that Istio version and pass it with --gateway-template FILE`,
    );
  }
  const additive: Plain = { [ADDITIVE_TEMPLATE_NAME]: additiveTemplate(loaded.config) };
  const values: Plain = { sidecarInjectorWebhook: { templates: additive }, ...(classes ? { gatewayClasses: classes } : {}) };
  return { name: resourceName, version, patch: { spec: { values } }, route: 'additive', notes };
}

/**
 * On 1.26+ the class defaults (spec.values.gatewayClasses) fix the Deployments istiod makes for
 * Gateway API Gateways when the resource carries no kube-gateway template of its own.
 */
function classDefaults(loaded: LoadedConfig, version: Version | undefined, hasKubeGateway: boolean, notes: string[]): Plain | undefined {
  if (hasKubeGateway || !loaded.config.gatewayApi.enabled) return undefined;
  if (!version || !atLeast(version, [1, 26, 0])) {
    notes.push(
      'Gateway API: before Istio 1.26 there are no class defaults, so the Deployments of Gateway API Gateways keep the built-in kube-gateway template (post-render the istiod release, or set a rewritten kube-gateway template)',
    );
    return undefined;
  }
  const classes = Object.fromEntries(
    literalClassNames(loaded.config).names.flatMap((className) => {
      const deployment = classDeploymentPatch(loaded.config, className);
      return deployment ? [[className, { deployment }]] : [];
    }),
  );
  return Object.keys(classes).length > 0 ? classes : undefined;
}
