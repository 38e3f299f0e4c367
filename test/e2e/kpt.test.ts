// kpt runs gateway-compat as a KRM exec function: `kpt fn eval DIR --exec gateway-compat`. The package
// files are rewritten in place from the ResourceList we answer with, so these tests look at the
// files: what changed, what must not (comments, Kptfile, local-config objects), where the added
// ConfigMap went, that a second run changes nothing, and that an error leaves every file alone.
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { FUNCTION_INPUT_KEYS } from '../../src/config/function-config.js';
import { POST_RENDER } from '../helpers/run-cli.js';
import { describeWithHost, findTool } from './helpers/tools.js';
import { deploymentPatchOf, find, objectsOf, sysctlNames, SYSCTL, addedCapabilities, proxySecurityContext } from './helpers/manifests.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';

const FIXTURE = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'kpt-package');
const kpt = findTool('kpt');

function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (sub: string): void => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const relative = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(relative);
      else files[relative] = readFileSync(path.join(dir, relative), 'utf8');
    }
  };
  walk('');
  return files;
}

describeWithHost(
  'kpt fn eval --exec (real kpt)',
  kpt,
  { what: 'kpt', installHint: 'This machine image ships kpt (Google Cloud CLI packages); it cannot come from npm or Debian.' },
  () => {
    const work = scratchDir('kpt');
    const pkg = path.join(work, 'pkg');
    const original = snapshot(FIXTURE);
    const exec = `'${POST_RENDER}'`; // kpt splits --exec on blanks, honouring quotes
    const kptRun = (args: string[], input?: string) =>
      run(kpt as string, ['fn', ...args], { cwd: work, ...(input !== undefined ? { input } : {}) });

    beforeEach(() => {
      rmSync(pkg, { recursive: true, force: true });
      cpSync(FIXTURE, pkg, { recursive: true });
    });

    it('rewrites the package in place, keeping comments, and adds the options ConfigMap beside its Gateway', async () => {
      const ran = await kptRun(['eval', 'pkg', '--exec', exec, '--', 'netBindService=true', 'runAsRoot=true']);
      expect(ran.status, explain(ran)).toBe(0);
      const after = snapshot(pkg);
      expect(Object.keys(after).sort()).toEqual(Object.keys(original).sort()); // no file added or removed

      const deploymentFile = after['deployment.yaml'] as string;
      expect(deploymentFile).toContain('# The ingress gateway of istio-ingress (this comment must survive)');
      expect(deploymentFile).toContain('defaultMode: 0644'); // not re-serialised into 420 or 644
      const deployment = find(objectsOf(deploymentFile), 'Deployment', 'istio-ingressgateway');
      expect(sysctlNames(deployment)).not.toContain(SYSCTL);
      // An injected gateway gets NET_BIND_SERVICE from the injection template: a list here would replace the template's.
      expect(addedCapabilities(deployment)).toEqual([]);
      expect(proxySecurityContext(deployment)).toMatchObject({ runAsUser: 0, runAsNonRoot: false });

      const gatewayFile = after['network/gateway.yaml'] as string;
      expect(gatewayFile).toContain('# Gateway API gateway');
      const objects = objectsOf(gatewayFile);
      expect(objects.map((object) => object.kind)).toEqual(['Service', 'Gateway', 'ConfigMap']);
      expect(find(objects, 'Gateway', 'public').spec).toMatchObject({
        infrastructure: { parametersRef: { group: '', kind: 'ConfigMap', name: 'asm-kube-gateway-options' } },
      });
      const options = find(objects, 'ConfigMap', 'asm-kube-gateway-options');
      expect(options.metadata.namespace).toBe('istio-ingress');
      expect(deploymentPatchOf(options).securityContext).toEqual({ sysctls: [] });
      // kpt's bookkeeping annotations are consumed by kpt, and ours never reach the files.
      expect(gatewayFile).not.toContain('config.kubernetes.io');
      expect(gatewayFile).not.toContain('gateway-compat.io/krm-host-added');

      // Kptfile and local-config objects are the package's own; they are not touched.
      expect(after.Kptfile).toBe(original.Kptfile);
      expect(after['local/local-config-example.yaml']).toBe(original['local/local-config-example.yaml']);
      // Each change is reported as a KRM result, which kpt prints.
      expect(ran.stderr).toContain(
        '[info] apps/v1/Deployment/istio-ingress/istio-ingressgateway spec.template.spec.securityContext.sysctls',
      );
      expect(ran.stderr).toContain('[info] v1/ConfigMap/istio-ingress/asm-kube-gateway-options data.deployment');

      // A second run finds nothing to do.
      const again = await kptRun(['eval', 'pkg', '--exec', exec, '--', 'netBindService=true', 'runAsRoot=true']);
      expect(again.status, explain(again)).toBe(0);
      expect(snapshot(pkg)).toEqual(after);
      // No change is reported; warnings (results whose message starts with their [code]) may be.
      const changeResults = again.stderr.split('\n').filter((line) => /^\s*\[info\]/.test(line) && !/: \[[a-z-]+\] /.test(line));
      expect(changeResults).toEqual([]);
    });

    it('a host never gets an empty answer: --check or --write inside --exec is refused and the package stays whole', async () => {
      for (const mode of ['--check', '--write']) {
        const ran = await kptRun(['eval', 'pkg', '--exec', `${exec} ${mode} pkg/deployment.yaml`]);
        expect(ran.status, explain(ran)).not.toBe(0);
        expect(ran.stderr).toContain(`--${mode.slice(2)} works on the files named and prints no manifests on stdout`);
        // kpt deletes every file of a package when a function exits 0 with nothing on stdout
        expect(snapshot(pkg)).toEqual(original);
      }
    });

    it('takes a GatewayCompat object as --fn-config', async () => {
      writeFileSync(
        path.join(work, 'fn-config.yaml'),
        'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nmetadata:\n  name: fix\nspec:\n  gatewayApi:\n    enabled: false\n',
      );
      const ran = await kptRun(['eval', 'pkg', '--exec', exec, '--fn-config', 'fn-config.yaml']);
      expect(ran.status, explain(ran)).toBe(0);
      const after = snapshot(pkg);
      expect(sysctlNames(find(objectsOf(after['deployment.yaml'] as string), 'Deployment', 'istio-ingressgateway'))).not.toContain(SYSCTL);
      expect(after['network/gateway.yaml']).toBe(original['network/gateway.yaml']); // gatewayApi disabled
    });

    it('reads a stream from stdin and prints a stream with -o unwrap', async () => {
      const input = original['network/gateway.yaml'] as string;
      const ran = await kptRun(['eval', '-', '--exec', exec, '-o', 'unwrap'], input);
      expect(ran.status, explain(ran)).toBe(0);
      const objects = objectsOf(ran.stdout);
      expect(objects.map((object) => object.kind).sort()).toEqual(['ConfigMap', 'Gateway', 'Service']);
      expect(ran.stdout).not.toContain('config.kubernetes.io');
      expect(ran.stdout).toContain('# Gateway API gateway');
    });

    it('shows a configuration error and leaves every file untouched', async () => {
      const ran = await kptRun(['eval', 'pkg', '--exec', exec, '--', 'netBindServce=true']);
      expect(ran.status, explain(ran)).toBe(1);
      expect(ran.stderr).toContain('[FAIL]');
      expect(ran.stderr).toContain('[error]');
      expect(ran.stderr).toContain('unknown key "data.netBindServce" (did you mean "netBindService"?)');
      expect(snapshot(pkg)).toEqual(original);
    });

    it('takes every key=value key through real kpt (gatewayTemplate aside: a package may not name a file to read)', async () => {
      const keys = {
        sysctls: 'true',
        removeSysctls: SYSCTL,
        injectionTemplates: 'true',
        injectionTemplateNames: 'gateway,kube-gateway',
        istioValues: 'true',
        netBindService: 'true',
        runAsRoot: 'true',
        gatewayOptions: 'true',
        optionsConfigMap: 'gateway-options',
        gatewayOptionsFor: 'gateway',
        gatewayClassNames: 'istio,istio-*',
        unprivilegedPorts: 'true',
        portOffset: '9000',
        include: '*',
        exclude: 'Secret',
        strict: 'false',
        ignoreWarnings: 'privileged-port',
        validate: 'true',
        maxInputBytes: '64MiB',
      };
      expect(Object.keys(keys).sort()).toEqual(
        Object.keys(FUNCTION_INPUT_KEYS)
          .filter((key) => key !== 'gatewayTemplate')
          .sort(),
      );
      const ran = await kptRun(['eval', 'pkg', '--exec', exec, '--', ...Object.entries(keys).map(([key, value]) => `${key}=${value}`)]);
      expect(ran.status, explain(ran)).toBe(0);
      const after = snapshot(pkg);
      const deployment = find(objectsOf(after['deployment.yaml'] as string), 'Deployment', 'istio-ingressgateway');
      expect(sysctlNames(deployment)).not.toContain(SYSCTL);
      expect(proxySecurityContext(deployment)).toMatchObject({ runAsUser: 0 });
      expect(objectsOf(after['network/gateway.yaml'] as string).find((object) => object.kind === 'ConfigMap')?.metadata?.name).toBe(
        'gateway-options',
      );
    });

    it('maxInputBytes=SIZE refuses a larger package, leaving every file untouched', async () => {
      const ran = await kptRun(['eval', 'pkg', '--exec', exec, '--', 'maxInputBytes=1KiB']);
      expect(ran.status, explain(ran)).toBe(1);
      expect(ran.stderr).toMatch(/the ResourceList is \d+ bytes, more than the limit of 1024 bytes/);
      expect(snapshot(pkg)).toEqual(original);
    });

    it('fails on warnings with --strict in the exec command, leaving every file untouched', async () => {
      // A Gateway whose options ConfigMap is not in the package: gateway-compat can only warn.
      const unresolved =
        'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: internal\n  namespace: istio-ingress\nspec:\n  gatewayClassName: istio\n  infrastructure:\n    parametersRef:\n      group: ""\n      kind: ConfigMap\n      name: managed-elsewhere\n  listeners:\n  - name: http\n    port: 8080\n    protocol: HTTP\n';
      writeFileSync(path.join(pkg, 'network/internal.yaml'), unresolved);
      const before = snapshot(pkg);
      // Flags in the exec command apply over functionConfig; --strict turns warnings into errors.
      const ran = await kptRun(['eval', 'pkg', '--exec', `${exec} --strict`, '--', 'netBindService=true']);
      expect(ran.status, explain(ran)).toBe(1);
      expect(ran.stderr).toContain('[error]');
      expect(ran.stderr).toContain('--strict');
      expect(ran.stderr).toContain('parameters-ref-unresolved');
      expect(snapshot(pkg)).toEqual(before);
    });
  },
);
