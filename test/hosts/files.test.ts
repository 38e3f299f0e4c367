// File mode (--write / --check), the pre-commit contract, through the CLI on real files.
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

import { gateway, gatewayDeployment, service, SYSCTL } from '../helpers/manifests.js';
const GATEWAY_DEPLOYMENT = gatewayDeployment({
  name: 'gw',
  namespace: null,
  comment: 'gateway',
  selector: false,
  injected: false,
  labels: null,
  ports: [],
});
const SERVICE = service({ name: 'svc', selector: null, ports: [{ port: 8080 }] });
const VALUES = `# a Helm values file: YAML, but no Kubernetes object\nsecurityContext:\n  sysctls:\n  - name: ${SYSCTL}\n    value: "0"\n`;
const SECRET_THEN_GATEWAY = `apiVersion: v1
kind: Secret
metadata:
  name: token
stringData:
  password: hunter2-do-not-print
---
${gateway('public', 'istio', null, { port: 8080 })}`;

let dir: string;
const file = (name: string) => path.join(dir, name);
const write = (name: string, text: string) => {
  mkdirSync(path.dirname(file(name)), { recursive: true });
  writeFileSync(file(name), text);
};
const read = (name: string) => readFileSync(file(name), 'utf8');
const OLD = new Date('2020-01-01T00:00:00Z');

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-compat-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('--write', () => {
  it('fixes the files that need it and leaves the others untouched, mtime included', () => {
    write('deploy/gw.yaml', GATEWAY_DEPLOYMENT);
    write('deploy/svc.yaml', SERVICE);
    write('values.yaml', VALUES);
    for (const name of ['deploy/svc.yaml', 'values.yaml']) utimesSync(file(name), OLD, OLD);
    const ran = runCli(['--write', 'deploy/gw.yaml', 'deploy/svc.yaml', 'values.yaml'], undefined, { cwd: dir });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain('gateway-compat: fixed deploy/gw.yaml (1 change(s))');
    expect(read('deploy/gw.yaml')).not.toContain(SYSCTL);
    expect(read('deploy/gw.yaml').startsWith('# gateway\n')).toBe(true);
    expect(read('values.yaml')).toBe(VALUES);
    for (const name of ['deploy/svc.yaml', 'values.yaml']) expect(statSync(file(name)).mtimeMs).toBe(OLD.getTime());
    // No temporary file is left behind.
    expect(readdirSync(file('deploy')).sort()).toEqual(['gw.yaml', 'svc.yaml']);
  });

  it('keeps the permissions, and writes through a symlink instead of replacing it', () => {
    write('real/gw.yaml', GATEWAY_DEPLOYMENT);
    chmodSync(file('real/gw.yaml'), 0o640);
    symlinkSync(file('real/gw.yaml'), file('link.yaml'));
    const ran = runCli(['--write', 'link.yaml'], undefined, { cwd: dir });
    expect(ran.status, ran.stderr).toBe(0);
    expect(lstatSync(file('link.yaml')).isSymbolicLink()).toBe(true);
    expect(read('real/gw.yaml')).not.toContain(SYSCTL);
    expect(statSync(file('real/gw.yaml')).mode & 0o777).toBe(0o640);
  });

  it('changes no file when any file fails, and names the file that failed', () => {
    write('a-good.yaml', GATEWAY_DEPLOYMENT);
    // Only documents a rule could concern are parsed: this one has the sysctl, and a duplicate key.
    write('b-broken.yaml', GATEWAY_DEPLOYMENT.replace('  name: gw\n', '  name: gw\n  name: again\n'));
    const ran = runCli(['--write', 'a-good.yaml', 'b-broken.yaml'], undefined, { cwd: dir });
    expect(ran.status).toBe(1);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain('b-broken.yaml: error: document 1');
    expect(ran.stderr).toContain('no file was changed');
    expect(read('a-good.yaml')).toBe(GATEWAY_DEPLOYMENT);
  });

  it('names a missing file and changes nothing', () => {
    write('gw.yaml', GATEWAY_DEPLOYMENT);
    const ran = runCli(['--write', 'gw.yaml', 'missing.yaml'], undefined, { cwd: dir });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toContain('missing.yaml: error: no such file');
    expect(read('gw.yaml')).toBe(GATEWAY_DEPLOYMENT);
  });

  it('says what to do with a Helm chart template it cannot read', () => {
    write(
      'templates/deployment.yaml',
      GATEWAY_DEPLOYMENT.replace(
        '  name: gw\n',
        '  name: {{ .Release.Name }}\n{{- if .Values.labels }}\n  labels: {{ toYaml .Values.labels | nindent 4 }}\n{{- end }}\n',
      ),
    );
    const ran = runCli(['--write', 'templates/deployment.yaml'], undefined, { cwd: dir });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toContain('templates/deployment.yaml: error:');
    expect(ran.stderr).toContain('hint: this looks like a Helm chart template');
  });

  it('is a usage error without files, or together with --check', () => {
    expect(runCli(['--write'], undefined, { cwd: dir }).status).toBe(2);
    write('gw.yaml', GATEWAY_DEPLOYMENT);
    const both = runCli(['--write', '--check', 'gw.yaml'], undefined, { cwd: dir });
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--write and --check cannot be combined');
  });
});

describe('--check', () => {
  it('changes nothing, prints a unified diff per file that would change, and exits 1', () => {
    write('gw.yaml', GATEWAY_DEPLOYMENT);
    write('svc.yaml', SERVICE);
    const ran = runCli(['--check', 'gw.yaml', 'svc.yaml'], undefined, { cwd: dir });
    expect(ran.status).toBe(1);
    expect(read('gw.yaml')).toBe(GATEWAY_DEPLOYMENT);
    expect(ran.stdout).toContain('--- a/gw.yaml\n+++ b/gw.yaml\n');
    expect(ran.stdout).toContain(`-        - name: ${SYSCTL}`);
    expect(ran.stdout).not.toContain('svc.yaml');
    expect(ran.stderr).toContain('1 file(s) would change');
  });

  it('exits 0 with nothing on stdout when every file is fine', () => {
    write('svc.yaml', SERVICE);
    const ran = runCli(['--check', 'svc.yaml'], undefined, { cwd: dir });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toBe('');
  });

  it("never shows a Secret value, even in a hunk's context lines", () => {
    write('all.yaml', SECRET_THEN_GATEWAY);
    const ran = runCli(['--check', 'all.yaml'], undefined, { cwd: dir });
    expect(ran.status).toBe(1);
    expect(ran.stdout).toContain('kind: ConfigMap'); // the added options ConfigMap is in the diff
    expect(ran.stdout).toContain('password: <hidden>');
    expect(ran.stdout).not.toContain('hunter2');
    expect(ran.stderr).not.toContain('hunter2');
  });
});
