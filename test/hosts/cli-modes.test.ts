// How the CLI picks a mode from its arguments, environment and stdin, and what it tells a user
// who calls it the wrong way. The hosts themselves are driven for real in test/e2e/.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import functionInputSchema from '../../schemas/function-input.schema.json' with { type: 'json' };
import { FUNCTION_INPUT_KEYS } from '../../src/config/function-config.js';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';

const PACKAGE = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
const dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-compat-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('help and version', () => {
  it('--help names every mode with an example', () => {
    const { stdout, status } = runCli(['--help'], undefined);
    expect(status).toBe(0);
    for (const example of [
      '--post-renderer ./bin/gateway-compat.mjs',
      '--post-renderer gateway-compat',
      'kpt fn eval',
      'install-kustomize-plugin',
      '--write',
      '--check',
      'gateway-compat nodes',
      '[FILE | -]',
      '--report-file',
    ]) {
      expect(stdout).toContain(example);
    }
  });

  it("every subcommand's --help and -h go to stdout with exit 0", () => {
    for (const command of [[], ['nodes'], ['explain'], ['doctor'], ['install-kustomize-plugin']]) {
      for (const flag of ['--help', '-h']) {
        const ran = runCli([...command, flag], undefined);
        expect(ran.status, `${[...command, flag].join(' ')}: ${ran.stderr}`).toBe(0);
        expect(ran.stderr).toBe('');
        expect(ran.stdout).toMatch(/^Usage: /);
        if (command[0]) expect(ran.stdout).toContain(command[0]);
      }
    }
  });

  it('--version prints the package version', () => {
    expect(runCli(['--version'], undefined).stdout).toBe(`${PACKAGE.version}\n`);
  });
});

describe('arguments', () => {
  it('a manifest file as argument is read as the stream (test/hosts/cli-manners.test.ts has the rest)', () => {
    writeFileSync(path.join(dir, 'gw.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n');
    const ran = runCli(['gw.yaml'], '', { cwd: dir });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toBe('apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n');
  });

  it("a GatewayCompat file as the only argument is a kustomize plugin call, even without kustomize's variable", () => {
    writeFileSync(
      path.join(dir, 'plugin-config'),
      'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nmetadata:\n  name: x\nspec:\n  gatewayApi: {enabled: false}\n',
    );
    const env = { ...process.env };
    delete env.KUSTOMIZE_PLUGIN_CONFIG_STRING;
    const input = 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: g\nspec:\n  gatewayClassName: istio\n';
    const ran = runCli(['plugin-config'], input, { cwd: dir, env });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toBe(input); // gatewayApi disabled by the plugin config
  });

  it("with kustomize's variable set, a config of the wrong kind is named as the kustomize plugin config", () => {
    writeFileSync(path.join(dir, 'wrong-kind'), 'apiVersion: example.com/v1\nkind: Touch\nmetadata:\n  name: x\n');
    const ran = runCli(['wrong-kind'], '', { cwd: dir, env: { ...process.env, KUSTOMIZE_PLUGIN_CONFIG_STRING: 'x' } });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toContain('kustomize plugin config wrong-kind');
  });
});

describe('install-kustomize-plugin', () => {
  const plugin = (home: string) => path.join(home, 'gateway-compat.io/v1alpha1/gatewaycompat/GatewayCompat');

  it('installs into $KUSTOMIZE_PLUGIN_HOME, else $XDG_CONFIG_HOME/kustomize/plugin, else ~/.config/kustomize/plugin', () => {
    const cases: [Record<string, string>, string][] = [
      [{ KUSTOMIZE_PLUGIN_HOME: path.join(dir, 'kph') }, path.join(dir, 'kph')],
      [{ XDG_CONFIG_HOME: path.join(dir, 'xdg') }, path.join(dir, 'xdg/kustomize/plugin')],
      [{ HOME: path.join(dir, 'home') }, path.join(dir, 'home/.config/kustomize/plugin')],
    ];
    for (const [extra, home] of cases) {
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: path.join(dir, 'unused-home'), ...extra };
      if (!extra.KUSTOMIZE_PLUGIN_HOME) delete env.KUSTOMIZE_PLUGIN_HOME;
      if (!extra.XDG_CONFIG_HOME) delete env.XDG_CONFIG_HOME;
      const ran = runCli(['install-kustomize-plugin'], undefined, { cwd: dir, env });
      expect(ran.status, ran.stderr).toBe(0);
      expect(statSync(plugin(home)).mode & 0o111).toBe(0o111);
    }
  });

  it('is idempotent and refuses unknown arguments', () => {
    const home = path.join(dir, 'again');
    expect(runCli(['install-kustomize-plugin', home], undefined).status).toBe(0);
    expect(runCli(['install-kustomize-plugin', home], undefined).status).toBe(0);
    expect(runCli(['install-kustomize-plugin', '--force'], undefined).status).toBe(2);
  });
});

describe('shipped host files', () => {
  it('helm-plugin/gateway-compat/plugin.yaml is a postrenderer/v1 subprocess plugin of this version, named like its folder, running the bundle in it', () => {
    const plugin = parse(readFileSync(path.join(REPO_ROOT, 'helm-plugin/gateway-compat/plugin.yaml'), 'utf8'));
    expect(plugin).toMatchObject({
      apiVersion: 'v1',
      type: 'postrenderer/v1',
      name: 'gateway-compat',
      version: PACKAGE.version,
      runtime: 'subprocess',
    });
    expect(plugin.runtimeConfig.platformCommand).toEqual([{ command: 'node', args: ['${HELM_PLUGIN_DIR}/gateway-compat.mjs'] }]);
  });

  it('.pre-commit-hooks.yaml declares the fix and check hooks', () => {
    const hooks = parse(readFileSync(path.join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Record<string, unknown>[];
    expect(hooks.map((hook) => [hook.id, hook.entry])).toEqual([
      ['gateway-compat', 'bin/gateway-compat.mjs --write'],
      ['gateway-compat-check', 'bin/gateway-compat.mjs --check'],
    ]);
    for (const hook of hooks) {
      // language: script runs the committed bundle: installing the hook needs no registry and no build.
      expect(hook).toMatchObject({
        language: 'script',
        types: ['yaml'],
        require_serial: true,
        exclude: '^\\.pre-commit-config\\.yaml$',
        minimum_pre_commit_version: '1.13.0',
      });
      expect(hook.files).toBeUndefined();
    }
  });

  it('the KRM ConfigMap schema and its translation list the same keys', () => {
    expect(Object.keys(FUNCTION_INPUT_KEYS).sort()).toEqual(Object.keys(functionInputSchema.properties).sort());
  });

  it("docs/hosts.md's kpt key table lists every key", () => {
    const hosts = readFileSync(path.join(REPO_ROOT, 'docs/hosts.md'), 'utf8');
    const table = /\| key \| value \| same as \|\n([\s\S]*?)\n\n/.exec(hosts)?.[1] ?? '';
    const documented = [...table.matchAll(/^\| ([^|]+) \|/gm)].flatMap((row) =>
      [...(row[1] as string).matchAll(/`([A-Za-z]+)`/g)].map((key) => key[1]),
    );
    expect(documented.sort()).toEqual(Object.keys(FUNCTION_INPUT_KEYS).sort());
  });
});
