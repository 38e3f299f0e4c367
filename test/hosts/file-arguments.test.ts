// Issue 11, items 1 and 2. pre-commit appends the names of committed files after the hook's
// arguments, so a file name must never become an option: in --write/--check mode every argument
// after the first file name, and every argument after `--`, is a file name. And file mode prints
// nothing on stdout: inside a host (stdin holds a stream or a ResourceList, kustomize's or Helm 4's
// plugin environment) that empty answer would replace every resource, so it is refused.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayDeployment, gatewayDeploymentFixed, SYSCTL } from '../helpers/manifests.js';
import { runCli } from '../helpers/run-cli.js';

const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'gateway-compat-file-args-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function workspace(): string {
  const work = mkdtempSync(path.join(dir, 'ws-'));
  writeFileSync(path.join(work, 'ok.yaml'), gatewayDeployment());
  // A local file a config could embed into the output through injectionTemplate.file.
  writeFileSync(path.join(work, 'private.txt'), 'PRIVATE-KEY-MATERIAL-4711\n');
  // A committed file that is a valid config which would embed it, named like an option.
  writeFileSync(
    path.join(work, 'evil.yaml'),
    'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nmetadata: {name: x}\nspec:\n  injectionTemplate: {file: private.txt}\n  sysctls: {remove: [none]}\n',
  );
  for (const name of ['--config=evil.yaml', '--remove-sysctl=x.yaml', '--include=Nothing.yaml', '--no-sysctls'])
    writeFileSync(path.join(work, name), gatewayDeployment());
  return work;
}
const noStdin = undefined;

describe('option injection through file names: every argument after the first file name, or after --, is a file', () => {
  for (const name of ['--config=evil.yaml', '--remove-sysctl=x.yaml', '--include=Nothing.yaml', '--no-sysctls']) {
    it(`a file named ${name} after the first file is checked as a file, never read as an option`, () => {
      const work = workspace();
      const result = runCli(['--check', 'ok.yaml', name], noStdin, { cwd: work });
      expect(result.status, result.stderr).toBe(1);
      expect(result.stdout).toContain(`--- a/${name}`);
      expect(result.stdout).toContain(`-        - name: ${SYSCTL}`);
      expect(result.stdout + result.stderr).not.toContain('PRIVATE-KEY-MATERIAL');
    });

    it(`a file named ${name} after -- is a file, also as the first one, and --write fixes it`, () => {
      const work = workspace();
      const result = runCli(['--write', '--report', 'none', '--', name, 'ok.yaml'], noStdin, { cwd: work });
      expect(result.status, result.stderr).toBe(0);
      expect(readFileSync(path.join(work, name), 'utf8')).toBe(gatewayDeploymentFixed());
      expect(readFileSync(path.join(work, 'ok.yaml'), 'utf8')).toBe(gatewayDeploymentFixed());
    });
  }

  it('options after the first file name are refused, not half applied (usage error, exit 2)', () => {
    const work = workspace();
    const result = runCli(['ok.yaml', '--write'], noStdin, { cwd: work });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--write and the other options go before the file names/);
    expect(readFileSync(path.join(work, 'ok.yaml'), 'utf8')).toBe(gatewayDeployment());
  });

  it('under pre-commit (PRE_COMMIT=1) file names without -- before them are refused: exit 2, files untouched', () => {
    const work = workspace();
    const result = runCli(['--write', '--run-as-root', '--config=evil.yaml', 'ok.yaml'], noStdin, {
      cwd: work,
      env: { ...process.env, PRE_COMMIT: '1' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`end the hook's args with "--"`);
    expect(readFileSync(path.join(work, 'ok.yaml'), 'utf8')).toBe(gatewayDeployment());
    const withSeparator = runCli(['--write', '--report', 'none', '--run-as-root', '--', '--config=evil.yaml', 'ok.yaml'], noStdin, {
      cwd: work,
      env: { ...process.env, PRE_COMMIT: '1' },
    });
    expect(withSeparator.status, withSeparator.stderr).toBe(0);
    expect(readFileSync(path.join(work, '--config=evil.yaml'), 'utf8')).toContain('runAsUser: 0');
  });

  it('the pre-commit hooks pass -- before the file names', () => {
    const hooks = readFileSync(path.join(import.meta.dirname, '../../.pre-commit-hooks.yaml'), 'utf8');
    const entries = hooks.split(/^- id: /m).slice(1);
    expect(entries).toHaveLength(2);
    for (const entry of entries) expect(entry).toMatch(/^  args: \[--\]$/m);
  });
});

describe('a host never gets an empty answer: file mode is refused whenever a host is detected', () => {
  const resourceList = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- ${gatewayDeployment().replace(/\n(?=.)/g, '\n  ')}`;
  for (const mode of ['--write', '--check']) {
    for (const [what, input] of [
      ['a manifest stream on stdin (Helm 3 --post-renderer-args, a pipe)', gatewayDeployment()],
      ['a ResourceList on stdin (kpt --exec, kustomize KRM)', resourceList],
    ] as const) {
      it(`${mode} with ${what}: usage error, exit 2, nothing on stdout, the file untouched`, () => {
        const work = workspace();
        const result = runCli([mode, 'ok.yaml'], input, { cwd: work });
        expect(result.status).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain(`--${mode.slice(2)} works on the files named and prints no manifests on stdout`);
        expect(readFileSync(path.join(work, 'ok.yaml'), 'utf8')).toBe(gatewayDeployment());
      });
    }

    it(`${mode} inside kustomize's plugin environment (argsOneLiner): exit 2`, () => {
      const work = workspace();
      const result = runCli([mode, 'ok.yaml'], noStdin, {
        cwd: work,
        env: { ...process.env, KUSTOMIZE_PLUGIN_CONFIG_STRING: 'kind: GatewayCompat\n' },
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('running inside kustomize (exec plugin)');
    });

    it(`${mode} inside Helm 4's plugin environment: exit 2`, () => {
      const work = workspace();
      const plugin = path.join(work, 'plugin');
      mkdirSync(plugin);
      writeFileSync(path.join(plugin, 'plugin.yaml'), 'apiVersion: v1\ntype: postrenderer/v1\nname: gateway-compat\nversion: 0.1.0\n');
      const env = {
        ...process.env,
        HELM_PLUGIN_NAME: 'gateway-compat',
        HELM_PLUGIN_DIR: plugin,
        GATEWAY_COMPAT_ERROR_FILE: path.join(work, 'error.txt'),
      };
      const result = runCli([mode, 'ok.yaml'], noStdin, { cwd: work, env });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('running inside Helm 4 (post-renderer plugin)');
    });
  }

  it('blank stdin (pre-commit closes an empty pipe) is no host', () => {
    const work = workspace();
    const result = runCli(['--check', 'ok.yaml'], ' \n\n', { cwd: work });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('--- a/ok.yaml');
  });
});
