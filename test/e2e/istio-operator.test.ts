// IstioOperator (install.istio.io/v1alpha1, `istioctl install -f`): the sysctl in its
// spec.values templates (sidecarInjectorWebhook.templates) and values (gateways.securityContext)
// is handled like a Sail Istio resource's. istioctl cannot be installed here; it renders the same
// istiod chart with spec.values as its values, so the fixed spec.values are rendered with real
// Helm 3 and judged as the values tests judge them: gateway-compat finds nothing left to fix, and
// istio-sim passes the gateway pods injected with that control plane.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, POST_RENDER } from '../helpers/run-cli.js';
import { injectAndCheck, istioSimBinary } from './helpers/istio-sim.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';
import { describeWithHost, findHelm, HELM_INSTALL_HINT } from './helpers/tools.js';
import { helmHomeEnv } from './helpers/helm-home.js';

const CHARTS = path.join(CORPUS, 'istio/helm-charts');
const VERSIONS = readdirSync(CHARTS).sort();
const GRANTS = ['--net-bind-service', '--run-as-root'];
const SYSCTL = { name: 'net.ipv4.ip_unprivileged_port_start', value: '0' };
const helm = findHelm(3);

const gatewayCompat = (args: readonly string[], input: string) => run(process.execPath, [POST_RENDER, ...args], { input });

function istioOperator(values: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: 'control-plane', namespace: 'istio-system' },
    spec: { profile: 'minimal', values },
  });
}

describeWithHost(
  'IstioOperator (spec.values rendered by real Helm 3 as istioctl renders them; istio-sim)',
  helm,
  { what: 'Helm 3', installHint: HELM_INSTALL_HINT },
  () => {
    const work = scratchDir('istio-operator');
    const env = helmHomeEnv(work);
    const template = async (release: string, chart: string, namespace: string, extra: readonly string[] = []) => {
      const ran = await run(helm as string, ['template', release, chart, '-n', namespace, '--kube-version', '1.30.0', ...extra], {
        env,
        cwd: work,
      });
      expect(ran.status, explain(ran)).toBe(0);
      return ran.stdout;
    };
    /** spec.values of the fixed IstioOperator, rendered through the istiod chart. */
    const renderValuesOf = async (operator: string, version: string, name: string) => {
      const values = (parse(operator) as { spec: { values: unknown } }).spec.values;
      const file = path.join(work, `${name}-${version}.yaml`);
      writeFileSync(file, stringify(values));
      return template('istiod', path.join(CHARTS, version, 'istiod'), 'istio-system', ['-f', file]);
    };
    const changesLeft = async (render: string, flags: readonly string[]) => {
      const ran = await gatewayCompat(['--report', 'json', ...flags], render);
      expect(ran.status, explain(ran)).toBe(0);
      return (JSON.parse(ran.stderr) as { changes: unknown[] }).changes;
    };
    beforeAll(() => {
      istioSimBinary();
    });

    describe.each(VERSIONS)('Istio %s', (version) => {
      const files = path.join(CHARTS, version, 'istiod/files');
      const gatewayChart = path.join(CHARTS, version, 'gateway');

      it('templates in spec.values (gateway, kube-gateway, agentgateway): rewritten with the grants; the render is clean and its gateway pods pass', async () => {
        const templates: Record<string, string> = {
          gateway: readFileSync(path.join(files, 'gateway-injection-template.yaml'), 'utf8'),
          'kube-gateway': readFileSync(path.join(files, 'kube-gateway.yaml'), 'utf8'),
        };
        if (existsSync(path.join(files, 'agentgateway.yaml')))
          templates.agentgateway = readFileSync(path.join(files, 'agentgateway.yaml'), 'utf8');
        const operator = istioOperator({ sidecarInjectorWebhook: { templates } });
        const fixed = await gatewayCompat(['--report', 'json', ...GRANTS], operator);
        expect(fixed.status, explain(fixed)).toBe(0);
        expect(
          (JSON.parse(fixed.stderr) as { changes: { rule: string }[] }).changes.some((change) => change.rule === 'injectionTemplates'),
        ).toBe(true);
        const render = await renderValuesOf(fixed.stdout, version, 'templates');
        expect(await changesLeft(render, GRANTS)).toEqual([]);
        const gateway = await template('gw', gatewayChart, 'istio-ingress', [
          '--post-renderer',
          POST_RENDER,
          ...GRANTS.flatMap((flag) => ['--post-renderer-args', flag]),
        ]);
        const controlPlane = path.join(work, `cp-templates-${version}.yaml`);
        writeFileSync(controlPlane, render);
        const injected = await injectAndCheck(controlPlane, gateway);
        expect(injected.check.status, explain(injected.check)).toBe(0);
      });

      it('gateways.securityContext carrying the sysctl in spec.values: the sysctl goes; the render is clean and its gateway pods pass', async () => {
        const operator = istioOperator({ gateways: { securityContext: { fsGroup: 1337, sysctls: [SYSCTL] } } });
        const fixed = await gatewayCompat([], operator);
        expect(fixed.status, explain(fixed)).toBe(0);
        const values = (parse(fixed.stdout) as { spec: { values: { gateways: { securityContext: Record<string, unknown> } } } }).spec
          .values;
        expect(values.gateways.securityContext).toEqual({ fsGroup: 1337, sysctls: [] });
        const render = await renderValuesOf(fixed.stdout, version, 'values');
        const gateway = await template('gw', gatewayChart, 'istio-ingress', [
          '--post-renderer',
          POST_RENDER,
          '--post-renderer-args',
          '--unprivileged-ports',
        ]);
        const controlPlane = path.join(work, `cp-values-${version}.yaml`);
        writeFileSync(controlPlane, render);
        const injected = await injectAndCheck(controlPlane, gateway);
        if (render.includes('.Values.gateways.securityContext')) {
          // the chart has the switch: the value reaches every gateway template and nothing is left
          expect(await changesLeft(render, [])).toEqual([]);
          expect(injected.check.status, explain(injected.check)).toBe(0);
        }
      });

      it('values --format istiooperator: its spec.values render clean with pods that pass', async () => {
        const istiod = await template('istiod', path.join(CHARTS, version, 'istiod'), 'istio-system');
        const printed = await gatewayCompat(['values', '--chart', 'istiod', '--format', 'istiooperator', ...GRANTS], istiod);
        expect(printed.status, explain(printed)).toBe(0);
        expect(parse(printed.stdout.replace(/^#.*\n/, ''))).toMatchObject({
          apiVersion: 'install.istio.io/v1alpha1',
          kind: 'IstioOperator',
        });
        const render = await renderValuesOf(printed.stdout, version, 'printed');
        expect(await changesLeft(render, GRANTS)).toEqual([]);
        const gateway = await template('gw', gatewayChart, 'istio-ingress', [
          '--post-renderer',
          POST_RENDER,
          ...GRANTS.flatMap((flag) => ['--post-renderer-args', flag]),
        ]);
        const controlPlane = path.join(work, `cp-printed-${version}.yaml`);
        writeFileSync(controlPlane, render);
        const injected = await injectAndCheck(controlPlane, gateway);
        expect(injected.check.status, explain(injected.check)).toBe(0);
      });
    });

    it('without a template: a warning that names both ways out; with --gateway-template the template is set', async () => {
      const operator = istioOperator({ global: { hub: 'docker.io/istio' } });
      const warned = await gatewayCompat(['--report', 'json'], operator);
      expect(warned.status, explain(warned)).toBe(0);
      const warnings = (JSON.parse(warned.stderr) as { warnings: { code: string; message: string }[] }).warnings;
      expect(warnings.find((warning) => warning.code === 'istio-cr-without-template')?.message).toContain('--format istiooperator');
      const template = path.join(CORPUS, 'istio/injection-templates/1.27.0/gateway-injection-template.yaml');
      const set = await gatewayCompat(['--gateway-template', template], operator);
      expect(set.status, explain(set)).toBe(0);
      const gateway = (parse(set.stdout) as { spec: { values: { sidecarInjectorWebhook: { templates: { gateway: string } } } } }).spec
        .values.sidecarInjectorWebhook.templates.gateway;
      expect(gateway).toContain('sysctls: []');
      expect(gateway).not.toContain('ip_unprivileged_port_start');
    });
  },
);
