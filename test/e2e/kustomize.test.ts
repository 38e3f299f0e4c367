// kustomize legacy exec plugin, through the real `kubectl kustomize --enable-alpha-plugins`.
// `gateway-compat install-kustomize-plugin DIR` lays out the plugin; a kustomization lists a
// GatewayCompat object under `transformers:`. The last test records what kubectl does with a KRM
// exec function: it skips it silently (only standalone kustomize runs them, with --enable-exec,
// and standalone kustomize cannot be installed here, so that path is documented, not tested).
import { accessSync, constants, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { POST_RENDER, runCli } from '../helpers/run-cli.js';
import { describeWithHost, findTool } from './helpers/tools.js';
import { addedCapabilities, deploymentPatchOf, find, objectsOf, proxySecurityContext, sysctlNames, SYSCTL } from './helpers/manifests.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';

const FIXTURE = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'kpt-package');
const kubectl = findTool('kubectl');

describeWithHost(
  'kustomize legacy exec plugin (real kubectl kustomize)',
  kubectl,
  { what: 'kubectl', installHint: 'This machine image ships kubectl (Google Cloud CLI packages).' },
  () => {
    const work = scratchDir('kustomize');
    const pluginHome = path.join(work, 'plugin-home');
    const env = { ...process.env, KUSTOMIZE_PLUGIN_HOME: pluginHome, TMPDIR: work };
    const build = (dir: string) => run(kubectl as string, ['kustomize', '--enable-alpha-plugins', dir], { env, cwd: work });

    function kustomization(name: string, transformer: string): string {
      const dir = path.join(work, name);
      mkdirSync(dir, { recursive: true });
      cpSync(path.join(FIXTURE, 'deployment.yaml'), path.join(dir, 'deployment.yaml'));
      cpSync(path.join(FIXTURE, 'network/gateway.yaml'), path.join(dir, 'gateway.yaml'));
      writeFileSync(
        path.join(dir, 'kustomization.yaml'),
        'resources:\n- deployment.yaml\n- gateway.yaml\ntransformers:\n- gateway-compat.yaml\n',
      );
      writeFileSync(path.join(dir, 'gateway-compat.yaml'), transformer);
      return dir;
    }

    it('installs the plugin with `gateway-compat install-kustomize-plugin DIR`', async () => {
      const ran = await run(process.execPath, [POST_RENDER, 'install-kustomize-plugin', pluginHome], { env });
      expect(ran.status, explain(ran)).toBe(0);
      const plugin = path.join(pluginHome, 'gateway-compat.io/v1alpha1/gatewaycompat/GatewayCompat');
      expect(ran.stdout).toContain(`installed ${plugin}`);
      accessSync(plugin, constants.X_OK);
      expect(readFileSync(plugin, 'utf8')).toContain(`exec '${process.execPath}' '`);
    });

    it('transforms the build with the GatewayCompat config, argsOneLiner flags included', async () => {
      const dir = kustomization(
        'ok',
        'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nmetadata:\n  name: gateway-compat\nargsOneLiner: --run-as-root\nspec:\n  netBindService: true\n',
      );
      const ran = await build(dir);
      expect(ran.status, explain(ran)).toBe(0);
      const objects = objectsOf(ran.stdout);
      const deployment = find(objects, 'Deployment', 'istio-ingressgateway');
      expect(sysctlNames(deployment)).not.toContain(SYSCTL);
      // An injected gateway gets NET_BIND_SERVICE from the injection template: a list here would replace the template's.
      expect(addedCapabilities(deployment)).toEqual([]);
      expect(proxySecurityContext(deployment)).toMatchObject({ runAsUser: 0, runAsNonRoot: false }); // from argsOneLiner
      const options = find(objects, 'ConfigMap', 'asm-kube-gateway-options');
      expect(deploymentPatchOf(options).securityContext).toEqual({ sysctls: [] });
      expect(find(objects, 'Gateway', 'public').spec).toMatchObject({
        infrastructure: { parametersRef: { name: 'asm-kube-gateway-options' } },
      });
      expect(ran.stdout).not.toContain('kustomize.config.k8s.io/id'); // kustomize consumes its bookkeeping
    });

    it('a host never gets an empty answer: --check or --write in argsOneLiner fails the build', async () => {
      for (const mode of ['--check', '--write']) {
        const dir = kustomization(
          `file-mode${mode}`,
          `apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nmetadata:\n  name: gateway-compat\nargsOneLiner: ${mode} deployment.yaml\nspec: {}\n`,
        );
        const before = readFileSync(path.join(dir, 'deployment.yaml'), 'utf8');
        const ran = await build(dir);
        expect(ran.status, explain(ran)).not.toBe(0);
        expect(ran.stdout).toBe('');
        expect(ran.stderr).toContain('gateway-compat is running inside kustomize (exec plugin)');
        expect(readFileSync(path.join(dir, 'deployment.yaml'), 'utf8')).toBe(before);
      }
    });

    it('fails the build with a message naming the wrong key', async () => {
      const dir = kustomization(
        'bad',
        'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nmetadata:\n  name: gateway-compat\nspec:\n  netBindServce: true\n',
      );
      const ran = await build(dir);
      expect(ran.status, explain(ran)).toBe(1);
      expect(ran.stdout).toBe('');
      expect(ran.stderr).toContain('unknown key "spec.netBindServce" (did you mean "netBindService"?)');
    });

    it('kubectl kustomize silently skips a KRM exec function (it has no --enable-exec)', async () => {
      const marker = path.join(work, 'krm-function-ran');
      const wrapper = path.join(work, 'krm-fn.sh');
      writeFileSync(wrapper, `#!/bin/sh\ntouch '${marker}'\nexec '${process.execPath}' '${POST_RENDER}' "$@"\n`, { mode: 0o755 });
      const dir = kustomization(
        'krm',
        `apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nmetadata:\n  name: gateway-compat\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ${wrapper}\nspec:\n  netBindService: true\n`,
      );
      const ran = await build(dir);
      expect(ran.status, explain(ran)).toBe(0);
      expect(existsSync(marker)).toBe(false);
      expect(sysctlNames(find(objectsOf(ran.stdout), 'Deployment', 'istio-ingressgateway'))).toContain(SYSCTL);
    });
  },
);

const idsWork = scratchDir('kustomize-ids');

it('keeps kustomize.config.k8s.io/id annotations in what it hands back to kustomize', async () => {
  // kustomize re-serialises our output, so the e2e above cannot see them; call the CLI as kustomize does.
  const work = idsWork;
  const config = path.join(work, 'kust-plugin-config-123');
  const configText = 'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nmetadata:\n  name: gateway-compat\nspec: {}\n';
  writeFileSync(config, configText);
  const input = readFileSync(path.join(FIXTURE, 'network/gateway.yaml'), 'utf8').replace(
    /^metadata:\n  name: (\S+)\n/gm,
    (_all, name: string) =>
      `metadata:\n  annotations:\n    kustomize.config.k8s.io/id: |\n      kind: X\n      name: ${name}\n  name: ${name}\n`,
  );
  const ran = runCli([config], input, { cwd: work, env: { ...process.env, KUSTOMIZE_PLUGIN_CONFIG_STRING: configText } });
  expect(ran.status, ran.stderr).toBe(0);
  expect(ran.stdout.match(/kustomize\.config\.k8s\.io\/id/g)).toHaveLength(2);
  expect(ran.stdout).toContain('name: asm-kube-gateway-options');
});
