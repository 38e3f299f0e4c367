// The command that fixes a live object at its source: the Helm release that rendered it, the Sail
// `Istio` resource or istioctl manifest that owns it, or the object itself through kubectl.
import { recordAt, stringAt } from '../nodes/node-list.js';
import type { KubeRecord } from './bundle.js';

export interface FixCommand {
  /** what the command fixes, for grouping: one command may fix several objects */
  owner: string;
  command: string;
}

export function fixCommandFor(object: KubeRecord, options: { istiosWithoutTemplate: ReadonlySet<string> }): FixCommand {
  const metadata = recordAt(object, 'metadata');
  const annotations = recordAt(metadata, 'annotations');
  const labels = recordAt(metadata, 'labels');
  const kind = stringAt(object, 'kind') ?? 'object';
  const name = stringAt(metadata, 'name') ?? '';
  const namespace = stringAt(metadata, 'namespace');
  const inNamespace = namespace === undefined ? '' : ` -n ${namespace}`;

  const release = stringAt(annotations, 'meta.helm.sh/release-name');
  if (release !== undefined) {
    const releaseNamespace = stringAt(annotations, 'meta.helm.sh/release-namespace') ?? namespace;
    // helm.sh/chart is "<chart>-<version>"; Istio's charts are published as istio/<chart>.
    const chart = /^(.+)-(\d+\.\d+\.\d+[^\s]*)$/.exec(stringAt(labels, 'helm.sh/chart') ?? '');
    const chartRef = chart ? `istio/${chart[1]} --version ${chart[2]}` : '<chart>';
    const where = releaseNamespace === undefined ? '' : ` -n ${releaseNamespace}`;
    return {
      owner: `helm release ${releaseNamespace ?? ''}/${release}`,
      command: `helm upgrade ${release} ${chartRef}${where} --reuse-values --post-renderer gateway-compat`,
    };
  }
  const revisionOwner = ownerOfKind(metadata, 'IstioRevision');
  if (revisionOwner !== undefined) {
    return { owner: `istio ${revisionOwner}`, command: istioCommand(revisionOwner, options.istiosWithoutTemplate.has(revisionOwner)) };
  }
  if (kind === 'Istio') return { owner: `istio ${name}`, command: istioCommand(name, options.istiosWithoutTemplate.has(name)) };
  if (stringAt(labels, 'install.operator.istio.io/owning-resource') !== undefined) {
    return {
      owner: 'istioctl',
      command: 'istioctl manifest generate -f <your IstioOperator file> | gateway-compat | kubectl apply -f -',
    };
  }
  const resource = kind === 'Gateway' ? 'gateways.gateway.networking.k8s.io' : kind.toLowerCase();
  // A Gateway's fix adds an options ConfigMap: apply creates it; the other objects exist, so replace.
  const verb = kind === 'Gateway' ? 'apply' : 'replace';
  return {
    owner: `${kind} ${namespace ?? ''}/${name}`,
    command: `kubectl get ${resource} ${name}${inNamespace} -o yaml | gateway-compat | kubectl ${verb} -f -`,
  };
}

/** Sail names the IstioRevision after the Istio resource (for the default revision, the same name). */
function istioCommand(name: string, gatewayTemplate: boolean): string {
  const template = gatewayTemplate ? ' --gateway-template gateway-template.txt' : '';
  return `kubectl get istio ${name} -o yaml | gateway-compat${template} | kubectl replace -f - && kubectl wait --for=condition=Ready istios/${name} --timeout=3m`;
}

function ownerOfKind(metadata: KubeRecord | undefined, kind: string): string | undefined {
  const owners = metadata?.['ownerReferences'];
  if (!Array.isArray(owners)) return undefined;
  for (const owner of owners) {
    if (typeof owner === 'object' && owner !== null && (owner as KubeRecord)['kind'] === kind) {
      return stringAt(owner as KubeRecord, 'name');
    }
  }
  return undefined;
}
