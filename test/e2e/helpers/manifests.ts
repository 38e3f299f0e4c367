// Reading the manifests a host printed, and the facts the tests check on them.
import { parseAllDocuments } from 'yaml';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  [key: string]: unknown;
}

export function objectsOf(stream: string): KubeObject[] {
  return parseAllDocuments(stream)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`invalid YAML in host output: ${doc.errors[0]?.message}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null && typeof object === 'object');
}

export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && object.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among: ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found;
}

export const SYSCTL = 'net.ipv4.ip_unprivileged_port_start';

type PodSpec = {
  securityContext?: { sysctls?: { name: string }[] };
  containers: { name: string; securityContext?: Record<string, unknown> }[];
};

export function podSpecOf(object: KubeObject): PodSpec {
  const spec = object.spec as { template: { spec: PodSpec } };
  return spec.template.spec;
}

/**
 * A pod-level or container securityContext as the kubelet would take it. `securityContext: null`
 * (or `~`) reads as "no sysctls" to a careless check, yet it is what a broken edit leaves behind;
 * it is a failure here, never an empty context.
 */
function securityContextOf(owner: { securityContext?: unknown }, where: string): Record<string, unknown> | undefined {
  if (!('securityContext' in owner) || owner.securityContext === undefined) return undefined;
  const context = owner.securityContext;
  if (context === null || typeof context !== 'object' || Array.isArray(context)) {
    throw new Error(`${where}: securityContext is ${JSON.stringify(context)}, not a mapping`);
  }
  return context as Record<string, unknown>;
}

export function sysctlNames(object: KubeObject): string[] {
  const context = securityContextOf(podSpecOf(object), `${object.kind} ${object.metadata.name} pod spec`);
  const sysctls = context?.sysctls;
  if (sysctls === undefined) return [];
  if (!Array.isArray(sysctls)) throw new Error(`${object.kind} ${object.metadata.name}: sysctls is ${JSON.stringify(sysctls)}, not a list`);
  return (sysctls as { name: string }[]).map((sysctl) => sysctl.name);
}

export function proxySecurityContext(object: KubeObject): Record<string, unknown> | undefined {
  const proxy = podSpecOf(object).containers.find((container) => container.name === 'istio-proxy');
  return proxy === undefined ? undefined : securityContextOf(proxy, `${object.kind} ${object.metadata.name} istio-proxy`);
}

/** The capabilities added to istio-proxy; the same capability twice is a broken edit, not a grant. */
export function addedCapabilities(object: KubeObject): string[] {
  const capabilities = proxySecurityContext(object)?.capabilities as { add?: unknown } | null | undefined;
  if (capabilities === null) throw new Error(`${object.kind} ${object.metadata.name}: istio-proxy capabilities is null`);
  const add = capabilities?.add ?? [];
  if (!Array.isArray(add))
    throw new Error(`${object.kind} ${object.metadata.name}: capabilities.add is ${JSON.stringify(add)}, not a list`);
  const duplicates = add.filter((capability, i) => add.indexOf(capability) !== i);
  if (duplicates.length > 0)
    throw new Error(`${object.kind} ${object.metadata.name}: capabilities.add lists ${JSON.stringify(duplicates)} twice`);
  return add as string[];
}

/** The options ConfigMap's deployment patch, parsed. */
export function deploymentPatchOf(configMap: KubeObject): PodSpec {
  const data = configMap.data as { deployment: string };
  const patch = objectsOf(data.deployment)[0] as unknown as { spec: { template: { spec: PodSpec } } };
  return patch.spec.template.spec;
}
