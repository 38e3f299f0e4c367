// What a person at a shell expects of a command-line tool: a mistyped flag names the one meant;
// `-` is stdin and a FILE argument is read like stdin; --check works on a stream; the report can
// be kept in a file whatever the host hides.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closest } from '../../src/config/config.js';
import { FLAG_OPTIONS } from '../../src/config/flags.js';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-compat-manners-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const EXAMPLE_FILE = path.join(REPO_ROOT, 'examples/istio-gateway.yaml');
const EXAMPLE = readFileSync(EXAMPLE_FILE, 'utf8');
const SYSCTL = 'net.ipv4.ip_unprivileged_port_start';

describe('an unknown flag', () => {
  const typos: [string, string | undefined][] = [
    ['--net-bind-servce', 'net-bind-service'],
    ['--run-as-rot', 'run-as-root'],
    ['--unprivileged-port', 'unprivileged-ports'],
    ['--report-fle', 'report-file'],
    ['--max-input-sise=1MB', 'max-input-size'],
    ['--gateway-clas', 'gateway-class'],
    ['--stirct', 'strict'],
    ['--completely-different-words', undefined],
  ];
  for (const [typo, meant] of typos) {
    it(`${typo}: exit 2, nothing on stdout, ${meant ? `"did you mean --${meant}?"` : 'no guess'}`, () => {
      const ran = runCli([typo], EXAMPLE);
      expect(ran.status).toBe(2);
      expect(ran.stdout).toBe('');
      expect(ran.stderr).toContain(`Unknown option '${typo.split('=')[0]}'`);
      // parseArgs' own advice (pass it as a positional after --) is never what was meant
      expect(ran.stderr).not.toContain('positional argument');
      if (meant) expect(ran.stderr).toContain(`(did you mean --${meant}?)`);
      else expect(ran.stderr).not.toContain('did you mean');
      // the guess is the configuration errors' closest-match over the real flags
      expect(closest(typo.replace(/^--/, '').split('=')[0] as string, Object.keys(FLAG_OPTIONS))).toBe(meant);
    });
  }
});

describe('stdin, `-` and a FILE argument in stream mode', () => {
  const fromStdin = runCli(['--net-bind-service'], EXAMPLE);

  it('`-` is stdin, and a FILE is read as stdin would be: the same stream and report', () => {
    expect(fromStdin.status).toBe(0);
    for (const args of [
      ['--net-bind-service', '-'],
      ['--net-bind-service', EXAMPLE_FILE],
      [EXAMPLE_FILE, '--net-bind-service'],
    ]) {
      const ran = runCli(args, args.includes('-') ? EXAMPLE : '');
      expect(ran.status, ran.stderr).toBe(0);
      expect(ran.stdoutBytes.equals(fromStdin.stdoutBytes)).toBe(true);
      expect(ran.stderr).toBe(fromStdin.stderr);
    }
  });

  it('a FILE holding a ResourceList is a KRM run', () => {
    const file = path.join(dir, 'resource-list.yaml');
    writeFileSync(
      file,
      'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec:\n    securityContext:\n      sysctls:\n      - {name: net.ipv4.ip_unprivileged_port_start, value: "0"}\n    containers: []\n',
    );
    const ran = runCli([file], '');
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/^apiVersion: config.kubernetes.io\/v1\nkind: ResourceList/);
    expect(ran.stdout).toContain('results:');
  });

  it('a missing file, a folder, two files, a FILE under Helm 4: clear errors, nothing on stdout', () => {
    const missing = runCli([path.join(dir, 'nope.yaml')], '');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('nope.yaml: no such file');
    const folder = runCli([dir], '');
    expect(folder.status).toBe(1);
    expect(folder.stderr).toContain('is a directory');
    const two = runCli([EXAMPLE_FILE, EXAMPLE_FILE], '');
    expect(two.status).toBe(2);
    expect(two.stderr).toContain('gateway-compat --write FILE...');
    const pluginDir = path.join(dir, 'helm-plugin');
    mkdirSync(pluginDir, { recursive: true });
    writeFileSync(
      path.join(pluginDir, 'plugin.yaml'),
      'apiVersion: v1\ntype: postrenderer/v1\nname: gateway-compat\nversion: 0.2.0\nruntime: subprocess\n',
    );
    const underHelm = runCli([EXAMPLE_FILE], EXAMPLE, {
      env: {
        ...process.env,
        HELM_PLUGIN_NAME: 'gateway-compat',
        HELM_PLUGIN_DIR: pluginDir,
        GATEWAY_COMPAT_ERROR_FILE: path.join(dir, 'helm-error.txt'),
      },
    });
    expect(underHelm.status).toBe(2);
    expect(underHelm.stdout).toBe('');
    for (const ran of [missing, folder, two]) expect(ran.stdout).toBe('');
  });
});

describe('--check on a stream', () => {
  const fixed = runCli([], EXAMPLE).stdout;

  it('a stream that would change: exit 1, the diff and the report on stderr, nothing on stdout', () => {
    for (const args of [['--check'], ['--check', '-']]) {
      const ran = runCli(args, EXAMPLE);
      expect(ran.status).toBe(1);
      expect(ran.stdout).toBe('');
      expect(ran.stderr).toContain('--- input document 3: Deployment istio-ingress/istio-ingress');
      expect(ran.stderr).toContain(`-        - name: ${SYSCTL}`);
      expect(ran.stderr).toContain(
        'gateway-compat: --check: the stream would change (2 document(s) edited, 1 added); nothing was written.',
      );
    }
  });

  it('a stream that needs nothing: exit 0 and the stream itself on stdout (no host ever gets an empty answer)', () => {
    const ran = runCli(['--check'], fixed);
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toBe(fixed);
  });

  it('with --report json: exit 1 and one JSON object on stderr; on a ResourceList: a usage error', () => {
    const json = runCli(['--check', '--report', 'json'], EXAMPLE);
    expect(json.status).toBe(1);
    expect((JSON.parse(json.stderr) as { summary: unknown }).summary).toBeDefined();
    const krm = runCli(['--check'], 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n');
    expect(krm.status).toBe(2);
    expect(krm.stderr).toContain('--check works on a manifest stream or on files, not on a ResourceList');
  });
});

describe('--report-file PATH', () => {
  it('keeps the report of a run, also under --report none and in JSON', () => {
    const text = path.join(dir, 'report.txt');
    const quiet = runCli(['--report', 'none', '--report-file', text], EXAMPLE);
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(readFileSync(text, 'utf8')).toBe(runCli([], EXAMPLE).stderr);
    const json = path.join(dir, 'report.json');
    const ran = runCli(['--report', 'json', `--report-file=${json}`], EXAMPLE);
    expect(readFileSync(json, 'utf8')).toBe(ran.stderr);
    expect((JSON.parse(readFileSync(json, 'utf8')) as { changes: unknown[] }).changes).toHaveLength(3);
  });

  it('keeps the error of a failed run, and a file it cannot write fails the run', () => {
    const file = path.join(dir, 'error.txt');
    const failed = runCli(
      ['--report-file', file],
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\nspec:\n  securityContext:\n    sysctls: [{name: net.ipv4.ip_unprivileged_port_start}]\n',
    );
    expect(failed.status).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(failed.stderr);
    expect(failed.stderr).toContain('duplicate key');
    const unwritable = runCli(['--report-file', path.join(dir, 'no-such-folder', 'r.txt')], EXAMPLE);
    expect(unwritable.status).toBe(1);
    expect(unwritable.stdout).toBe('');
    expect(unwritable.stderr).toContain('cannot write the report: no such file');
  });
});
