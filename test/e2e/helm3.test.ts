// Helm 3: `helm template ... --post-renderer <path>/bin/post-render --post-renderer-args ...`,
// through the real Helm 3 binary, over the small gateway chart in test/charts/gateway.
import path from 'node:path';
import { expect, it } from 'vitest';
import { POST_RENDER, REPO_ROOT, runCli } from '../helpers/run-cli.js';
import { describeWithHost, findHelm, HELM_INSTALL_HINT } from './helpers/tools.js';
import { addedCapabilities, deploymentPatchOf, find, objectsOf, proxySecurityContext, sysctlNames, SYSCTL } from './helpers/manifests.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';
import { helmHomeEnv } from './helpers/helm-home.js';

const CHART = path.join(REPO_ROOT, 'test/charts/gateway');
const helm = findHelm(3);

describeWithHost('Helm 3 --post-renderer (real helm v3)', helm, { what: 'Helm 3', installHint: HELM_INSTALL_HINT }, () => {
  const home = scratchDir('helm3');
  const env = helmHomeEnv(home);
  const template = (...extra: string[]) =>
    run(helm as string, ['template', 'gw', CHART, '--namespace', 'istio-ingress', ...extra], { env, cwd: home });

  it('a host never gets an empty answer: --check or --write in --post-renderer-args fails the install', async () => {
    for (const mode of ['--check', '--write']) {
      const ran = await template(
        '--post-renderer',
        POST_RENDER,
        '--post-renderer-args',
        mode,
        '--post-renderer-args',
        path.join(CHART, 'templates/deployment.yaml'),
      );
      expect(ran.status, explain(ran)).not.toBe(0);
      expect(ran.stdout).toBe('');
      expect(ran.stderr).toContain(`--${mode.slice(2)} works on the files named and prints no manifests on stdout`);
    }
  });

  it('fixes the gateway Deployment, wires the Gateway to an added options ConfigMap and keeps # Source comments', async () => {
    const ran = await template('--post-renderer', POST_RENDER, '--post-renderer-args', '--run-as-root');
    expect(ran.status, explain(ran)).toBe(0);
    const objects = objectsOf(ran.stdout);

    const deployment = find(objects, 'Deployment', 'gw');
    expect(sysctlNames(deployment)).not.toContain(SYSCTL);
    // uid 0 here; NET_BIND_SERVICE comes from the injection template (the istiod release).
    expect(proxySecurityContext(deployment)).toMatchObject({ runAsUser: 0, runAsNonRoot: false });
    expect(addedCapabilities(deployment)).toEqual([]);

    const gateway = find(objects, 'Gateway', 'gw-api');
    expect((gateway.spec as { infrastructure: unknown }).infrastructure).toEqual({
      parametersRef: { group: '', kind: 'ConfigMap', name: 'asm-kube-gateway-options' },
    });
    const options = find(objects, 'ConfigMap', 'asm-kube-gateway-options');
    expect(options.metadata.namespace).toBe('istio-ingress');
    expect(deploymentPatchOf(options).securityContext).toEqual({ sysctls: [] });

    // Untouched documents come through byte for byte, their # Source comment included.
    for (const file of ['service.yaml', 'deployment.yaml', 'gateway.yaml']) {
      expect(ran.stdout).toContain(`# Source: gateway/templates/${file}\n`);
    }
    // Helm 3 never post-renders hooks: the smoke-test Job keeps its sysctl (Helm 4 fixes it).
    expect(sysctlNames(find(objects, 'Job', 'gw-smoke-test'))).toContain(SYSCTL);
  });

  it('prints exactly what post-render makes of the rendered chart, then the hooks', async () => {
    const plain = await template('--no-hooks');
    expect(plain.status, explain(plain)).toBe(0);
    const direct = runCli(['--net-bind-service'], plain.stdout);
    expect(direct.status, direct.stderr).toBe(0);

    const viaHelm = await template('--post-renderer', POST_RENDER, '--post-renderer-args', '--net-bind-service');
    expect(viaHelm.status, explain(viaHelm)).toBe(0);
    expect(viaHelm.stdout.startsWith(direct.stdout)).toBe(true);
    expect(viaHelm.stdout.slice(direct.stdout.length)).toContain('helm.sh/hook: post-install');
  });

  it("fails the render and shows post-render's message when the configuration is wrong", async () => {
    const ran = await template('--post-renderer', POST_RENDER, '--post-renderer-args', '--options-configmap=Not_A_Name');
    expect(ran.status, explain(ran)).toBe(1);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain('error while running post render');
    expect(ran.stderr).toContain('spec.gatewayApi.optionsConfigMap must match pattern');
  });
});
