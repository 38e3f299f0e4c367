// The Helm 4 plugin as a release artefact, with the real Helm 4 binaries (the newest on npm and
// 4.1) and a signing key made here: the README's signing recipe, run as written, gives a tarball
// and the .prov file Helm requires; the tarball installs from a file and from a URL (served on
// 127.0.0.1), is verified against the public key, and post-renders with nothing else present.
// And Helm 3, which cannot read a Helm 4 plugin.yaml: what it does, and the README's clean-up.
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-cli.js';
import { find, objectsOf, proxySecurityContext, sysctlNames, SYSCTL } from './helpers/manifests.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';
import { describeWithHost, findHelm, findHelmRelease, findTool, HELM4_RELEASES, HELM_INSTALL_HINT } from './helpers/tools.js';
import { helmHomeEnv } from './helpers/helm-home.js';

const CHART = path.join(REPO_ROOT, 'test/charts/gateway');
const PLUGIN_FOLDER = path.join(REPO_ROOT, 'helm-plugin/gateway-compat');
const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TARBALL = `gateway-compat-${VERSION}.tgz`;
const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const gpg = findTool('gpg');

// The README's recipe, word for word (the test checks the README still says exactly this).
const KEY = 'gateway-compat release';
const RECIPE = {
  makeKey: `gpg --batch --passphrase '' --quick-gen-key '${KEY} <release@example.invalid>' rsa3072 sign 2y`,
  exportSecret: `gpg --export-secret-keys '${KEY}' > ~/.gnupg/secring.gpg`,
  exportPublic: `gpg --export '${KEY}' > gateway-compat-release.gpg`,
  complete: 'node scripts/helm-plugin.mjs',
  package: `helm plugin package helm-plugin/gateway-compat --key '${KEY}' --keyring ~/.gnupg/secring.gpg`,
  install: `helm plugin install https://example.com/gateway-compat/releases/${TARBALL} --keyring gateway-compat-release.gpg`,
};

describeWithHost(
  'Helm 4 plugin release (helm plugin package, signed; install from a file and a URL)',
  gpg,
  { what: 'gpg (GnuPG)', installHint: 'Install it with: apt-get install -y gnupg' },
  () => {
    const work = scratchDir('helm-release');
    // The recipe keeps the keys in ~/.gnupg: here HOME is the scratch folder.
    const gnupg = path.join(work, '.gnupg');
    const served = path.join(work, 'served');
    const requests: string[] = [];
    let server: Server;
    let baseUrl = '';

    it('the README gives the signing recipe this test runs', () => {
      for (const command of Object.values(RECIPE)) expect(README, command).toContain(command);
    });

    beforeAll(async () => {
      mkdirSync(gnupg, { mode: 0o700 });
      mkdirSync(served);
      const shell = (command: string, cwd: string, extra: NodeJS.ProcessEnv = {}) =>
        run('bash', ['-c', command], { cwd, env: { ...process.env, HOME: work, GNUPGHOME: gnupg, ...extra }, timeoutMs: 60_000 });
      for (const command of [RECIPE.makeKey, RECIPE.exportSecret, RECIPE.exportPublic]) {
        const ran = await shell(command, work);
        if (ran.status !== 0) throw new Error(explain(ran));
      }
      const completed = await shell(RECIPE.complete, REPO_ROOT);
      if (completed.status !== 0) throw new Error(explain(completed));
      server = createServer((request, response) => {
        requests.push(request.url ?? '');
        const name = path.basename(request.url ?? '');
        try {
          const body = readFileSync(path.join(served, name));
          response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
        } catch {
          response.writeHead(404).end('not found');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }, 120_000);
    afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

    for (const release of HELM4_RELEASES) {
      describe(release.label, () => {
        const helm = findHelmRelease(release.binary, release.versionPrefix);
        const home = path.join(work, release.binary);
        const packaged = path.join(home, 'packaged');
        const needHelm = () => {
          if (!helm) throw new Error(`${release.label} (.tools/bin/${release.binary}) is missing. ${HELM_INSTALL_HINT}`);
          return helm;
        };
        // A private Helm home per install, and a PATH with only `helm` and `node`: nothing of this
        // repository is reachable except through what the tarball installed.
        const isolated = (label: string) => {
          const root = path.join(home, label);
          const bin = path.join(root, 'bin');
          mkdirSync(bin, { recursive: true });
          symlinkSync(needHelm(), path.join(bin, 'helm'));
          symlinkSync(process.execPath, path.join(bin, 'node'));
          const env = helmHomeEnv(root, { PATH: `${bin}:/usr/bin:/bin`, HOME: root, TMPDIR: root, GNUPGHOME: gnupg });
          return { root, env, helm: (args: string[]) => run(path.join(bin, 'helm'), args, { cwd: root, env }) };
        };
        const renders = async (helmRun: (args: string[]) => ReturnType<typeof run>) => {
          const listed = await helmRun(['plugin', 'list']);
          expect(listed.stdout, explain(listed)).toMatch(
            new RegExp(`gateway-compat\\s+${VERSION.replace(/\./g, '\\.')}\\s+postrenderer/v1`),
          );
          const ran = await helmRun([
            'template',
            'gw',
            CHART,
            '--post-renderer',
            'gateway-compat',
            '--post-renderer-args',
            '--run-as-root',
          ]);
          expect(ran.status, explain(ran)).toBe(0);
          const deployment = find(objectsOf(ran.stdout), 'Deployment', 'gw');
          expect(sysctlNames(deployment)).not.toContain(SYSCTL);
          expect(proxySecurityContext(deployment)).toMatchObject({ runAsUser: 0, runAsNonRoot: false });
        };

        it('helm plugin package (the recipe) signs the tarball; it holds the plugin folder and nothing else', async () => {
          mkdirSync(packaged, { recursive: true });
          const command = RECIPE.package.replace(/^helm /, `'${needHelm()}' `);
          const ran = await run('bash', ['-c', `${command} -d '${packaged}'`], {
            cwd: REPO_ROOT,
            env: { ...process.env, HOME: work, GNUPGHOME: gnupg },
          });
          expect(ran.status, explain(ran)).toBe(0);
          expect(readdirSync(packaged).sort()).toEqual([TARBALL, `${TARBALL}.prov`]);
          const listed = await run('tar', ['-tzf', path.join(packaged, TARBALL)]);
          expect(
            listed.stdout
              .split('\n')
              .filter((name) => name.includes('/') && !name.endsWith('/'))
              .sort(),
          ).toEqual(
            ['LICENSE', 'THIRD_PARTY_NOTICES.md', 'gateway-compat-core.cjs', 'gateway-compat.mjs', 'plugin.yaml'].map(
              (name) => `gateway-compat/${name}`,
            ),
          );
          const provenance = readFileSync(path.join(packaged, `${TARBALL}.prov`), 'utf8');
          expect(provenance).toContain('-----BEGIN PGP SIGNATURE-----');
          expect(provenance).toMatch(new RegExp(`${TARBALL.replace(/\./g, '\\.')}: sha256:[0-9a-f]{64}`));
        });

        it('installs from the tarball alone, verified against the public key, and post-renders', async () => {
          const { root, helm: helmRun } = isolated('from-file');
          cpSync(path.join(packaged, TARBALL), path.join(root, TARBALL));
          cpSync(path.join(packaged, `${TARBALL}.prov`), path.join(root, `${TARBALL}.prov`));
          const installed = await helmRun([
            'plugin',
            'install',
            path.join(root, TARBALL),
            '--keyring',
            path.join(work, 'gateway-compat-release.gpg'),
          ]);
          expect(installed.status, explain(installed)).toBe(0);
          expect(installed.stdout).toContain(`Signed by: ${KEY} <release@example.invalid>`);
          expect(installed.stdout).toContain('Installed plugin: gateway-compat');
          await renders(helmRun);
        });

        it('installs from a URL (the .prov is fetched beside the tarball), and post-renders', async () => {
          cpSync(path.join(packaged, TARBALL), path.join(served, TARBALL));
          cpSync(path.join(packaged, `${TARBALL}.prov`), path.join(served, `${TARBALL}.prov`));
          const { helm: helmRun } = isolated('from-url');
          const before = requests.length;
          const installed = await helmRun([
            'plugin',
            'install',
            `${baseUrl}/releases/${TARBALL}`,
            '--keyring',
            path.join(work, 'gateway-compat-release.gpg'),
          ]);
          expect(installed.status, explain(installed)).toBe(0);
          expect(installed.stdout).toContain('Installed plugin: gateway-compat');
          expect(requests.slice(before)).toEqual(expect.arrayContaining([`/releases/${TARBALL}`, `/releases/${TARBALL}.prov`]));
          await renders(helmRun);
        });

        it('refuses a tarball without its .prov, or one whose bytes changed', async () => {
          const { root, helm: helmRun } = isolated('refused');
          const keyring = path.join(work, 'gateway-compat-release.gpg');
          const unsigned = path.join(root, 'unsigned');
          mkdirSync(unsigned);
          cpSync(path.join(packaged, TARBALL), path.join(unsigned, TARBALL));
          const noProvenance = await helmRun(['plugin', 'install', path.join(unsigned, TARBALL), '--keyring', keyring]);
          expect(noProvenance.status, explain(noProvenance)).toBe(1);
          expect(noProvenance.stderr).toContain('no provenance file (.prov) found');
          const tampered = path.join(root, 'tampered');
          mkdirSync(tampered);
          writeFileSync(path.join(tampered, TARBALL), Buffer.concat([readFileSync(path.join(packaged, TARBALL)), Buffer.from([0])]));
          cpSync(path.join(packaged, `${TARBALL}.prov`), path.join(tampered, `${TARBALL}.prov`));
          const changed = await helmRun(['plugin', 'install', path.join(tampered, TARBALL), '--keyring', keyring]);
          expect(changed.status, explain(changed)).toBe(1);
          expect(changed.stderr).toContain('sha256 sum does not match');
          const listed = await helmRun(['plugin', 'list']);
          expect(listed.stdout).not.toContain('gateway-compat');
        });
      });
    }
  },
);

// Helm 3 reads plugin.yaml strictly and knows no `apiVersion`: it links the folder, then says the
// plugin is unusable, and every later command repeats the error; `helm plugin uninstall` cannot
// remove what it cannot load. The README tells Helm 3 users to pass the program instead, and how
// to clean up such an install.
const CLEANUP = 'rm -rf "$(helm env HELM_PLUGINS)/gateway-compat"';
const helm3 = findHelm(3);
describeWithHost('Helm 3 and the Helm 4 plugin folder', helm3, { what: 'Helm 3', installHint: HELM_INSTALL_HINT }, () => {
  const home = scratchDir('helm3-plugin');
  const bin = path.join(home, 'bin');
  mkdirSync(bin);
  symlinkSync(helm3 as string, path.join(bin, 'helm'));
  const env = helmHomeEnv(home, { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` });
  const helm = (...args: string[]) => run(path.join(bin, 'helm'), args, { cwd: home, env });

  it("a mistaken `helm plugin install` fails, and the README's clean-up command leaves Helm 3 clean", async () => {
    const installed = await helm('plugin', 'install', PLUGIN_FOLDER);
    expect(installed.status, explain(installed)).toBe(1);
    expect(installed.stderr).toContain('unknown field "apiVersion"');
    const after = await helm('version', '--short');
    expect(after.stderr).toContain('failed to load plugins');
    const uninstall = await helm('plugin', 'uninstall', 'gateway-compat');
    expect(uninstall.status).not.toBe(0);

    expect(README).toContain(CLEANUP);
    const cleaned = await run('bash', ['-c', CLEANUP], { cwd: home, env });
    expect(cleaned.status, explain(cleaned)).toBe(0);
    const clean = await helm('version', '--short');
    expect(clean.status, explain(clean)).toBe(0);
    expect(clean.stderr).toBe('');
    expect(readdirSync(path.join(home, 'data/plugins'))).toEqual([]);
  });
});
