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

type PodSpec = { securityContext?: { sysctls?: { name: string }[] }; containers: { name: string; securityContext?: Record<string, unknown> }[] };

export function podSpecOf(object: KubeObject): PodSpec {
  const spec = object.spec as { template: { spec: PodSpec } };
  return spec.template.spec;
}

export function sysctlNames(object: KubeObject): string[] {
  return (podSpecOf(object).securityContext?.sysctls ?? []).map((sysctl) => sysctl.name);
}

export function proxySecurityContext(object: KubeObject): Record<string, unknown> | undefined {
  return podSpecOf(object).containers.find((container) => container.name === 'istio-proxy')?.securityContext;
}

export function addedCapabilities(object: KubeObject): string[] {
  const capabilities = proxySecurityContext(object)?.capabilities as { add?: string[] } | undefined;
  return capabilities?.add ?? [];
}

/** The options ConfigMap's deployment patch, parsed. */
export function deploymentPatchOf(configMap: KubeObject): PodSpec {
  const data = configMap.data as { deployment: string };
  const patch = objectsOf(data.deployment)[0] as unknown as { spec: { template: { spec: PodSpec } } };
  return patch.spec.template.spec;
}
