// `gateway-compat patches`, proven with the real `kubectl kustomize`: the render plus the exported
// patch set builds the same objects (compared parsed) as gateway-compat's own output, for Helm
// and istioctl renders of the corpus; `--format flux` gives the same patches as a HelmRelease
// postRenderers block (applied here the way Flux applies it: kustomize over the render).
import { lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { gateway, stream } from '../helpers/manifests.js';
import { CORPUS, POST_RENDER } from '../helpers/run-cli.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';
import { describeWithHost, findHelm, findTool } from './helpers/tools.js';
import { streamObjects } from '../../src/export/objects.js';

const kubectl = findTool('kubectl');
const helm = findHelm(3);
const GRANTS = ['--net-bind-service', '--run-as-root'];

const GATEWAYS = stream(gateway('web', 'istio', 'apps'), gateway('other', 'istio', 'apps'));

const gatewayCompat = (args: readonly string[], input: string, cwd?: string) =>
  run(process.execPath, [POST_RENDER, ...args], { input, ...(cwd ? { cwd } : {}) });

/**
 * The objects of a stream by identity: what kubectl would apply. kustomize itself drops empty or
 * null metadata.annotations and metadata.labels from every object it builds, patched or not, so
 * both sides lose them before they are compared.
 */
function objectsByKey(stream: string): Map<string, unknown> {
  return new Map(
    streamObjects(stream).map((entry) => {
      const metadata = entry.object.metadata as Record<string, unknown> | undefined;
      for (const key of ['annotations', 'labels']) {
        const value = metadata?.[key];
        if (metadata && (value === null || (typeof value === 'object' && Object.keys(value as object).length === 0))) delete metadata[key];
      }
      return [entry.key, entry.object];
    }),
  );
}

describeWithHost(
  'gateway-compat patches (real kubectl kustomize)',
  kubectl,
  { what: 'kubectl', installHint: 'This machine image ships kubectl (Google Cloud CLI packages).' },
  () => {
    const work = scratchDir('patches');
    const kustomize = (dir: string) => run(kubectl as string, ['kustomize', dir], { cwd: work });

    async function expectSameAsTool(name: string, input: string, flags: readonly string[]): Promise<void> {
      const dir = path.join(work, name);
      const exported = await gatewayCompat(['patches', '--out', dir, ...flags], input);
      expect(exported.status, explain(exported)).toBe(0);
      expect(exported.stdout).toBe('');
      expect(readFileSync(path.join(dir, 'rendered.yaml'), 'utf8')).toBe(input);
      const built = await kustomize(dir);
      expect(built.status, explain(built)).toBe(0);
      const direct = await gatewayCompat(flags, input);
      expect(direct.status, explain(direct)).toBe(0);
      const expected = objectsByKey(direct.stdout);
      const actual = objectsByKey(built.stdout);
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [key, object] of expected) expect(actual.get(key), key).toEqual(object);
      // and the build is really fixed: a second run finds nothing to change
      const again = await gatewayCompat(['--report', 'json', ...flags], built.stdout);
      expect(JSON.parse(again.stderr).changes).toEqual([]);
    }

    const corpus = (relative: string) => readFileSync(path.join(CORPUS, relative), 'utf8');

    it.each([
      ['istioctl render of istiod (data.config replaced)', 'istio/rendered-istioctl/1.27.0/pilot_default.golden.yaml'],
      ['Helm-engine render with agentgateway', 'istio/rendered-helm/1.31.0-rc.0/istiod-waypoint-workload-socket.golden.yaml'],
      ['a full third-party install', 'third-party-rendered/kubeflow-manifests/install.yaml'],
      ['gateway Deployment golden', 'istio/rendered-helm/1.27.0/gateway-deployment.golden.yaml'],
      ['Gateways with existing infrastructure', 'gateway-api/conformance/gateway-infrastructure.yaml'],
    ])('%s: kustomize builds what gateway-compat writes', async (_name, file) => {
      await expectSameAsTool(path.basename(file, '.yaml'), corpus(file), GRANTS);
    });

    it('a Sail Istio resource with a gateway template, with and without grants', async () => {
      const istio = readFileSync(
        path.join(
          path.dirname(new URL(import.meta.url).pathname),
          '../fixtures/injection-templates/istio-cr-with-gateway-template/input.yaml',
        ),
        'utf8',
      );
      await expectSameAsTool('istio-cr', istio, []);
      await expectSameAsTool('istio-cr-grants', istio, GRANTS);
    });

    describeWithHost('over a real Helm 3 render', helm, { what: 'Helm 3' }, () => {
      it('gateway chart 1.28.10 plus Gateways: removals, grants, parametersRef and the added ConfigMap', async () => {
        const ran = await run(
          helm as string,
          ['template', 'gw', path.join(CORPUS, 'istio/helm-charts/1.28.10/gateway'), '-n', 'istio-ingress', '--kube-version', '1.30.0'],
          {
            env: {
              ...process.env,
              HELM_CACHE_HOME: path.join(work, 'hc'),
              HELM_CONFIG_HOME: path.join(work, 'hf'),
              HELM_DATA_HOME: path.join(work, 'hd'),
            },
          },
        );
        expect(ran.status, explain(ran)).toBe(0);
        const input = `${ran.stdout}${GATEWAYS}`;
        await expectSameAsTool('helm-gateway', input, GRANTS);
        const dir = path.join(work, 'helm-gateway');
        expect(readdirSync(path.join(dir, 'patches')).sort()).toEqual([
          '001-deployment-istio-ingress-gw.yaml',
          '002-gateway-apps-web.yaml',
          '003-gateway-apps-other.yaml',
        ]);
        const deploymentOps = parse(readFileSync(path.join(dir, 'patches/001-deployment-istio-ingress-gw.yaml'), 'utf8')) as {
          op: string;
          path: string;
        }[];
        const sysctlsPath = '/spec/template/spec/securityContext/sysctls';
        expect(deploymentOps.slice(0, 2)).toEqual([
          { op: 'test', path: sysctlsPath, value: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
          { op: 'remove', path: sysctlsPath },
        ]);
        expect(readFileSync(path.join(dir, 'added.yaml'), 'utf8')).toContain('name: asm-kube-gateway-options');

        // Flux: the same patches as postRenderers; kustomize over the render is what Flux runs.
        const flux = await gatewayCompat(['patches', '--format', 'flux', ...GRANTS], input);
        expect(flux.status, explain(flux)).toBe(0);
        const [block, ...added] = flux.stdout.split(/^---$/m);
        const postRenderers = (parse(block as string) as { postRenderers: { kustomize: { patches: unknown[] } }[] }).postRenderers;
        expect(added.join('')).toContain('kind: ConfigMap');
        const fluxDir = path.join(work, 'flux');
        mkdirSync(fluxDir);
        writeFileSync(path.join(fluxDir, 'rendered.yaml'), input);
        writeFileSync(path.join(fluxDir, 'added.yaml'), added.map((text) => `---${text}`).join(''));
        writeFileSync(
          path.join(fluxDir, 'kustomization.yaml'),
          JSON.stringify({ resources: ['rendered.yaml', 'added.yaml'], patches: postRenderers[0]?.kustomize.patches }),
        );
        const built = await kustomize(fluxDir);
        expect(built.status, explain(built)).toBe(0);
        const direct = await gatewayCompat(GRANTS, input);
        const expected = objectsByKey(direct.stdout);
        const actual = objectsByKey(built.stdout);
        for (const [key, object] of expected) expect(actual.get(key), key).toEqual(object);
      });
    });

    describe('the output directory is handled safely', () => {
      const input = corpus('istio/rendered-helm/1.27.0/gateway-deployment.golden.yaml');

      it('runs again over its own output, and replaces stale patches', async () => {
        const dir = path.join(work, 'again');
        expect((await gatewayCompat(['patches', '--out', dir], `${input}---\n${GATEWAYS}`)).status).toBe(0);
        expect(readdirSync(path.join(dir, 'patches')).length).toBe(3);
        const second = await gatewayCompat(['patches', '--out', dir], input);
        expect(second.status, explain(second)).toBe(0);
        expect(readdirSync(path.join(dir, 'patches'))).toEqual(['001-deployment-istio-ingress-istio-ingress.yaml']);
        expect(readdirSync(dir).sort()).toEqual(['kustomization.yaml', 'patches', 'rendered.yaml']);
      });

      it('refuses a directory with files it did not write, and a kustomization.yaml of someone else; nothing written', async () => {
        const dir = path.join(work, 'theirs');
        mkdirSync(dir);
        writeFileSync(path.join(dir, 'notes.txt'), 'mine');
        const ran = await gatewayCompat(['patches', '--out', dir], input);
        expect(ran.status).toBe(1);
        expect(ran.stderr).toContain('nothing was written');
        expect(readdirSync(dir)).toEqual(['notes.txt']);

        const other = path.join(work, 'other-kustomization');
        mkdirSync(other);
        writeFileSync(path.join(other, 'kustomization.yaml'), 'resources: [a.yaml]\n');
        const refused = await gatewayCompat(['patches', '--out', other], input);
        expect(refused.status).toBe(1);
        expect(readFileSync(path.join(other, 'kustomization.yaml'), 'utf8')).toBe('resources: [a.yaml]\n');
      });

      it('never writes through a symbolic link inside the directory', async () => {
        const dir = path.join(work, 'linked');
        expect((await gatewayCompat(['patches', '--out', dir], input)).status).toBe(0);
        const outside = path.join(work, 'outside.txt');
        writeFileSync(outside, 'keep');
        symlinkSync(outside, path.join(dir, 'patches', '999-evil.yaml'));
        const ran = await gatewayCompat(['patches', '--out', dir], input);
        expect(ran.status).toBe(1);
        expect(readFileSync(outside, 'utf8')).toBe('keep');
        expect(lstatSync(path.join(dir, 'patches', '999-evil.yaml')).isSymbolicLink()).toBe(true);
      });

      it('bad input and usage: located error or usage, exit 1 or 2, nothing on stdout, no directory', async () => {
        const dir = path.join(work, 'never');
        const broken = await gatewayCompat(['patches', '--out', dir], `${input}---\nkind: [unclosed\n`);
        expect(broken.status).toBe(1);
        expect(broken.stdout).toBe('');
        expect(broken.stderr).toMatch(/^error: document 2 at line \d+:\d+/);
        expect(() => lstatSync(dir)).toThrow();
        const usage = await gatewayCompat(['patches'], input);
        expect(usage.status).toBe(2);
        expect(usage.stdout).toBe('');
      });
    });
  },
);
