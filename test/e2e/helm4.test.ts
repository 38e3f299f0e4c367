// Helm 4: post-renderers are plugins. helm-plugin/gateway-compat/ is installed with the real `helm plugin install`
// into a private Helm home, then used as `--post-renderer gateway-compat`. Helm 4 also passes hooks,
// re-splits the output by the postrenderer.helm.sh/postrender-filename annotation, and hides the
// plugin's stderr, so these tests check what reaches the user when the plugin fails.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-cli.js';
import { describeWithHost, findHelm, findTool, HELM_INSTALL_HINT } from './helpers/tools.js';
import { addedCapabilities, deploymentPatchOf, find, objectsOf, proxySecurityContext, sysctlNames, SYSCTL } from './helpers/manifests.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';
import { helmHomeEnv } from './helpers/helm-home.js';

const CHART = path.join(REPO_ROOT, 'test/charts/gateway');
const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const helm = findHelm(4);

describeWithHost('Helm 4 postrenderer/v1 plugin (real helm v4)', helm, { what: 'Helm 4', installHint: HELM_INSTALL_HINT }, () => {
  const home = scratchDir('helm4');
  const tmp = path.join(home, 'tmp');
  mkdirSync(tmp, { recursive: true });
  // The plugin's default error file is $TMPDIR/gateway-compat-<uid>/last-error.txt.
  const env = { ...helmHomeEnv(home), TMPDIR: tmp };
  const defaultErrorFile = path.join(tmp, `gateway-compat-${process.getuid?.() ?? -1}`, 'last-error.txt');
  delete (env as NodeJS.ProcessEnv).GATEWAY_COMPAT_ERROR_FILE;
  const helmRun = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    run(helm as string, args, { env: { ...env, ...extraEnv }, cwd: home });
  const template = (...extra: string[]) =>
    helmRun(['template', 'gw', CHART, '--namespace', 'istio-ingress', '--post-renderer', 'gateway-compat', ...extra]);

  it('installs from helm-plugin/gateway-compat/ with `helm plugin install`', async () => {
    const installed = await helmRun(['plugin', 'install', path.join(REPO_ROOT, 'helm-plugin/gateway-compat')]);
    expect(installed.status, explain(installed)).toBe(0);
    const listed = await helmRun(['plugin', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`gateway-compat\\s+${PACKAGE_VERSION.replace(/\./g, '\\.')}\\s+postrenderer/v1`));
  });

  it('fixes workloads and hooks, and Helm files the added ConfigMap with the Gateway it serves', async () => {
    const ran = await template('--post-renderer-args', '--run-as-root');
    expect(ran.status, explain(ran)).toBe(0);
    const objects = objectsOf(ran.stdout);

    const deployment = find(objects, 'Deployment', 'gw');
    expect(sysctlNames(deployment)).not.toContain(SYSCTL);
    // uid 0 here; NET_BIND_SERVICE comes from the injection template (the istiod release).
    expect(proxySecurityContext(deployment)).toMatchObject({ runAsUser: 0, runAsNonRoot: false });
    expect(addedCapabilities(deployment)).toEqual([]);
    // Helm 4 post-renders hooks too; the same rules apply to them.
    const hook = find(objects, 'Job', 'gw-smoke-test');
    expect(hook.metadata.annotations?.['helm.sh/hook']).toBe('post-install');
    expect(sysctlNames(hook)).not.toContain(SYSCTL);

    const options = find(objects, 'ConfigMap', 'asm-kube-gateway-options');
    expect(deploymentPatchOf(options).securityContext).toEqual({ sysctls: [] });
    // Helm names each output document's source from the postrender-filename annotation: the
    // ConfigMap carries the Gateway's, so it is listed under gateway.yaml, not a generated name.
    const configMapAt = ran.stdout.indexOf('name: asm-kube-gateway-options');
    const sourceLine = ran.stdout
      .slice(0, configMapAt)
      .split('\n')
      .filter((line) => line.startsWith('# Source: '))
      .pop();
    expect(sourceLine).toBe('# Source: gateway/templates/gateway.yaml');
    expect(ran.stdout).not.toContain('generated-by-postrender');
    expect(ran.stdout).not.toContain('postrenderer.helm.sh/postrender-filename');
  });

  it("on failure, puts the message on Helm's stderr (a pipe, as in a shell or CI log) and in $TMPDIR/gateway-compat-<uid>/last-error.txt", async () => {
    // Node's child_process hands out sockets, not pipes; a shell's `2> >(cat >&2)` gives Helm a pipe.
    const ran = await run(
      'bash',
      [
        '-c',
        '"$@" 2> >(cat >&2)',
        'helm',
        helm as string,
        'template',
        'gw',
        CHART,
        '--post-renderer',
        'gateway-compat',
        '--post-renderer-args',
        '--options-configmap=Not_A_Name',
      ],
      { env, cwd: home },
    );
    expect(ran.status, explain(ran)).toBe(1);
    expect(ran.stdout).toBe('');
    // Helm's own line says only that the plugin failed...
    expect(ran.stderr).toContain('plugin "gateway-compat" exited with error');
    // ...and ours, written to Helm's stderr just before it, says why and where the message is kept.
    const errorFile = defaultErrorFile;
    expect(ran.stderr).toContain('gateway-compat (Helm post-renderer plugin) failed:');
    expect(ran.stderr).toContain('spec.gatewayApi.optionsConfigMap must match pattern');
    expect(ran.stderr).toContain(`(this message is also in ${errorFile})`);
    expect(ran.stderr.indexOf('gateway-compat (Helm post-renderer plugin) failed')).toBeLessThan(ran.stderr.indexOf('Error: '));
    expect(readFileSync(errorFile, 'utf8')).toContain('spec.gatewayApi.optionsConfigMap must match pattern');
  });

  it("when Helm's stderr is a socket (a Node.js parent), the message is only in the error file", async () => {
    const ran = await template('--post-renderer-args', '--flag-seen-only-in-the-file');
    expect(ran.status, explain(ran)).toBe(1);
    expect(ran.stderr).toContain('plugin "gateway-compat" exited with error');
    expect(ran.stderr).not.toContain('--flag-seen-only-in-the-file');
    expect(readFileSync(defaultErrorFile, 'utf8')).toContain("Unknown option '--flag-seen-only-in-the-file'");
  });

  it('a host never gets an empty answer: --check or --write in --post-renderer-args fails the install', async () => {
    for (const mode of ['--check', '--write']) {
      const errorFile = path.join(home, `file-mode${mode}.txt`);
      const ran = await helmRun(
        [
          'template',
          'gw',
          CHART,
          '--post-renderer',
          'gateway-compat',
          '--post-renderer-args',
          mode,
          '--post-renderer-args',
          path.join(CHART, 'templates/deployment.yaml'),
        ],
        {
          GATEWAY_COMPAT_ERROR_FILE: errorFile,
        },
      );
      expect(ran.status, explain(ran)).not.toBe(0);
      expect(ran.stdout).toBe('');
      expect(readFileSync(errorFile, 'utf8')).toContain('gateway-compat is running inside Helm 4 (post-renderer plugin)');
    }
  });

  it('the default error file is private: a folder of ours with mode 0700, the file 0600', async () => {
    const ran = await template('--post-renderer-args', '--no-such-flag');
    expect(ran.status, explain(ran)).toBe(1);
    const folder = statSync(path.dirname(defaultErrorFile));
    expect(folder.uid).toBe(process.getuid?.());
    expect(folder.mode & 0o777).toBe(0o700);
    expect(statSync(defaultErrorFile).mode & 0o777).toBe(0o600);
  });

  it('no stale last error: a run that succeeds after a failed one leaves no message behind', async () => {
    expect((await template('--post-renderer-args', '--no-such-flag')).status).toBe(1);
    expect(existsSync(defaultErrorFile)).toBe(true);
    const ran = await template();
    expect(ran.status, explain(ran)).toBe(0);
    expect(existsSync(defaultErrorFile)).toBe(false);
  });

  it('honours GATEWAY_COMPAT_ERROR_FILE', async () => {
    const errorFile = path.join(home, 'my-error.txt');
    const ran = await helmRun(['template', 'gw', CHART, '--post-renderer', 'gateway-compat', '--post-renderer-args', '--no-such-flag'], {
      GATEWAY_COMPAT_ERROR_FILE: errorFile,
    });
    expect(ran.status, explain(ran)).toBe(1);
    expect(readFileSync(errorFile, 'utf8')).toContain("Unknown option '--no-such-flag'");
  });

  // util-linux `script` (Debian: bsdutils, always installed) stands in for a person's terminal.
  const script = findTool('script');
  if (!script && process.env.CI !== 'true')
    process.stderr.write('\n!!! SKIPPED: the Helm 4 terminal test needs `script` (util-linux), which is not installed\n');
  it("shows the message on the terminal when Helm's stderr goes elsewhere (helm ... 2>/dev/null)", async () => {
    if (!script) throw new Error('`script` (util-linux) is missing on this machine');
    // `script` gives Helm a terminal, as a person at a shell has; Helm's stderr is discarded.
    const command = `'${helm}' template gw '${CHART}' --post-renderer gateway-compat --post-renderer-args --no-such-flag 2>/dev/null`;
    const ran = await run(script as string, ['-qec', command, '/dev/null'], { env, cwd: home });
    expect(ran.status, explain(ran)).not.toBe(0);
    expect(ran.stdout).toContain('gateway-compat (Helm post-renderer plugin) failed:');
    expect(ran.stdout).toContain("Unknown option '--no-such-flag'");
    expect(existsSync(defaultErrorFile)).toBe(true);
  });
});
