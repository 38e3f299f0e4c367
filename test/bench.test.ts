// The benchmark's own pieces: a reproducible, realistic generator and an honest kustomize recipe.
// (bench/ is plain .mjs; imported dynamically so the TypeScript build does not need declarations.)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

interface Generated {
  bytes: Buffer;
  documents: number;
  gatewayDeployments: number;
}
const generator = (await import(new URL('../bench/generate.mjs', import.meta.url).href)) as {
  generate(targetBytes: number, seed?: number, mode?: 'helm' | 'flow'): Generated;
  parseSize(text: string): number;
  FLOW_NAMESPACES: string[];
};
const peers = (await import(new URL('../bench/peers.mjs', import.meta.url).href)) as {
  checkStream(input: string, output: string): string[];
  peers(o: { cmd: string[] }): { id: string; prepare(input: { file: string }): { argv: string[]; stdin: string; cleanup(): void } }[];
  KUBECTL: string;
};

const MB = 2 ** 20;
const oneMB = generator.generate(MB, 1);
const text = oneMB.bytes.toString('utf8');

describe('bench/generate.mjs', () => {
  it('is reproducible: same seed, same bytes; another seed, other bytes', () => {
    expect(generator.generate(MB, 1).bytes.equals(oneMB.bytes)).toBe(true);
    expect(generator.generate(MB, 2).bytes.equals(oneMB.bytes)).toBe(false);
  });

  it('reaches the target size at a document boundary', () => {
    expect(generator.parseSize('10MB')).toBe(10 * MB);
    expect(oneMB.bytes.length).toBeGreaterThanOrEqual(MB);
    expect(oneMB.bytes.length).toBeLessThan(MB + 200 * 1024);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('looks like helm template output: every document has a # Source line, parses, and has a unique id', () => {
    const docs = parseAllDocuments(text) as unknown as { errors: unknown[]; toJS(): any }[];
    expect(docs).toHaveLength(oneMB.documents);
    expect(text.match(/^---\n# Source: platform\/charts\/[\w-]+\/templates\/[\w-]+\.yaml\n/gm)).toHaveLength(oneMB.documents);
    expect(docs.filter((d) => d.errors.length)).toEqual([]);
    const objects = docs.map((d) => d.toJS());
    const ids = new Set(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`));
    expect(ids.size).toBe(objects.length);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ['Deployment', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount', 'Gateway', 'HTTPRoute']) {
      expect(kinds).toContain(kind);
    }
    const gateway = objects.find((o) => o.kind === 'Deployment' && o.spec.template.spec.securityContext.sysctls);
    expect(gateway.spec.template.metadata.annotations['inject.istio.io/templates']).toBe('gateway');
    expect(gateway.spec.template.spec.containers[0].name).toBe('istio-proxy');
    expect(objects.filter((o) => o.kind === 'Gateway').every((g) => g.apiVersion === 'gateway.networking.k8s.io/v1')).toBe(true);
  });

  it('has about 5% gateway Deployments', () => {
    const { documents, gatewayDeployments } = generator.generate(10 * MB, 1);
    expect(gatewayDeployments / documents).toBeGreaterThan(0.04);
    expect(gatewayDeployments / documents).toBeLessThan(0.06);
  });
});

describe('bench/generate.mjs, mode flow', () => {
  const flow = generator.generate(MB, 1, 'flow');
  const flowText = flow.bytes.toString('utf8');
  const docs = parseAllDocuments(flowText) as unknown as { errors: unknown[]; toJS(): any }[];
  const objects = docs.map((d) => d.toJS());

  it('is reproducible and differs from the helm mode', () => {
    expect(generator.generate(MB, 1, 'flow').bytes.equals(flow.bytes)).toBe(true);
    expect(generator.generate(MB, 2, 'flow').bytes.equals(flow.bytes)).toBe(false);
    expect(flow.bytes.equals(oneMB.bytes)).toBe(false);
    expect(() => generator.generate(MB, 1, 'other' as 'flow')).toThrow(/bad mode/);
  });

  it('has many small documents (about 590 bytes) over 40 namespaces, each parsing, with unique ids', () => {
    expect(flow.bytes.length).toBeGreaterThanOrEqual(MB);
    expect(flow.bytes.length / flow.documents).toBeGreaterThan(550);
    expect(flow.bytes.length / flow.documents).toBeLessThan(630);
    expect(docs).toHaveLength(flow.documents);
    expect(docs.filter((d) => d.errors.length)).toEqual([]);
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set(generator.FLOW_NAMESPACES));
    expect(generator.FLOW_NAMESPACES).toHaveLength(40);
    expect(new Set(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).size).toBe(objects.length);
  });

  it('writes listeners and parentRefs as flow sequences of flow mappings, and has gateway Deployments to fix', () => {
    const gateways = flowText.split(/^---\n/m).filter((d) => /^kind: Gateway$/m.test(d));
    const routes = flowText.split(/^---\n/m).filter((d) => /^kind: HTTPRoute$/m.test(d));
    expect(gateways.length).toBeGreaterThan(20);
    expect(routes.length).toBeGreaterThan(flow.documents / 5);
    expect(gateways.every((d) => /^ {2}listeners: \[\{name: http, port: 80,/m.test(d))).toBe(true);
    expect(routes.every((d) => /^ {2}parentRefs: \[\{(?:group: gateway\.networking\.k8s\.io, kind: Gateway, )?name: /m.test(d))).toBe(true);
    // some name their Gateway by group and kind, and so mention every word a Gateway does
    const named = routes.filter((d) => d.includes('kind: Gateway, name: ')).length;
    expect(named).toBeGreaterThan(routes.length / 8);
    expect(named).toBeLessThan(routes.length);
    expect(objects.filter((o) => o.kind === 'Gateway').every((g) => g.spec.listeners.length === 2)).toBe(true);
    expect(flow.gatewayDeployments).toBeGreaterThan(0);
    const gateway = objects.find((o) => o.kind === 'Deployment' && o.spec.template.spec.securityContext?.sysctls);
    expect(gateway.spec.template.spec.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]);
    expect(gateway.spec.template.metadata.annotations['inject.istio.io/templates']).toBe('gateway');
  });
});

describe('bench/peers.mjs', () => {
  it('checkStream flags a pass-through and accepts the edit', () => {
    expect(peers.checkStream(text, text).join()).toMatch(/still set on \d+ workloads/);
    const edited = text.replace(/\n {8}sysctls:\n {8}- name: net\.ipv4\.ip_unprivileged_port_start\n {10}value: "0"/g, '');
    expect(peers.checkStream(text, edited)).toEqual([]);
    expect(peers.checkStream(text, edited.replace(/kind: HTTPRoute/, 'kind: Other')).join()).toMatch(/missing/);
  });

  it('the kustomize recipe removes the sysctl and keeps every document', () => {
    // Written under bench/out (git-ignored): the recipe copies a file from disk into its kustomization.
    const dir = new URL('../bench/out/', import.meta.url).pathname;
    const file = `${dir}test-256KB-seed3.yaml`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, generator.generate(256 * 1024, 3).bytes);
    const kustomize = peers.peers({ cmd: ['cat'] }).find((p) => p.id === 'kustomize')!;
    const run = kustomize.prepare({ file });
    const r = spawnSync(run.argv[0]!, run.argv.slice(1), { encoding: 'utf8', maxBuffer: 64 * MB });
    run.cleanup();
    expect(r.status).toBe(0);
    expect(peers.checkStream(readFileSync(file, 'utf8'), r.stdout)).toEqual([]);
  }, 60_000);
});
