// Values for Istio's gateway chart that give the same pods gateway-compat's post-renderer gives:
//   securityContext            the pod securityContext (the chart writes the sysctl only when this
//                              value is empty, and replaces the whole default when it is set)
//   containerSecurityContext   istio-proxy's securityContext (also replaced whole), for the grants
//   service.ports              the Service ports, for --unprivileged-ports (a list: replaced whole)
// Each value is taken from the transform's own output, so it says exactly what the post-renderer
// would write. Any other change has no value in the chart: that is an error saying so.
import type { LoadedConfig } from '../config/load.js';
import { UserError } from '../errors.js';
import { fixStream, type FixedObject } from '../export/fix.js';
import { describeObject, isPlainMap, type Plain } from '../export/objects.js';
import { deepEqual, getPath, without } from '../export/plain-data.js';
import type { ValuesPlan } from './istiod-chart.js';

const WORKLOAD_KINDS = new Set(['Deployment', 'DaemonSet']);
const PROXY = 'istio-proxy';

function podSpecOf(object: Plain): Plain | undefined {
  const spec = getPath(object, ['spec', 'template', 'spec']);
  return isPlainMap(spec) ? spec : undefined;
}

function isGatewayWorkload(object: Plain): boolean {
  if (!WORKLOAD_KINDS.has(String(object.kind)) || !podSpecOf(object)) return false;
  const templates = getPath(object, ['spec', 'template', 'metadata', 'annotations', 'inject.istio.io/templates']);
  return typeof templates === 'string' && templates.split(',').some((name) => name.trim() === 'gateway');
}

function proxyIndex(object: Plain): number {
  const containers = getPath(object, ['spec', 'template', 'spec', 'containers']);
  return Array.isArray(containers) ? containers.findIndex((container) => isPlainMap(container) && container.name === PROXY) : -1;
}

function cannot(entries: readonly string[]): UserError {
  return new UserError(
    `error: gateway chart values cannot make these changes: ${entries.join('; ')}\nfix: post-render this release with gateway-compat, or export the changes with gateway-compat patches`,
  );
}

export function gatewayValues(input: string, loaded: LoadedConfig): ValuesPlan {
  const fixed = fixStream(input, loaded);
  const workloads = fixed.objects.filter((entry) => entry.before && isGatewayWorkload(entry.before));
  if (workloads.length === 0) {
    throw new UserError(
      'error: the input holds no gateway workload (a Deployment or DaemonSet whose pods carry inject.istio.io/templates: gateway)\nfix: pipe in a render of the gateway chart (helm template NAME istio/gateway ...), or use --chart istiod for the control plane',
    );
  }
  if (workloads.length > 1) {
    throw new UserError(
      `error: the input holds ${workloads.length} gateway workloads (${workloads.map((entry) => describeObject(entry.after)).join(', ')}); the gateway chart renders one per release\nfix: render one gateway release at a time`,
    );
  }
  const workload = workloads[0] as FixedObject;
  const values: Plain = {};
  const notes: string[] = [];
  const problems: string[] = [];

  const before = workload.before as Plain;
  const after = workload.after;
  const podPath = ['spec', 'template', 'spec', 'securityContext'];
  const podBefore = getPath(before, podPath);
  const podAfter = getPath(after, podPath);
  if (!deepEqual(podBefore, podAfter)) {
    // An empty value is "not set" to the chart, which then writes the sysctl again.
    values.securityContext = isPlainMap(podAfter) && Object.keys(podAfter).length > 0 ? podAfter : { sysctls: [] };
  }
  const index = proxyIndex(after);
  const containerPath = ['spec', 'template', 'spec', 'containers', index, 'securityContext'];
  if (index >= 0 && index === proxyIndex(before) && !deepEqual(getPath(before, containerPath), getPath(after, containerPath))) {
    values.containerSecurityContext = getPath(after, containerPath);
  }
  const rest = (object: Plain): Plain => without(object, [podPath, ...(index >= 0 ? [containerPath] : [])]);
  if (!deepEqual(rest(before), rest(after)))
    problems.push(`${describeObject(after)}: changes outside the pod and istio-proxy securityContext`);

  for (const entry of fixed.objects) {
    if (entry === workload || (entry.before && deepEqual(entry.before, entry.after))) continue;
    if (entry.before && entry.after.kind === 'Service') {
      const ports = getPath(entry.after, ['spec', 'ports']);
      if (!deepEqual(without(entry.before, [['spec', 'ports']]), without(entry.after, [['spec', 'ports']])) || !Array.isArray(ports)) {
        problems.push(`${describeObject(entry.after)}: changes outside spec.ports`);
        continue;
      }
      values.service = { ports };
      notes.push('service.ports: the whole list (Helm replaces lists); the Service ports stay, only the targetPorts move');
      continue;
    }
    problems.push(`${describeObject(entry.after)} (document ${entry.document}${entry.before ? '' : ', added'})`);
  }
  if (problems.length > 0) throw cannot(problems);
  if (values.securityContext)
    notes.push("securityContext replaces the chart's default pod securityContext whole; it is the render's own, without the sysctl");
  if (values.containerSecurityContext)
    notes.push("containerSecurityContext replaces istio-proxy's default securityContext whole; it is the render's own, with the grants");
  if (Object.keys(values).length === 0)
    notes.push(
      'nothing to change: this render sets no sysctl the configuration removes (gateway charts up to 1.21 set it only on Kubernetes 1.22+)',
    );
  notes.push(
    'the istiod release needs its values too: gateway-compat values --chart istiod < istiod.yaml (its injection template adds the sysctl back at admission)',
  );
  return { values, notes };
}
