// npm: `npm pack` must give a package that works from the tarball alone. Installed globally
// (`npm i -g --prefix`), it provides the `post-render` command and its `gateway-compat` alias; npx
// runs it without installing; a project can import the library with its TypeScript types; and the
// Helm 4 plugin installs from the package's own files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-cli.js';
import { find, objectsOf, sysctlNames, SYSCTL } from './helpers/manifests.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';
import { describeWithHost, findHelm, HELM_INSTALL_HINT } from './helpers/tools.js';

const PACKAGE = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const EXAMPLE = readFileSync(path.join(REPO_ROOT, 'examples/istio-gateway.yaml'), 'utf8');
const SLOW = 240_000;

describeWithHost('npm package (npm pack, npm i -g, npx, import)', 'npm', { what: 'npm' }, () => {
  const work = scratchDir('npm');
  const prefix = path.join(work, 'prefix');
  // A private cache keeps the user's intact; packages still come from the registry.
  const env = { ...process.env, npm_config_cache: path.join(work, 'npm-cache'), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  let tarball = '';

  beforeAll(async () => {
    // --ignore-scripts: pack the dist/ that `npm test` has just built. Running `prepare` here would
    // rebuild dist/ under the other test files while they run it (the pre-commit test covers
    // `prepare` building a fresh copy).
    const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: REPO_ROOT, env, timeoutMs: SLOW });
    if (packed.status !== 0) throw new Error(explain(packed));
    tarball = path.join(work, packed.stdout.trim().split('\n').pop() as string);
    const installed = await run('npm', ['install', '--global', '--prefix', prefix, tarball], { cwd: work, env, timeoutMs: SLOW });
    if (installed.status !== 0) throw new Error(explain(installed));
  }, SLOW);

  it('packs only what the package needs, built', async () => {
    const listed = await run('tar', ['-tzf', tarball]);
    const files = listed.stdout.split('\n');
    for (const needed of ['package/bin/post-render', 'package/dist/cli.js', 'package/dist/index.js', 'package/dist/types/index.d.ts', 'package/helm-plugin/plugin.yaml', 'package/helm-plugin/post-render.mjs', 'package/schemas/function-input.schema.json']) {
      expect(files).toContain(needed);
    }
    expect(files.some((file) => file.startsWith('package/src/') || file.startsWith('package/test/'))).toBe(false);
  });

  it('npm i -g gives post-render and the gateway-compat alias', async () => {
    for (const bin of ['post-render', 'gateway-compat']) {
      const version = await run(path.join(prefix, 'bin', bin), ['--version'], { env });
      expect(version.stdout, explain(version)).toBe(`${PACKAGE.version}\n`);
    }
    const help = await run(path.join(prefix, 'bin', 'post-render'), ['--help'], { env });
    expect(help.stdout).toContain('install-kustomize-plugin');
    const fixed = await run(path.join(prefix, 'bin', 'gateway-compat'), ['--report', 'none'], { env, input: EXAMPLE });
    expect(fixed.status, explain(fixed)).toBe(0);
    expect(fixed.stdout).not.toContain(SYSCTL);
  });

  it('npx runs the tarball', async () => {
    const ran = await run('npx', ['--yes', '--package', tarball, '--', 'post-render', '--version'], { cwd: work, env, timeoutMs: SLOW });
    expect(ran.stdout, explain(ran)).toBe(`${PACKAGE.version}\n`);
  }, SLOW);

  it('a project imports transform() and type-checks against the shipped declarations', async () => {
    const project = path.join(work, 'project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'uses-gateway-compat', private: true, type: 'module' }));
    const installed = await run('npm', ['install', '--no-save', tarball], { cwd: project, env, timeoutMs: SLOW });
    expect(installed.status, explain(installed)).toBe(0);
    const source = [
      "import { transform, type TransformResult } from 'gateway-compat';",
      "const manifest = 'apiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: p\\nspec:\\n  securityContext:\\n    sysctls:\\n    - name: net.ipv4.ip_unprivileged_port_start\\n      value: \"0\"\\n  containers: []\\n';",
      'const result: TransformResult = transform(manifest, { config: { netBindService: false } });',
      'console.log(JSON.stringify({ text: result.text, changes: result.changes.length }));',
      '',
    ].join('\n');
    writeFileSync(path.join(project, 'use.ts'), source);
    writeFileSync(path.join(project, 'use.mjs'), source.replace(', type TransformResult', '').replace('const result: TransformResult =', 'const result ='));
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['use.ts'] }),
    );
    const typecheck = await run(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project, env });
    expect(typecheck.status, explain(typecheck)).toBe(0);
    const imported = await run(process.execPath, ['use.mjs'], { cwd: project, env });
    expect(imported.status, explain(imported)).toBe(0);
    const result = JSON.parse(imported.stdout) as { text: string; changes: number };
    expect(result.changes).toBe(1);
    expect(result.text).not.toContain(SYSCTL);
  });

  const helm = findHelm(4);
  it('the installed package carries a working Helm 4 plugin', async () => {
    if (!helm) throw new Error(`Helm 4 is missing. ${HELM_INSTALL_HINT}`);
    const helmEnv = { ...env, HELM_CACHE_HOME: path.join(work, 'helm/cache'), HELM_CONFIG_HOME: path.join(work, 'helm/config'), HELM_DATA_HOME: path.join(work, 'helm/data') };
    const plugin = path.join(prefix, 'lib/node_modules', PACKAGE.name, 'helm-plugin');
    const installed = await run(helm, ['plugin', 'install', plugin], { env: helmEnv });
    expect(installed.status, explain(installed)).toBe(0);
    const rendered = await run(helm, ['template', 'gw', path.join(REPO_ROOT, 'test/charts/gateway'), '--post-renderer', 'gateway-compat'], { env: helmEnv });
    expect(rendered.status, explain(rendered)).toBe(0);
    expect(sysctlNames(find(objectsOf(rendered.stdout), 'Deployment', 'gw'))).not.toContain(SYSCTL);
  });
});
