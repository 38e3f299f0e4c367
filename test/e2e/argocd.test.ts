// The Argo CD recipe (examples/argocd/): the Config Management Plugin's generate command, run the
// way Argo CD's CMP server runs it (the application's folder as working directory, ARGOCD_APP_NAME,
// ARGOCD_APP_NAMESPACE, KUBE_VERSION and the Application's plugin env as ARGOCD_ENV_*), against the
// real Istio gateway chart with real Helm 3 and the real gateway-compat. The image (Dockerfile) is
// planned, not built: no container engine here; the test checks that it provides what the plugin
// calls.
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { expect, it } from 'vitest';
import { CORPUS, POST_RENDER, REPO_ROOT } from '../helpers/run-cli.js';
import { find, objectsOf, proxySecurityContext, sysctlNames, SYSCTL } from './helpers/manifests.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';
import { describeWithHost, findHelm, HELM_INSTALL_HINT } from './helpers/tools.js';
import { helmHomeEnv } from './helpers/helm-home.js';

const RECIPE = path.join(REPO_ROOT, 'examples/argocd');
const helm = findHelm(3);

interface Plugin {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { generate: { command: string[]; args?: string[] }; discover?: { fileName?: string } };
}

describeWithHost(
  'Argo CD Config Management Plugin (generate run as the CMP server runs it, real Helm 3)',
  helm,
  { what: 'Helm 3', installHint: HELM_INSTALL_HINT },
  () => {
    const work = scratchDir('argocd');
    const plugin = parse(readFileSync(path.join(RECIPE, 'plugin.yaml'), 'utf8')) as Plugin;

    // What the image puts on PATH (Dockerfile): helm, gateway-compat, and generate.sh under the
    // name plugin.yaml calls.
    const bin = path.join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(helm as string, path.join(bin, 'helm'));
    writeFileSync(path.join(bin, 'gateway-compat'), `#!/bin/sh\nexec '${process.execPath}' '${POST_RENDER}' "$@"\n`, { mode: 0o755 });
    const dockerfile = readFileSync(path.join(RECIPE, 'Dockerfile'), 'utf8');
    const installed = /^COPY generate\.sh (\S+)$/m.exec(dockerfile)?.[1] ?? '';
    symlinkSync(path.join(RECIPE, 'generate.sh'), path.join(bin, path.basename(installed)));

    function app(name: string): string {
      const dir = path.join(work, name);
      cpSync(path.join(CORPUS, 'istio/helm-charts/1.28.10/gateway'), dir, { recursive: true });
      writeFileSync(path.join(dir, 'values-prod.yaml'), 'autoscaling:\n  enabled: false\nreplicaCount: 3\n');
      return dir;
    }

    function generate(cwd: string, env: Record<string, string>) {
      const [command, ...fixed] = plugin.spec.generate.command;
      const home = path.join(work, 'home');
      return run(command as string, [...fixed, ...(plugin.spec.generate.args ?? [])], {
        cwd,
        env: {
          ...helmHomeEnv(home, { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, HOME: home }),
          ARGOCD_APP_NAME: 'istio-ingress',
          ARGOCD_APP_NAMESPACE: 'istio-ingress',
          ARGOCD_APP_REVISION: '0f3c2a1',
          ARGOCD_APP_SOURCE_PATH: 'gateways/ingress',
          ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/platform.git',
          KUBE_VERSION: '1.30',
          KUBE_API_VERSIONS: 'v1,apps/v1,gateway.networking.k8s.io/v1',
          ...env,
        },
      });
    }

    it('is a CMP sidecar plugin that the image can run, in a Debian-based image', () => {
      expect(plugin.apiVersion).toBe('argoproj.io/v1alpha1');
      expect(plugin.kind).toBe('ConfigManagementPlugin');
      expect(plugin.spec.discover?.fileName).toBe('./Chart.yaml');
      expect(installed).toBe(`/usr/local/bin/${plugin.spec.generate.command[0]}`);
      expect(dockerfile).toMatch(/^FROM \S+bookworm\S*$/m);
      expect(dockerfile).not.toMatch(/^FROM .*alpine/im);
      expect(dockerfile).toContain('npm install --global "gateway-compat@');
      const [sidecar] = parseAllDocuments(readFileSync(path.join(RECIPE, 'sidecar.yaml'), 'utf8')).map((doc) => doc.toJS());
      const container = sidecar.spec.template.spec.containers[0];
      expect(container.command).toEqual(['/var/run/argocd/argocd-cmp-server']);
      expect(container.securityContext.runAsUser).toBe(999);
      expect(container.volumeMounts).toContainEqual({
        name: 'gateway-compat-plugin',
        mountPath: '/home/argocd/cmp-server/config/plugin.yaml',
        subPath: 'plugin.yaml',
      });
      expect(container.volumeMounts.map((mount: { mountPath: string }) => mount.mountPath)).toEqual(
        expect.arrayContaining(['/var/run/argocd', '/home/argocd/cmp-server/plugins']),
      );
    });

    it("prints the chart rendered with its values and fixed by gateway-compat with the Application's flags", async () => {
      const dir = app('ok');
      const ran = await generate(dir, {
        ARGOCD_ENV_HELM_VALUES: 'values-prod.yaml',
        ARGOCD_ENV_GATEWAY_COMPAT_ARGS: '--net-bind-service --run-as-root',
      });
      expect(ran.status, explain(ran)).toBe(0);
      const objects = objectsOf(ran.stdout);
      const deployment = find(objects, 'Deployment', 'istio-ingress');
      expect(deployment.metadata.namespace).toBe('istio-ingress');
      expect((deployment.spec as { replicas: number }).replicas).toBe(3);
      expect(sysctlNames(deployment)).not.toContain(SYSCTL);
      // the grant the gateway release carries (NET_BIND_SERVICE comes from the injection template at admission)
      expect(proxySecurityContext(deployment)?.runAsUser).toBe(0);
      expect(ran.stdout).toContain('# Source: gateway/templates/deployment.yaml');
    });

    it('fails the sync, with nothing on stdout, when helm fails or a flag is bad', async () => {
      const broken = app('broken');
      writeFileSync(path.join(broken, 'templates', 'broken.yaml'), '{{ .Values.nope.deeper }}\n');
      const helmFails = await generate(broken, {});
      expect(helmFails.status).not.toBe(0);
      expect(helmFails.stdout).toBe('');

      const badFlag = await generate(app('bad-flag'), { ARGOCD_ENV_GATEWAY_COMPAT_ARGS: '--no-such-flag' });
      expect(badFlag.status).not.toBe(0);
      expect(badFlag.stdout).toBe('');
    });

    it('never evaluates the env it is given, keeps values files inside the folder, refuses file modes', async () => {
      const dir = app('hostile');
      const marker = path.join(work, 'pwned');
      const substitution = await generate(dir, { ARGOCD_ENV_GATEWAY_COMPAT_ARGS: `$(touch ${marker}) *` });
      expect(substitution.status).not.toBe(0);
      expect(existsSync(marker)).toBe(false);
      const escape = await generate(dir, { ARGOCD_ENV_HELM_VALUES: '../../etc/passwd' });
      expect(escape.status).toBe(1);
      expect(escape.stderr).toContain('must be a path inside the application');
      const write = await generate(dir, { ARGOCD_ENV_GATEWAY_COMPAT_ARGS: '--write Chart.yaml' });
      expect(write.status).toBe(1);
      expect(write.stdout).toBe('');
    });
  },
);
