// `gateway-compat values`, proven on the outcome: for every Istio chart version in the corpus,
// the real istiod and gateway charts rendered by real Helm 3 with the printed values give a stream
// in which gateway-compat finds nothing left to fix, and whose pods (injected with that istiod as
// the control plane) and Gateway API Deployments pass istio-sim's check.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gateway } from '../helpers/manifests.js';
import { CORPUS, POST_RENDER } from '../helpers/run-cli.js';
import { gatewaysAndCheck, injectAndCheck, istioSimBinary } from './helpers/istio-sim.js';
import { objectsOf } from './helpers/manifests.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';
import { describeWithHost, findHelm, HELM_INSTALL_HINT } from './helpers/tools.js';

const CHARTS = path.join(CORPUS, 'istio/helm-charts');
const VERSIONS = readdirSync(CHARTS).sort();
const helm = findHelm(3);
const GRANTS = ['--net-bind-service', '--run-as-root'];

const GATEWAY_API = gateway('web', 'istio', 'apps');

const gatewayCompat = (args: readonly string[], input: string) => run(process.execPath, [POST_RENDER, ...args], { input });

describeWithHost(
  'gateway-compat values (real Helm 3, real Istio charts, istio-sim)',
  helm,
  { what: 'Helm 3', installHint: HELM_INSTALL_HINT },
  () => {
    const home = scratchDir('values');
    const env = {
      ...process.env,
      HELM_CACHE_HOME: path.join(home, 'cache'),
      HELM_CONFIG_HOME: path.join(home, 'config'),
      HELM_DATA_HOME: path.join(home, 'data'),
    };
    const template = async (release: string, chart: string, namespace: string, valuesFile?: string) => {
      const ran = await run(
        helm as string,
        ['template', release, chart, '-n', namespace, '--kube-version', '1.30.0', ...(valuesFile ? ['-f', valuesFile] : [])],
        { env, cwd: home },
      );
      expect(ran.status, explain(ran)).toBe(0);
      return ran.stdout;
    };
    const values = async (chart: 'istiod' | 'gateway', render: string, flags: readonly string[], file: string) => {
      const ran = await gatewayCompat(['values', '--chart', chart, ...flags], render);
      expect(ran.status, explain(ran)).toBe(0);
      writeFileSync(path.join(home, file), ran.stdout);
      return { file: path.join(home, file), text: ran.stdout, notes: ran.stderr };
    };
    const changesLeft = async (render: string, flags: readonly string[]) => {
      const ran = await gatewayCompat(['--report', 'json', ...flags], render);
      expect(ran.status, explain(ran)).toBe(0);
      return (JSON.parse(ran.stderr) as { changes: { message: string }[] }).changes.map((change) => change.message);
    };

    beforeAll(() => {
      istioSimBinary();
    });

    describe.each(VERSIONS)('Istio %s', (version) => {
      const istiodChart = path.join(CHARTS, version, 'istiod');
      const gatewayChart = path.join(CHARTS, version, 'gateway');

      it('with --net-bind-service --run-as-root: nothing left to fix, injected gateway pods and Gateway API Deployments pass', async () => {
        const istiod = await template('istiod', istiodChart, 'istio-system');
        const gateway = await template('gw', gatewayChart, 'istio-ingress');
        const istiodValues = await values('istiod', istiod, GRANTS, `istiod-${version}.yaml`);
        const gatewayValues = await values('gateway', gateway, GRANTS, `gateway-${version}.yaml`);
        expect(gatewayValues.text).toContain('containerSecurityContext:');

        const istiodFixed = await template('istiod', istiodChart, 'istio-system', istiodValues.file);
        const gatewayFixed = await template('gw', gatewayChart, 'istio-ingress', gatewayValues.file);
        expect(await changesLeft(istiodFixed, GRANTS)).toEqual([]);
        expect(await changesLeft(gatewayFixed, GRANTS)).toEqual([]);

        const cp = path.join(home, `cp-${version}.yaml`);
        writeFileSync(cp, istiodFixed);
        const injected = await injectAndCheck(cp, gatewayFixed);
        expect(injected.inject.status, explain(injected.inject)).toBe(0);
        expect(injected.check.status, explain(injected.check)).toBe(0);
        expect(injected.check.stdout).toMatch(/^PASS .*binds=80:binds/m);

        const deployed = await gatewaysAndCheck(cp, GATEWAY_API);
        expect(deployed.gateways.status, explain(deployed.gateways)).toBe(0);
        expect(deployed.check.status, explain(deployed.check)).toBe(0);
      });

      it('without a grant, --unprivileged-ports: service.ports moves the targetPorts and the injected pods pass', async () => {
        const istiod = await template('istiod', istiodChart, 'istio-system');
        const gateway = await template('gw', gatewayChart, 'istio-ingress');
        const istiodValues = await values('istiod', istiod, [], `istiod-plain-${version}.yaml`);
        const gatewayValues = await values('gateway', gateway, ['--unprivileged-ports'], `gateway-ports-${version}.yaml`);
        expect(gatewayValues.text).toContain('targetPort: 8080');
        const istiodFixed = await template('istiod', istiodChart, 'istio-system', istiodValues.file);
        const gatewayFixed = await template('gw', gatewayChart, 'istio-ingress', gatewayValues.file);
        expect(await changesLeft(istiodFixed, [])).toEqual([]);
        expect(await changesLeft(gatewayFixed, ['--unprivileged-ports'])).toEqual([]);
        // Where the chart has the switch, the value does the work and no template is pinned.
        if (istiod.includes('.Values.gateways.securityContext')) {
          expect(istiodValues.text).toMatch(/^gateways:\n {2}securityContext:\n {4}sysctls: \[\]$/m);
          expect(istiodValues.text).not.toContain('sidecarInjectorWebhook');
        }
        const cp = path.join(home, `cp-plain-${version}.yaml`);
        writeFileSync(cp, istiodFixed);
        const injected = await injectAndCheck(cp, gatewayFixed);
        expect(injected.check.status, explain(injected.check)).toBe(0);
      });

      it('the unchanged charts fail the same check (the control)', async () => {
        const istiod = await template('istiod', istiodChart, 'istio-system');
        const gateway = await template('gw', gatewayChart, 'istio-ingress');
        const cp = path.join(home, `cp-raw-${version}.yaml`);
        writeFileSync(cp, istiod);
        const injected = await injectAndCheck(cp, gateway);
        expect(injected.check.status).toBe(1);
        expect(injected.check.stdout).toContain('sysctl=fail');
      });

      it('--format sail: the Istio resource it prints is a control plane whose gateway pods pass', async () => {
        const istiod = await template('istiod', istiodChart, 'istio-system');
        const gateway = await template('gw', gatewayChart, 'istio-ingress');
        const sail = await values('istiod', istiod, ['--format', 'sail', ...GRANTS], `sail-${version}.yaml`);
        const [istio] = objectsOf(sail.text);
        expect(istio?.kind).toBe('Istio');
        expect(JSON.stringify(istio)).not.toContain('"gateways"');
        const gatewayValues = await values('gateway', gateway, GRANTS, `gateway-sail-${version}.yaml`);
        const gatewayFixed = await template('gw', gatewayChart, 'istio-ingress', gatewayValues.file);
        const injected = await injectAndCheck(sail.file, gatewayFixed);
        expect(injected.inject.status, explain(injected.inject)).toBe(0);
        expect(injected.check.status, explain(injected.check)).toBe(0);
      });
    });

    it('says why when values cannot do it: no injector ConfigMap, an added object, a gateway chart for Sail', async () => {
      const noInjector = await gatewayCompat(
        ['values', '--chart', 'istiod'],
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n',
      );
      expect(noInjector.status).toBe(1);
      expect(noInjector.stdout).toBe('');
      expect(noInjector.stderr).toContain('no istio-sidecar-injector ConfigMap');

      const gateway = await template('gw', path.join(CHARTS, '1.28.10', 'gateway'), 'istio-ingress');
      const withGatewayApi = await gatewayCompat(['values', '--chart', 'gateway'], `${gateway}---\n${GATEWAY_API}`);
      expect(withGatewayApi.status).toBe(1);
      expect(withGatewayApi.stdout).toBe('');
      expect(withGatewayApi.stderr).toMatch(/gateway chart values cannot make these changes: .*Gateway apps\/web/);

      const sailGateway = await gatewayCompat(['values', '--chart', 'gateway', '--format', 'sail'], gateway);
      expect(sailGateway.status).toBe(2);
      expect(sailGateway.stdout).toBe('');

      const broken = await gatewayCompat(['values', '--chart', 'gateway'], `${gateway}---\nkind: [unclosed\n`);
      expect(broken.status).toBe(1);
      expect(broken.stdout).toBe('');
      expect(broken.stderr).toMatch(/^error: document \d+ at line \d+:\d+/);

      const badVersion = await gatewayCompat(['values', '--chart', 'istiod', '--istio-version', 'latest'], gateway);
      expect(badVersion.status).toBe(2);
    });
  },
);
