// A user's own injection template that gives istio-proxy more capabilities keeps them at
// admission when both releases are post-rendered with the grant: the gateway Deployment must not
// write a capabilities.add that the injector would re-apply over the templates' (an atomic list).
// Real Helm 3 renders of every corpus chart version; istio-sim injects and checks.
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { objectsOf } from '../helpers/manifests.js';
import { scratchDir } from '../helpers/scratch.js';
import { requireOracle } from './engine.js';
import { chartVersions, helmTemplate, postRender, streamFile } from './releases.js';

const CUSTOM = `spec:
  containers:
  - name: istio-proxy
    securityContext:
      capabilities:
        add: [NET_ADMIN, NET_BIND_SERVICE]
`;

describe('a user template granting more capabilities (inject.istio.io/templates: gateway,custom)', () => {
  const oracle = requireOracle();
  if (!oracle) return;
  const { engine: bin, helm } = oracle;
  const dir = scratchDir('own-template');
  const customFile = path.join(dir, 'custom.txt');
  writeFileSync(customFile, CUSTOM);
  for (const version of chartVersions()) {
    it.concurrent(`Istio ${version}: --run-as-root on both releases keeps NET_ADMIN and binds 80/443`, async () => {
      const istiod = await helmTemplate(helm, version, 'istiod', 'istiod', 'istio-system', [
        '--set-file',
        `sidecarInjectorWebhook.templates.custom=${customFile}`,
        '--kube-version',
        '1.30.0',
      ]);
      const gateway = await helmTemplate(helm, version, 'gateway', 'gw', 'istio-ingress', [
        '--set',
        'podAnnotations.inject\\.istio\\.io/templates=gateway\\,custom',
        '--kube-version',
        '1.30.0',
      ]);
      const [cp, gw] = await Promise.all([postRender(istiod, ['--run-as-root']), postRender(gateway, ['--run-as-root'])]);
      expect([cp.status, gw.status]).toEqual([0, 0]);
      const pods = await bin.inject(streamFile(dir, 'cp', cp.stdout), gw.stdout);
      const { verdicts } = await bin.check(pods.stdout);
      expect(
        verdicts.map((v) => v.pass),
        JSON.stringify(verdicts, null, 1),
      ).toEqual([true]);
      const pod = objectsOf(pods.stdout)[0] as unknown as {
        spec: { containers: { name: string; securityContext?: { capabilities?: { add?: string[] } } }[] };
      };
      const proxy = pod.spec.containers.find((c) => c.name === 'istio-proxy');
      expect(proxy?.securityContext?.capabilities?.add).toEqual(['NET_ADMIN', 'NET_BIND_SERVICE']);
    });
  }
});
