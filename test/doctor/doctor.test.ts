// `doctor` on recorded bundles (test/fixtures/doctor/make-bundles.mjs made them from the corpus
// charts rendered by real Helm 3): the ordered list of what stands in the way, each with its
// command. UPDATE_GOLDEN=1 rewrites the expected.txt files for review.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { BUNDLE_COMMAND } from '../../src/doctor/bundle.js';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/doctor');
const bundlePath = (name: string): string => path.join(FIXTURES, name, 'bundle.json');
const bundleText = (name: string): string => readFileSync(bundlePath(name), 'utf8');

interface DoctorJson {
  clear: boolean;
  sysctlMatters: boolean;
  blockers: Array<{ step: string; resources: string[]; fix: string }>;
  nodes: Array<{ name: string; needsFix: boolean | null }>;
}

const doctorJson = (name: string): DoctorJson =>
  JSON.parse(runCli(['doctor', '--json', '--file', bundlePath(name)], undefined).stdout) as DoctorJson;

describe('doctor on recorded bundles', () => {
  it.each([
    ['helm-centos7', 1],
    ['modern-clear', 0],
    ['sail-old-kubelet', 1],
  ])('%s: the golden list, from stdin and from --file alike', (name, exitCode) => {
    const fromStdin = runCli(['doctor'], bundleText(name));
    expect(fromStdin.stderr).toBe('');
    expect(fromStdin.status).toBe(exitCode);
    const expectedPath = path.join(FIXTURES, name, 'expected.txt');
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(expectedPath, fromStdin.stdout);
    expect(fromStdin.stdout).toBe(readFileSync(expectedPath, 'utf8'));
    const fromFile = runCli(['doctor', '--file', bundlePath(name)], undefined);
    expect(fromFile.status).toBe(exitCode);
    expect(fromFile.stdout).toBe(fromStdin.stdout);
  });

  it('helm-centos7: runtime first, then the templates before the Deployments, then Gateways, ports and restarts', () => {
    const report = doctorJson('helm-centos7');
    expect(report.clear).toBe(false);
    expect(report.blockers.map((blocker) => blocker.step)).toEqual(['runtime', 'templates', 'workloads', 'gateways', 'ports', 'restart']);
    const [runtime, templates, workloads, gateways, ports, restart] = report.blockers;
    expect(runtime!.resources).toEqual(['Pod shop/shop-gateway-istio-5d8f7b9c6-k2j4h']);
    expect(templates!.fix).toBe(
      'helm upgrade istiod istio/istiod --version 1.26.8 -n istio-system --reuse-values --post-renderer gateway-compat',
    );
    expect(templates!.resources).toEqual(['ConfigMap istio-system/istio-sidecar-injector']);
    expect(workloads!.fix).toBe(
      'helm upgrade istio-ingressgateway istio/gateway --version 1.26.8 -n istio-ingress --reuse-values --post-renderer gateway-compat',
    );
    // istiod's own Deployment has no sysctl and is not listed.
    expect(workloads!.resources).toEqual(['Deployment istio-ingress/istio-ingressgateway']);
    expect(gateways!.fix).toBe(
      'kubectl get gateways.gateway.networking.k8s.io shop-gateway -n shop -o yaml | gateway-compat | kubectl apply -f -',
    );
    expect(ports!.fix).toContain('--net-bind-service');
    expect(restart!.fix).toBe(
      'kubectl rollout restart deployment/istio-ingressgateway -n istio-ingress && kubectl rollout restart deployment/shop-gateway-istio -n shop',
    );
    expect(report.nodes.filter((node) => node.needsFix).map((node) => node.name)).toEqual(['c7-containerd2', 'c7-containerd17']);
  });

  it('modern-clear: the same releases need nothing where every node has the sysctl and a kubelet that allows it', () => {
    const report = doctorJson('modern-clear');
    expect(report).toMatchObject({ clear: true, sysctlMatters: false, blockers: [] });
  });

  it('sail-old-kubelet: the fix goes through the Istio resource, which needs a gateway template supplied', () => {
    const report = doctorJson('sail-old-kubelet');
    expect(report.blockers.map((blocker) => blocker.step)).toEqual(['templates', 'gateways', 'restart']);
    expect(report.blockers[0]!.fix).toBe(
      'kubectl get istio default -o yaml | gateway-compat --gateway-template gateway-template.txt | kubectl replace -f - && kubectl wait --for=condition=Ready istios/default --timeout=3m',
    );
    expect(report.blockers[0]!.resources).toEqual(['ConfigMap istio-system/istio-sidecar-injector', 'Istio default']);
  });

  it('reads the same bundle as YAML documents (kubectl -o yaml with --- between them)', () => {
    const values = bundleText('sail-old-kubelet')
      .split(/\n(?=\{)/)
      .map((part) => JSON.parse(part) as unknown);
    const yaml = values.map((value) => `---\n${stringify(value)}`).join('');
    const result = runCli(['doctor'], yaml);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(readFileSync(path.join(FIXTURES, 'sail-old-kubelet', 'expected.txt'), 'utf8'));
  });

  it('the one-liner in --help and in the README is the one that made the bundles', () => {
    const help = runCli(['doctor', '--help'], undefined);
    expect(help.status).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toContain(BUNDLE_COMMAND);
    expect(help.stdout).toContain('Exit codes:\n  0  nothing stands in the way\n  1  something does');
    expect(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')).toContain(BUNDLE_COMMAND);
    expect(readFileSync(path.join(FIXTURES, 'make-bundles.mjs'), 'utf8')).toContain(BUNDLE_COMMAND.replace(' > bundle.json', ''));
  });
});

describe('doctor after its fixes are applied', () => {
  type Obj = { kind: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>;
  const key = (object: Obj) => `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;

  /**
   * What the printed commands do to the objects: each goes through gateway-compat as `kubectl get
   * -o yaml` prints it (post-rendering a Helm release runs the same transform over the same
   * objects); objects it adds (a Gateway's options ConfigMap) join the bundle.
   */
  function applyFixes(name: string, flags: string[]): string {
    const lists = bundleText(name)
      .split(/\n(?=\{)/)
      .map((part) => JSON.parse(part) as { items: Obj[] });
    const fixable = (object: Obj) =>
      (object.kind === 'ConfigMap' && object.metadata.name.startsWith('istio-sidecar-injector')) ||
      (object.kind === 'Deployment' && object.metadata.name !== 'istiod') ||
      object.kind === 'Gateway';
    const added: Obj[] = [];
    for (const list of lists) {
      list.items = list.items.map((object) => {
        if (!fixable(object)) return object;
        const result = runCli(flags, stringify(object));
        expect(result.status, key(object)).toBe(0);
        const documents = parseAllDocuments(result.stdout).map((document) => document.toJS() as Obj);
        added.push(...documents.filter((document) => key(document) !== key(object)));
        return documents.find((document) => key(document) === key(object))!;
      });
    }
    return [...lists, { apiVersion: 'v1', kind: 'List', items: added }].map((list) => JSON.stringify(list)).join('\n');
  }

  const steps = (bundle: string) =>
    (JSON.parse(runCli(['doctor', '--json'], bundle).stdout) as DoctorJson).blockers.map((blocker) => blocker.step);

  it('helm-centos7: the templates, Deployments and Gateways are no longer listed; the ports are, until granted', () => {
    expect(steps(applyFixes('helm-centos7', []))).toEqual(['runtime', 'ports', 'restart']);
  });

  it('helm-centos7 with the grants: only the runtime problem and the restarts are left', () => {
    expect(steps(applyFixes('helm-centos7', ['--net-bind-service', '--run-as-root']))).toEqual(['runtime', 'restart']);
  });
});

describe('doctor on bad input (exit 2, nothing on stdout)', () => {
  const whole = bundleText('sail-old-kubelet');
  it.each([
    ['an empty bundle', '', /the bundle is empty/],
    [
      'a bundle cut short',
      whole.slice(0, Math.floor(whole.length / 2)),
      /ends in the middle of a JSON value \(value \d+\); was a kubectl command cut short\?/,
    ],
    [
      'the table kubectl prints without -o json',
      'NAME     STATUS   ROLES    AGE   VERSION\ncp-1     Ready    <none>   3d    v1.35.1\n',
      /value 1 of the bundle is not a JSON object/,
    ],
    [
      'text after a JSON value',
      '{"kind":"List","items":[]}\nerror: the server does not have a resource type "istios"\n',
      /unexpected text at line 2:1/,
    ],
    ['invalid JSON inside a value', '{"kind": "List", "items": [,]}', /the JSON value starting at line 1:1 is not valid/],
    ['binary data', Buffer.from([0x7b, 0x00, 0x7d]), /not UTF-8 text/],
  ])('%s', (_name, input, message) => {
    const result = runCli(['doctor'], input);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it.each([
    [['--jsn'], /Unknown option '--jsn'/],
    [['bundle.json'], /unexpected argument "bundle.json"; pass a file with --file bundle.json/],
    [['--file', 'test/fixtures/doctor/missing.json'], /no such file/],
  ])('%j is a usage error', (args, message) => {
    const result = runCli(['doctor', ...args], whole);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});
