// The reviewable script for a live cluster, as the manual procedure writes it by hand with jq:
// `kubectl patch istio NAME --type=merge -p '<patch>'`, then `kubectl wait --for condition=Ready`,
// then the gateway pods are made to pick the new template. Every word that comes from the input is
// checked to be a Kubernetes name and single-quoted, so the script runs only what it shows.
import { UsageError, UserError } from '../errors.js';
import { ADDITIVE_TEMPLATE_NAME } from './additive-template.js';
import type { SailPlan } from './istio-resource.js';
import { formatVersion } from '../kube/version.js';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'"'"'`)}'`;
}

export interface GatewayDeployment {
  namespace: string;
  name: string;
}

export function parseGatewayDeployment(text: string): GatewayDeployment {
  const [namespace, name, ...rest] = text.split('/');
  if (rest.length > 0 || !namespace || !name || !NAME.test(namespace) || !NAME.test(name)) {
    throw new UsageError(
      `error: --gateway-deployment takes NAMESPACE/NAME of a gateway Deployment (lower-case Kubernetes names), not "${text}"`,
    );
  }
  return { namespace, name };
}

export function sailScript(plan: SailPlan, deployments: readonly GatewayDeployment[]): string {
  if (!NAME.test(plan.name))
    throw new UserError(`error: the Istio resource's name "${plan.name}" is not a Kubernetes name; refusing to write it into a script`);
  const name = shellQuote(plan.name);
  const lines = [
    '#!/bin/sh',
    `# gateway-compat sail: review this script, then run it against the cluster. Nothing was applied.`,
    `# Istio resource ${plan.name}${plan.version ? ` (Istio ${formatVersion(plan.version)})` : ''}: ${
      plan.route === 'additive'
        ? `adds the template ${ADDITIVE_TEMPLATE_NAME}, which empties the pod sysctls after Istio's own gateway template`
        : plan.route === 'templates'
          ? 'sets its gateway injection templates without the sysctl'
          : 'nothing to change'
    }`,
    ...plan.notes.map((note) => `# note: ${note}`),
    'set -eu',
  ];
  if (plan.route === 'nothing') return `${lines.join('\n')}\n`;
  lines.push(
    `kubectl patch istio ${name} --type=merge -p ${shellQuote(JSON.stringify(plan.patch))}`,
    `kubectl wait --for condition=Ready istio/${plan.name} --timeout=3m`,
  );
  if (plan.route === 'additive') {
    const annotation = `gateway,${ADDITIVE_TEMPLATE_NAME}`;
    const podPatch = JSON.stringify({ spec: { template: { metadata: { annotations: { 'inject.istio.io/templates': annotation } } } } });
    lines.push(
      `# The gateway pods must ask for the template after Istio's own: inject.istio.io/templates: ${annotation}.`,
      `# For the gateway Helm chart, keep it in its values: podAnnotations: {inject.istio.io/templates: "${annotation}"}`,
      ...(deployments.length === 0
        ? ['# (pass --gateway-deployment NAMESPACE/NAME to have the script annotate your gateway Deployments)']
        : []),
      ...deployments.map(
        (d) => `kubectl -n ${shellQuote(d.namespace)} patch deployment ${shellQuote(d.name)} --type=merge -p ${shellQuote(podPatch)}`,
      ),
    );
  } else {
    lines.push(
      '# Running gateway pods keep the template they were injected with: restart them.',
      ...(deployments.length === 0
        ? ['# (pass --gateway-deployment NAMESPACE/NAME to have the script restart your gateway Deployments)']
        : []),
      ...deployments.map((d) => `kubectl -n ${shellQuote(d.namespace)} rollout restart deployment ${shellQuote(d.name)}`),
    );
  }
  return `${lines.join('\n')}\n`;
}
