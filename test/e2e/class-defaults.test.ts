// --gateway-options class (Istio 1.26+): instead of a parametersRef on every Gateway, Istio's
// class-defaults ConfigMap (label gateway.istio.io/defaults-for-class, name
// istio-<rev>-gatewayclass-<class>) in the control plane's namespace, written into the istiod
// release. Proven with istio-sim's Gateway API controller on Gateways that never passed through
// gateway-compat, for every corpus chart of 1.26 and later; older charts get an error naming why.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gateway, stream } from '../helpers/manifests.js';
import { CORPUS, POST_RENDER } from '../helpers/run-cli.js';
import { gatewaysAndCheck, istioSimBinary } from './helpers/istio-sim.js';
import { find, objectsOf } from './helpers/manifests.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';
import { describeWithHost, findHelm, HELM_INSTALL_HINT } from './helpers/tools.js';
import { helmHomeEnv } from './helpers/helm-home.js';

const CHARTS = path.join(CORPUS, 'istio/helm-charts');
const VERSIONS = readdirSync(CHARTS).sort();
const GRANTS = ['--net-bind-service', '--run-as-root'];
const helm = findHelm(3);
// Gateways in two namespaces, never post-rendered: no parametersRef, no options ConfigMap.
const GATEWAYS = stream(gateway('web', 'istio', 'apps'), gateway('edge', 'istio', 'other'));

const gatewayCompat = (args: readonly string[], input: string) => run(process.execPath, [POST_RENDER, ...args], { input });
const atLeast126 = (version: string) => Number(version.split('.')[1]) >= 26;

describeWithHost(
  '--gateway-options class (real Helm 3, istio-sim gateways)',
  helm,
  { what: 'Helm 3', installHint: HELM_INSTALL_HINT },
  () => {
    const work = scratchDir('class-defaults');
    const env = helmHomeEnv(work);
    const template = async (version: string, ...extra: string[]) => {
      const ran = await run(
        helm as string,
        ['template', 'istiod', path.join(CHARTS, version, 'istiod'), '-n', 'istio-system', '--kube-version', '1.30.0', ...extra],
        { env, cwd: work },
      );
      expect(ran.status, explain(ran)).toBe(0);
      return ran.stdout;
    };
    beforeAll(() => {
      istioSimBinary();
    });

    describe.each(VERSIONS.filter(atLeast126))('Istio %s', (version) => {
      it('the istiod release gets the class-defaults ConfigMap; Gateways that never passed through the tool deploy without the sysctl and bind 80', async () => {
        const istiod = await template(version);
        const fixed = await gatewayCompat(['--gateway-options', 'class', ...GRANTS], istiod);
        expect(fixed.status, explain(fixed)).toBe(0);
        const defaults = find(objectsOf(fixed.stdout), 'ConfigMap', 'istio-default-gatewayclass-istio');
        expect(defaults.metadata.namespace).toBe('istio-system');
        expect(defaults.metadata.labels?.['gateway.istio.io/defaults-for-class']).toBe('istio');
        const controlPlane = path.join(work, `cp-${version}.yaml`);
        writeFileSync(controlPlane, fixed.stdout);
        const deployed = await gatewaysAndCheck(controlPlane, GATEWAYS);
        expect(deployed.gateways.status, explain(deployed.gateways)).toBe(0);
        expect(deployed.check.status, explain(deployed.check)).toBe(0);
        expect(deployed.check.stdout.match(/^PASS /gm)?.length).toBe(2);

        // The class defaults alone do it, with the kube-gateway template left as Istio ships it ...
        const only = await gatewayCompat(['--gateway-options', 'class', '--no-injection-templates', ...GRANTS], istiod);
        expect(only.status, explain(only)).toBe(0);
        expect(only.stdout).toContain('ip_unprivileged_port_start');
        const onlyPlane = path.join(work, `cp-only-${version}.yaml`);
        writeFileSync(onlyPlane, only.stdout);
        const alone = await gatewaysAndCheck(onlyPlane, GATEWAYS);
        expect(alone.check.status, explain(alone.check)).toBe(0);
        // ... and the control: that control plane without them fails.
        const bare = path.join(work, `cp-raw-${version}.yaml`);
        writeFileSync(bare, istiod);
        const without = await gatewaysAndCheck(bare, GATEWAYS);
        expect(without.check.status).toBe(1);
        expect(without.check.stdout).toContain('sysctl=fail');
      });

      it('a revision: istio-<rev>-gatewayclass-<class>, labelled with the revision', async () => {
        const istiod = await template(version, '--set', 'revision=canary');
        const fixed = await gatewayCompat(['--gateway-options', 'class'], istiod);
        expect(fixed.status, explain(fixed)).toBe(0);
        const defaults = find(objectsOf(fixed.stdout), 'ConfigMap', 'istio-canary-gatewayclass-istio');
        expect(defaults.metadata.labels?.['istio.io/rev']).toBe('canary');
      });

      it('class defaults the chart already renders (gatewayClasses) get the patch merged in, nothing added', async () => {
        const values = path.join(work, `classes-${version}.yaml`);
        writeFileSync(values, 'gatewayClasses:\n  istio:\n    service:\n      spec:\n        type: ClusterIP\n');
        const istiod = await template(version, '-f', values);
        const fixed = await gatewayCompat(['--gateway-options', 'class', '--gateway-class', 'istio', '--report', 'json'], istiod);
        expect(fixed.status, explain(fixed)).toBe(0);
        const report = JSON.parse(fixed.stderr) as { summary: { addedDocuments: number } };
        expect(report.summary.addedDocuments).toBe(0);
        const defaults = find(objectsOf(fixed.stdout), 'ConfigMap', 'istio-default-gatewayclass-istio');
        expect((defaults.data as Record<string, string>).service).toContain('ClusterIP');
        expect((defaults.data as Record<string, string>).deployment).toContain('sysctls: []');
        const controlPlane = path.join(work, `cp-merged-${version}.yaml`);
        writeFileSync(controlPlane, fixed.stdout);
        const deployed = await gatewaysAndCheck(controlPlane, stream(gateway('web', 'istio', 'apps')));
        expect(deployed.gateways.status, explain(deployed.gateways)).toBe(0);
        expect(deployed.check.stdout).toContain('sysctl=pass');
        expect(deployed.gateways.stdout).toContain('type: ClusterIP');
      });

      it('values --gateway-options class prints the same defaults as gatewayClasses', async () => {
        const istiod = await template(version);
        const printed = await gatewayCompat(['values', '--chart', 'istiod', '--gateway-options', 'class', ...GRANTS], istiod);
        expect(printed.status, explain(printed)).toBe(0);
        expect(printed.stdout).toMatch(/^gatewayClasses:\n {2}istio:\n {4}deployment:/m);
      });
    });

    it.each(VERSIONS.filter((version) => !atLeast126(version)))('Istio %s: a clear error, nothing on stdout', async (version) => {
      const istiod = await template(version);
      const refused = await gatewayCompat(['--gateway-options', 'class'], istiod);
      expect(refused.status).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/Istio 1\.26/);
      const values = await gatewayCompat(['values', '--chart', 'istiod', '--gateway-options', 'class'], istiod);
      expect(values.status).toBe(1);
      expect(values.stderr).toMatch(/Istio 1\.26/);
    });

    it('a gateway release (no control plane in the stream): Gateways are left alone, and a note says where the defaults go', async () => {
      const ran = await gatewayCompat(['--gateway-options', 'class', '--report', 'json'], GATEWAYS);
      expect(ran.status, explain(ran)).toBe(0);
      expect(ran.stdout).toBe(GATEWAYS);
      const report = JSON.parse(ran.stderr) as { warnings: { code: string; message: string }[] };
      expect(report.warnings.map((warning) => warning.message).join('\n')).toContain('--gateway-options class');
    });

    it('a bad value is a usage error', async () => {
      const ran = await gatewayCompat(['--gateway-options', 'namespace'], GATEWAYS);
      expect(ran.status).toBe(2);
      expect(ran.stdout).toBe('');
    });
  },
);
