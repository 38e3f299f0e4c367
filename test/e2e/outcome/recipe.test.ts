// The README's recipe, "Both releases, one configuration": examples/old-kernel.yaml given to the
// istiod release and to the gateway release through real `helm template --post-renderer`, on every
// Istio chart version in the corpus, with --strict on (the file sets it). Both Helm runs succeed,
// and istio-sim admits pods that run: no sysctl, admitted, 80/443 bind. Gateway API Gateways of
// class istio (and istio-agentgateway from 1.29) go through the same file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { POST_RENDER, REPO_ROOT } from '../../helpers/run-cli.js';
import { run } from '../helpers/process.js';
import { scratchDir } from '../helpers/scratch.js';
import { gatewayApiStream } from './cases.js';
import { requireOracle } from './engine.js';
import { limited } from './limit.js';
import { chartVersions, CHARTS, hasAgentgateway, postRender, streamFile } from './releases.js';

const RECIPE = 'examples/old-kernel.yaml';
const CONFIG = path.join(REPO_ROOT, RECIPE);
const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

describe('README recipe: both releases, one configuration', () => {
  it('is what the README shows: the file verbatim and both Helm commands with it', () => {
    const file = readFileSync(CONFIG, 'utf8');
    const body = file.slice(file.indexOf('apiVersion:'));
    expect(readme).toContain(`# ${RECIPE}\n${body}`);
    const helmRuns =
      readme.match(new RegExp(`--post-renderer-args --config --post-renderer-args ${RECIPE.replace('.', '\\.')}`, 'g')) ?? [];
    expect(helmRuns.length).toBeGreaterThanOrEqual(2);
    expect(readme).toContain(
      'helm upgrade --install istiod istio/istiod -n istio-system \\\n  --post-renderer "$(command -v gateway-compat)" --post-renderer-args --config',
    );
    expect(readme).toContain(
      'helm upgrade --install istio-ingress istio/gateway -n istio-ingress \\\n  --post-renderer "$(command -v gateway-compat)" --post-renderer-args --config',
    );
  });

  const oracle = requireOracle();
  if (!oracle) return;
  const { engine: bin, helm } = oracle;
  const dir = scratchDir('recipe');
  const helmWithRecipe = async (release: string, chart: string, namespace: string, extra: string[]) =>
    limited(() =>
      run(
        helm,
        [
          'template',
          release,
          chart,
          '-n',
          namespace,
          '--kube-version',
          '1.30.0',
          ...extra,
          '--post-renderer',
          POST_RENDER,
          '--post-renderer-args',
          '--config',
          '--post-renderer-args',
          CONFIG,
        ],
        {
          cwd: REPO_ROOT,
          timeoutMs: 60_000,
        },
      ),
    );

  for (const version of chartVersions()) {
    it.concurrent(`Istio ${version}: helm --post-renderer with ${RECIPE} on both releases, --strict passes and the pods run`, async () => {
      const agent = hasAgentgateway(version) ? ['--set', 'pilot.env.PILOT_ENABLE_AGENTGATEWAY=true'] : [];
      const [istiod, gateway] = await Promise.all([
        helmWithRecipe('istiod', path.join(CHARTS, version, 'istiod'), 'istio-system', agent),
        helmWithRecipe('istio-ingress', path.join(CHARTS, version, 'gateway'), 'istio-ingress', []),
      ]);
      expect(istiod.status, istiod.stderr).toBe(0);
      expect(gateway.status, gateway.stderr).toBe(0);
      const cp = streamFile(dir, `cp-${version}`, istiod.stdout);
      const pods = await bin.inject(cp, gateway.stdout);
      const injected = await bin.check(pods.stdout);
      expect(injected.verdicts.map((v) => `${v.source}: ${v.pass}`)).toEqual(['Deployment istio-ingress/istio-ingress: true']);

      const classes = ['istio', ...(hasAgentgateway(version) ? ['istio-agentgateway'] : [])];
      for (const className of classes) {
        const stream = await postRender(gatewayApiStream(className, undefined), ['--config', CONFIG]);
        expect(stream.status, stream.stderr).toBe(0);
        const objects = await bin.gateways(cp, stream.stdout);
        const generated = await bin.check(objects.stdout);
        expect(generated.verdicts.length, objects.stderr).toBe(1);
        expect(
          generated.verdicts.map((v) => `${v.source}: ${v.pass}`),
          JSON.stringify(generated.verdicts),
        ).toEqual([`${generated.verdicts[0]?.source}: true`]);
      }
    });
  }
});
