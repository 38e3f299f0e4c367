// `gateway-compat sail`, for a Sail operator Istio resource on a live cluster. No cluster here:
// the resources are recorded `kubectl get istio -o yaml` outputs and the sample CR, the script runs
// against a kubectl stand-in that only records its arguments (nothing is applied), and what the
// patched resource does to gateway pods is judged by istio-sim with that resource as the control
// plane (Istio's built-in template of each corpus version given as Sail's chart would have it).
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { gateway } from '../helpers/manifests.js';
import { CORPUS, POST_RENDER } from '../helpers/run-cli.js';
import { gatewaysAndCheck, injectAndCheck, istioSimBinary } from './helpers/istio-sim.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';
import { describeWithHost, findHelm, HELM_INSTALL_HINT } from './helpers/tools.js';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'sail');
const CHARTS = path.join(CORPUS, 'istio/helm-charts');
const VERSIONS = readdirSync(CHARTS).sort();
const GRANTS = ['--net-bind-service', '--run-as-root'];
const helm = findHelm(3);

type Json = Record<string, unknown>;

/** RFC 7386 JSON merge patch, written here from the RFC (not from the tool). */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Json = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [key, value] of Object.entries(patch as Json)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

const gatewayCompat = (args: readonly string[], input: string) => run(process.execPath, [POST_RENDER, 'sail', ...args], { input });

const GATEWAY_API = gateway('web', 'istio', 'apps');

describeWithHost(
  'gateway-compat sail (recorded Istio resources, istio-sim)',
  helm,
  { what: 'Helm 3', installHint: HELM_INSTALL_HINT },
  () => {
    const work = scratchDir('sail');
    const env = {
      ...process.env,
      HELM_CACHE_HOME: path.join(work, 'hc'),
      HELM_CONFIG_HOME: path.join(work, 'hf'),
      HELM_DATA_HOME: path.join(work, 'hd'),
    };
    beforeAll(() => {
      istioSimBinary();
    });

    describe.each(VERSIONS)('Istio %s, resource without a gateway template: the additive route', (version) => {
      it('the stacked template takes the sysctl out of the gateway pods, grants included; on 1.26+ class defaults fix Gateway API Deployments', async () => {
        const cr = `apiVersion: sailoperator.io/v1\nkind: Istio\nmetadata:\n  name: default\nspec:\n  namespace: istio-system\n  version: v${version}\n`;
        const patched = await gatewayCompat(['--format', 'patch', ...GRANTS], cr);
        expect(patched.status, explain(patched)).toBe(0);
        const patch = JSON.parse(patched.stdout) as Json;
        const templates = (patch as { spec: { values: { sidecarInjectorWebhook: { templates: Json } } } }).spec.values
          .sidecarInjectorWebhook.templates;
        expect(Object.keys(templates)).toEqual(['gateway-compat']);
        const controlPlane = path.join(work, `istio-${version}.yaml`);
        writeFileSync(controlPlane, JSON.stringify(mergePatch(parse(cr), patch)));
        const builtIn = path.join(CHARTS, version, 'istiod/files/gateway-injection-template.yaml');

        const render = (annotation: string) =>
          run(
            helm as string,
            [
              'template',
              'gw',
              path.join(CHARTS, version, 'gateway'),
              '-n',
              'istio-ingress',
              '--kube-version',
              '1.30.0',
              '--set-string',
              `podAnnotations.inject\\.istio\\.io/templates=${annotation}`,
              '--post-renderer',
              POST_RENDER,
              ...GRANTS.flatMap((flag) => ['--post-renderer-args', flag]),
            ],
            { env, cwd: work },
          );
        const stacked = await render('gateway\\,gateway-compat');
        expect(stacked.status, explain(stacked)).toBe(0);
        expect(stacked.stdout).toContain('inject.istio.io/templates: gateway,gateway-compat');
        const fixed = await injectAndCheck(controlPlane, stacked.stdout, ['--template', `gateway=${builtIn}`]);
        expect(fixed.inject.status, explain(fixed.inject)).toBe(0);
        expect(fixed.check.status, explain(fixed.check)).toBe(0);

        // The control: the same pods asking for `gateway` alone get the built-in sysctl back.
        const alone = await render('gateway');
        const control = await injectAndCheck(controlPlane, alone.stdout, ['--template', `gateway=${builtIn}`]);
        if (readFileSync(builtIn, 'utf8').includes('ip_unprivileged_port_start')) {
          expect(control.check.status).toBe(1);
          expect(control.check.stdout).toContain('sysctl=fail');
        }

        const values = (patch as { spec: { values: Json } }).spec.values;
        if (version >= '1.26') {
          expect(Object.keys(values.gatewayClasses as Json)).toContain('istio');
          const kubeGateway = path.join(CHARTS, version, 'istiod/files/kube-gateway.yaml');
          const deployed = await gatewaysAndCheck(controlPlane, GATEWAY_API, [
            '--template',
            `kube-gateway=${kubeGateway}`,
            '--istio-version',
            version,
          ]);
          expect(deployed.gateways.status, explain(deployed.gateways)).toBe(0);
          expect(deployed.check.status, explain(deployed.check)).toBe(0);
        } else {
          expect(values.gatewayClasses).toBeUndefined();
          expect(patched.stderr).toContain('before Istio 1.26 there are no class defaults');
        }
      });
    });

    it('the script for a recorded kubectl get istio: patch, wait, annotate; run against a kubectl that only records', async () => {
      const recorded = readFileSync(path.join(FIXTURES, 'kubectl-get-istio-default.yaml'), 'utf8');
      const scripted = await gatewayCompat(['--gateway-deployment', 'istio-ingress/gw', ...GRANTS], recorded);
      expect(scripted.status, explain(scripted)).toBe(0);
      const script = scripted.stdout;
      expect(script).toMatch(/^kubectl patch istio 'default' --type=merge -p '\{.*\}'$/m);
      expect(script).toContain('kubectl wait --for condition=Ready istio/default --timeout=3m');

      const bin = path.join(work, 'bin');
      mkdirSync(bin, { recursive: true });
      const log = path.join(work, 'kubectl.log');
      writeFileSync(
        path.join(bin, 'kubectl'),
        `#!/usr/bin/env node\nrequire('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`,
      );
      chmodSync(path.join(bin, 'kubectl'), 0o755);
      writeFileSync(path.join(work, 'fix.sh'), script);
      const ran = await run('sh', [path.join(work, 'fix.sh')], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
      expect(ran.status, explain(ran)).toBe(0);
      const calls = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as string[]);
      expect(calls.map((call) => call.slice(0, 2))).toEqual([
        ['patch', 'istio'],
        ['wait', '--for'],
        ['-n', 'istio-ingress'],
      ]);
      const patch = JSON.parse(calls[0]?.[5] ?? '{}') as Json;
      const asPatch = await gatewayCompat(['--format', 'patch', ...GRANTS], recorded);
      expect(patch).toEqual(JSON.parse(asPatch.stdout));
      expect(calls[2]).toEqual([
        '-n',
        'istio-ingress',
        'patch',
        'deployment',
        'gw',
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { template: { metadata: { annotations: { 'inject.istio.io/templates': 'gateway,gateway-compat' } } } } }),
      ]);
    });

    it('a resource with its own gateway template: the merge patch sets it rewritten, as the post-renderer writes it', async () => {
      const recorded = readFileSync(path.join(FIXTURES, 'kubectl-get-istio-with-template.yaml'), 'utf8');
      const asPatch = await gatewayCompat(['--format', 'patch', ...GRANTS], recorded);
      expect(asPatch.status, explain(asPatch)).toBe(0);
      const direct = await run(process.execPath, [POST_RENDER, ...GRANTS], { input: recorded });
      const expected = parse(direct.stdout) as Json;
      expect(mergePatch(parse(recorded), JSON.parse(asPatch.stdout))).toEqual(expected);
      const script = await gatewayCompat(['--gateway-deployment', 'istio-ingress/gw'], recorded);
      expect(script.stdout).toContain("kubectl -n 'istio-ingress' rollout restart deployment 'gw'");
    });

    it('no template and a version the additive route was not shown on: --gateway-template is required', async () => {
      const sample = readFileSync(path.join(CORPUS, 'sail-operator/samples/istio-sample.yaml'), 'utf8');
      const refused = await gatewayCompat([], sample);
      expect(refused.status).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('--gateway-template FILE');
      const template = path.join(CORPUS, 'istio/injection-templates/1.27.0/gateway-injection-template.yaml');
      const withTemplate = await gatewayCompat(['--format', 'patch', '--gateway-template', template], sample);
      expect(withTemplate.status, explain(withTemplate)).toBe(0);
      const gateway = (
        JSON.parse(withTemplate.stdout) as { spec: { values: { sidecarInjectorWebhook: { templates: { gateway: string } } } } }
      ).spec.values.sidecarInjectorWebhook.templates.gateway;
      expect(gateway).not.toContain('ip_unprivileged_port_start');
    });

    it('bad input and usage: located errors, exit 1 or 2, nothing on stdout', async () => {
      const broken = await gatewayCompat([], 'apiVersion: sailoperator.io/v1\nkind: Istio\nmetadata: {name: [x\n');
      expect(broken.status).toBe(1);
      expect(broken.stdout).toBe('');
      expect(broken.stderr).toMatch(/^error: document 1 at line \d+:\d+/);
      const none = await gatewayCompat([], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
      expect(none.status).toBe(1);
      expect(none.stderr).toContain('no Sail operator Istio resource');
      const usage = await gatewayCompat(['--gateway-deployment', "a/b';rm -rf /"], 'x: 1\n');
      expect(usage.status).toBe(2);
      expect(usage.stdout).toBe('');
    });
  },
);
