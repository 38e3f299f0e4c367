// npm: `npm pack` must give a package that works from the tarball alone. Installed globally with
// `--omit=dev` into an empty prefix, it has no dependency at all (everything it runs is bundled),
// provides `gateway-compat` and its `post-render` alias, and every mode and subcommand runs from it; npx runs it
// without installing; a project imports the library and type-checks against the shipped
// declarations; the Helm 4 plugin installs from the package's own files; and every link in the
// shipped Markdown resolves inside the package or is absolute.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { REPO_ROOT } from '../helpers/run-cli.js';
import { find, objectsOf, sysctlNames, SYSCTL } from './helpers/manifests.js';
import { explain, run } from './helpers/process.js';
import { scratchDir } from './helpers/scratch.js';
import { describeWithHost, findHelm, HELM_INSTALL_HINT } from './helpers/tools.js';
import { helmHomeEnv } from './helpers/helm-home.js';

const PACKAGE = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  engines: { node: string };
};
const EXAMPLE = readFileSync(path.join(REPO_ROOT, 'examples/istio-gateway.yaml'), 'utf8');
const SLOW = 240_000;

describeWithHost('npm package (npm pack, npm i -g --omit=dev, npx, import)', 'npm', { what: 'npm' }, () => {
  const work = scratchDir('npm');
  const prefix = path.join(work, 'prefix');
  const installedRoot = path.join(prefix, 'lib/node_modules', PACKAGE.name);
  // A private cache keeps the user's intact; the tarball needs nothing from the registry.
  const env = {
    ...process.env,
    npm_config_cache: path.join(work, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  let tarball = '';
  let files: string[] = [];
  const bin = (name: string) => path.join(prefix, 'bin', name);

  beforeAll(async () => {
    // --ignore-scripts: pack what `npm test` has just built. Running `prepare` here would rebuild
    // dist/ under the other test files while they run it.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: REPO_ROOT, env, timeoutMs: SLOW });
    if (packed.status !== 0) throw new Error(explain(packed));
    tarball = path.join(work, packed.stdout.trim().split('\n').pop() as string);
    files = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);
    mkdirSync(prefix);
    const installed = await run('npm', ['install', '--global', '--omit=dev', '--prefix', prefix, tarball], {
      cwd: work,
      env,
      timeoutMs: SLOW,
    });
    if (installed.status !== 0) throw new Error(explain(installed));
  }, SLOW);

  it('has no runtime dependency: the bundles inline what they use, and --omit=dev installs nothing else', () => {
    expect(PACKAGE.dependencies ?? {}).toEqual({});
    expect(existsSync(path.join(installedRoot, 'node_modules'))).toBe(false);
    expect(PACKAGE.engines.node).toBe('>=20');
  });

  it('packs only what the package needs, built, with its licence, notices and changelog', () => {
    for (const needed of [
      'package/bin/gateway-compat.mjs',
      'package/bin/gateway-compat-core.cjs',
      'package/dist/index.js',
      'package/dist/types/index.d.ts',
      'package/helm-plugin/gateway-compat/plugin.yaml',
      'package/helm-plugin/gateway-compat/gateway-compat.mjs',
      'package/helm-plugin/gateway-compat/gateway-compat-core.cjs',
      'package/helm-plugin/gateway-compat/LICENSE',
      'package/helm-plugin/gateway-compat/THIRD_PARTY_NOTICES.md',
      'package/schemas/function-input.schema.json',
      'package/LICENSE',
      'package/THIRD_PARTY_NOTICES.md',
      'package/CHANGELOG.md',
      'package/README.md',
      'package/docs/zh/README.md',
    ]) {
      expect(files).toContain(needed);
    }
    expect(files.filter((file) => /^package\/(src|test|scripts|bench|\.tools)\//.test(file))).toEqual([]);
    const changelog = readFileSync(path.join(installedRoot, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toContain(`## ${PACKAGE.version}`);
    expect(changelog).toContain('## 0.1.0');
  });

  it('every relative link in the shipped Markdown resolves to a shipped file', () => {
    const markdown = files.filter((file) => file.endsWith('.md')).map((file) => file.slice('package/'.length));
    expect(markdown.length).toBeGreaterThan(3);
    const shipped = new Set(files.map((file) => file.slice('package/'.length)));
    const broken: string[] = [];
    for (const file of markdown) {
      const text = readFileSync(path.join(installedRoot, file), 'utf8');
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (match[1] as string).split('#')[0] as string;
        if (target === '' || /^[a-z]+:/i.test(target)) continue; // an anchor, or absolute (https:, mailto:)
        const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), target)).replace(/\/$/, '');
        if (!shipped.has(resolved) && ![...shipped].some((name) => name.startsWith(`${resolved}/`))) broken.push(`${file}: ${match[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('gateway-compat and its post-render alias: --version, --help, the stream mode', async () => {
    for (const name of ['gateway-compat', 'post-render']) {
      const version = await run(bin(name), ['--version'], { env });
      expect(version.stdout, explain(version)).toBe(`${PACKAGE.version}\n`);
    }
    const help = await run(bin('gateway-compat'), ['--help'], { env });
    expect(help.status, explain(help)).toBe(0);
    expect(help.stdout).toContain('install-kustomize-plugin');
    const fixed = await run(bin('gateway-compat'), ['--net-bind-service'], { env, input: EXAMPLE });
    expect(fixed.status, explain(fixed)).toBe(0);
    expect(fixed.stdout).not.toContain(SYSCTL);
    expect(fixed.stdout).toContain('NET_BIND_SERVICE');
    expect(fixed.stderr).toMatch(/^gateway-compat: \d+ changes in 2 of 5 documents/m);
  });

  it('the KRM function mode (a ResourceList on stdin)', async () => {
    const items = parseAllDocuments(EXAMPLE)
      .map((document) => document.toJS() as unknown)
      .filter((item) => item !== null);
    const functionConfig = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'function-input' }, data: { netBindService: 'true' } };
    const resourceList = stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', functionConfig, items });
    const ran = await run(bin('gateway-compat'), [], { env, input: resourceList });
    expect(ran.status, explain(ran)).toBe(0);
    expect(ran.stdout).toMatch(/^apiVersion: config.kubernetes.io\/v1\nkind: ResourceList/);
    const output = parse(ran.stdout) as { items: unknown[]; results: { message: string }[] };
    expect(JSON.stringify(output.items)).toContain('NET_BIND_SERVICE');
    expect(JSON.stringify(output.items)).not.toContain(SYSCTL);
    expect(output.results.map((result) => result.message)).toContain(
      `removed sysctl ${SYSCTL} from spec.template.spec.securityContext.sysctls`,
    );
  });

  it('the kustomize modes: install-kustomize-plugin writes a plugin that runs the installed bundle', async () => {
    const home = path.join(work, 'kustomize-plugins');
    const installed = await run(bin('gateway-compat'), ['install-kustomize-plugin', home], { env });
    expect(installed.status, explain(installed)).toBe(0);
    const plugin = path.join(home, 'gateway-compat.io/v1alpha1/gatewaycompat/GatewayCompat');
    expect(readFileSync(plugin, 'utf8')).toContain(path.join(installedRoot, 'bin/gateway-compat.mjs'));
    const config = path.join(work, 'kustomize-config.yaml');
    writeFileSync(config, 'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nmetadata: {name: gc}\nspec: {runAsRoot: true}\n');
    const ran = await run(plugin, [config], { env, input: EXAMPLE });
    expect(ran.status, explain(ran)).toBe(0);
    expect(ran.stdout).not.toContain(SYSCTL);
    expect(ran.stdout).toContain('runAsUser: 0');
  });

  it('the files modes (--check, --write) and the nodes check', async () => {
    const manifest = path.join(work, 'files', 'gateway.yaml');
    mkdirSync(path.dirname(manifest));
    writeFileSync(manifest, EXAMPLE);
    const check = await run(bin('gateway-compat'), ['--check', manifest], { env, cwd: path.dirname(manifest) });
    expect(check.status, explain(check)).toBe(1);
    expect(check.stdout).toContain(`-        - name: ${SYSCTL}`);
    const write = await run(bin('gateway-compat'), ['--write', manifest], { env });
    expect(write.status, explain(write)).toBe(0);
    expect(readFileSync(manifest, 'utf8')).not.toContain(SYSCTL);
    const nodes = await run(bin('gateway-compat'), ['nodes'], {
      env,
      input: readFileSync(path.join(REPO_ROOT, 'test/fixtures/nodes/kubectl-get-nodes.json'), 'utf8'),
    });
    expect(nodes.status, explain(nodes)).toBe(1);
    expect(nodes.stdout).toContain('3 of 6 nodes run a kernel older than 4.11');
  });

  it('the other subcommands (explain, doctor, values, patches, sail) run from the installed package alone', async () => {
    const fixture = (name: string) => readFileSync(path.join(REPO_ROOT, 'test/fixtures', name), 'utf8');
    const explained = await run(bin('gateway-compat'), ['explain'], {
      env,
      cwd: work,
      input: fixture('explain/runtime-apparmor/input.txt'),
    });
    expect(explained.status, explain(explained)).toBe(0);
    expect(explained.stdout).toContain('[runtime-apparmor]');
    const doctor = await run(bin('gateway-compat'), ['doctor'], { env, cwd: work, input: fixture('doctor/helm-centos7/bundle.json') });
    expect(doctor.stdout, explain(doctor)).toBe(fixture('doctor/helm-centos7/expected.txt'));
    const values = await run(bin('gateway-compat'), ['values', '--chart', 'gateway', '--no-gateway-options'], {
      env,
      cwd: work,
      input: EXAMPLE,
    });
    expect(values.status, explain(values)).toBe(0);
    expect(parse(values.stdout)).toMatchObject({ securityContext: { sysctls: [] } });
    const patches = await run(bin('gateway-compat'), ['patches', '--format', 'flux'], { env, cwd: work, input: EXAMPLE });
    expect(patches.status, explain(patches)).toBe(0);
    // the postRenderers to paste, then the options ConfigMap to commit beside the HelmRelease
    expect(parseAllDocuments(patches.stdout)[0]?.toJS()).toHaveProperty('postRenderers');
    const sail = await run(bin('gateway-compat'), ['sail', '--format', 'patch'], {
      env,
      cwd: work,
      input: fixture('injection-templates/istio-cr-with-gateway-template/input.yaml'),
    });
    expect(sail.status, explain(sail)).toBe(0);
    const patch = JSON.parse(sail.stdout) as { spec: { values: { sidecarInjectorWebhook: { templates: { gateway: string } } } } };
    expect(patch.spec.values.sidecarInjectorWebhook.templates.gateway).not.toContain(SYSCTL);
  });

  it(
    'npx runs the tarball',
    async () => {
      const ran = await run('npx', ['--yes', '--package', tarball, '--', 'gateway-compat', '--version'], {
        cwd: work,
        env,
        timeoutMs: SLOW,
      });
      expect(ran.stdout, explain(ran)).toBe(`${PACKAGE.version}\n`);
    },
    SLOW,
  );

  it('a project imports transform() and type-checks against the shipped declarations', async () => {
    const project = path.join(work, 'project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'uses-gateway-compat', private: true, type: 'module' }));
    const installed = await run('npm', ['install', '--no-save', '--omit=dev', tarball], { cwd: project, env, timeoutMs: SLOW });
    expect(installed.status, explain(installed)).toBe(0);
    // Only gateway-compat itself: the published types load no other package.
    expect(readdirSync(path.join(project, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['gateway-compat']);
    const source = [
      "import { transform, type TransformResult, type ResourceId } from 'gateway-compat';",
      'const manifest = \'apiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: p\\nspec:\\n  securityContext:\\n    sysctls:\\n    - name: net.ipv4.ip_unprivileged_port_start\\n      value: "0"\\n  containers: []\\n\';',
      'const result: TransformResult = transform(manifest, { config: { netBindService: false } });',
      'const first: ResourceId | undefined = result.changes[0]?.resource;',
      'console.log(JSON.stringify({ text: result.text, changes: result.changes.length, kind: first?.kind }));',
      '',
    ].join('\n');
    writeFileSync(path.join(project, 'use.ts'), source);
    writeFileSync(
      path.join(project, 'use.mjs'),
      source
        .replace(', type TransformResult, type ResourceId', '')
        .replace('const result: TransformResult =', 'const result =')
        .replace('const first: ResourceId | undefined =', 'const first ='),
    );
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['use.ts'],
      }),
    );
    const typecheck = await run(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], {
      cwd: project,
      env,
    });
    expect(typecheck.status, explain(typecheck)).toBe(0);
    const imported = await run(process.execPath, ['use.mjs'], { cwd: project, env });
    expect(imported.status, explain(imported)).toBe(0);
    const result = JSON.parse(imported.stdout) as { text: string; changes: number; kind: string };
    expect(result).toMatchObject({ changes: 1, kind: 'Pod' });
    expect(result.text).not.toContain(SYSCTL);
  });

  const helm = findHelm(4);
  it('the installed package carries a working Helm 4 plugin', async () => {
    if (!helm) throw new Error(`Helm 4 is missing. ${HELM_INSTALL_HINT}`);
    const helmEnv = helmHomeEnv(path.join(work, 'helm'), env);
    const plugin = path.join(installedRoot, 'helm-plugin/gateway-compat');
    const installed = await run(helm, ['plugin', 'install', plugin], { env: helmEnv });
    expect(installed.status, explain(installed)).toBe(0);
    const rendered = await run(helm, ['template', 'gw', path.join(REPO_ROOT, 'test/charts/gateway'), '--post-renderer', 'gateway-compat'], {
      env: helmEnv,
    });
    expect(rendered.status, explain(rendered)).toBe(0);
    expect(sysctlNames(find(objectsOf(rendered.stdout), 'Deployment', 'gw'))).not.toContain(SYSCTL);
  });
});
