// Issue 11, item 4: no reading of arbitrary files from content. A kpt functionConfig or a
// kustomize transformer config is package content (possibly a remote base): it must never make the
// tool read a local file and embed it in the output. A --config file's injectionTemplate.file is
// read relative to the config's own folder and refused outside it, as kustomize's load restrictor
// refuses files outside the kustomization root.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'gateway-compat-config-files-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'PRIVATE-KEY-MATERIAL-9931';
writeFileSync(path.join(dir, 'private.txt'), `${SECRET}\n`);
const TEMPLATE = 'spec:\n  containers:\n  - name: istio-proxy\n';
const istio =
  'apiVersion: sailoperator.io/v1\nkind: Istio\nmetadata:\n  name: default\nspec:\n  version: v1.27.0\n  namespace: istio-system\n';
const config = (file: string) =>
  `apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nmetadata: {name: x}\nspec:\n  injectionTemplate: {file: ${JSON.stringify(file)}}\n`;

describe('no reading of arbitrary files from content', () => {
  it('a kpt functionConfig (typed) naming a local file is refused, nothing of the file in any output', () => {
    const list = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig:\n  ${config(path.join(dir, 'private.txt')).replace(/\n(?=.)/g, '\n  ')}items:\n- ${istio.replace(/\n(?=.)/g, '\n  ')}`;
    const result = runCli([], list);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(result.stdout + result.stderr).toContain("a package's own config cannot name a local file");
  });

  it('a kpt functionConfig ConfigMap with gatewayTemplate=<file> is refused', () => {
    const list = `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: function-input}\n  data: {gatewayTemplate: ${JSON.stringify(path.join(dir, 'private.txt'))}}\nitems:\n- ${istio.replace(/\n(?=.)/g, '\n  ')}`;
    const result = runCli([], list);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(result.stdout + result.stderr).toContain("a package's own config cannot name a local file");
  });

  it('a kustomize transformer config naming a local file is refused (exit 1, nothing on stdout)', () => {
    const file = path.join(dir, 'kust-plugin-config-1');
    writeFileSync(file, config('../../../../../../..' + path.join(dir, 'private.txt')));
    const result = runCli([file], istio, { env: { ...process.env, KUSTOMIZE_PLUGIN_CONFIG_STRING: 'x' } });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain(SECRET);
  });

  it('a --config file reads injectionTemplate.file beside it, whatever the working directory', () => {
    const folder = path.join(dir, 'cfg');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'template.txt'), TEMPLATE);
    writeFileSync(path.join(folder, 'gateway-compat.yaml'), config('template.txt'));
    const result = runCli(['--config', path.join(folder, 'gateway-compat.yaml'), '--report', 'none'], istio, { cwd: os.tmpdir() });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('name: istio-proxy');
  });

  for (const [what, file] of [
    ['a path with ..', '../private.txt'],
    ['an absolute path', path.join(dir, 'private.txt')],
    ['a symlink beside it pointing outside', 'link.txt'],
  ] as const) {
    it(`a --config file's injectionTemplate.file outside its folder (${what}) is refused`, () => {
      const folder = mkdtempSync(path.join(dir, 'restricted-'));
      symlinkSync(path.join(dir, 'private.txt'), path.join(folder, 'link.txt'));
      writeFileSync(path.join(folder, 'gateway-compat.yaml'), config(file));
      const result = runCli(['--config', path.join(folder, 'gateway-compat.yaml')], istio);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain("is outside the config's folder");
      expect(result.stderr).not.toContain(SECRET);
    });
  }

  it('--gateway-template on the command line still reads any file the user names', () => {
    writeFileSync(path.join(dir, 'cli-template.txt'), TEMPLATE);
    const result = runCli(['--gateway-template', path.join(dir, 'cli-template.txt'), '--report', 'none'], istio);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('name: istio-proxy');
  });
});
