// Issue 11, item 3: the Helm 4 error file. Helm 4 hides a plugin's stderr, so a failing run also
// writes its message to a file. The temp folder is shared with other local users: the file must
// never be written through a planted FIFO (a hang), symlink or hard link (a root run would
// overwrite the target), never be readable by others, and an older run's message must never pass
// for this run's. A Helm 4 post-renderer run is told from what only Helm 4 sets up: a plugin
// folder whose plugin.yaml declares `type: postrenderer/v1` (Helm 3 sets HELM_PLUGIN_NAME and
// HELM_PLUGIN_DIR for every Helm 3 plugin too).
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isHelmPluginRun } from '../../src/hosts/helm4-errors.js';
import { POST_RENDER, runCli } from '../helpers/run-cli.js';

const scratch = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'gateway-compat-helm4-file-')));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const uid = process.getuid?.() ?? -1;

function pluginDir(name: string, manifest: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'plugin.yaml'), manifest);
  return dir;
}
const HELM4_PLUGIN = pluginDir(
  'helm4',
  'apiVersion: v1\ntype: postrenderer/v1\nname: gateway-compat\nversion: 0.1.0\nruntime: subprocess\n',
);
const HELM3_PLUGIN = pluginDir('helm3', 'name: secrets\nversion: 4.6.0\ncommand: "$HELM_PLUGIN_DIR/scripts/run.sh"\n');

/** A failing run (an unknown flag) as Helm 4 would start it, with its own temp folder. */
function failAsPlugin(
  extra: NodeJS.ProcessEnv = {},
  plugin = { name: 'gateway-compat', dir: HELM4_PLUGIN },
): { tmp: string; status: number | null; stdout: string } {
  const tmp = mkdtempSync(path.join(scratch, 'tmp-'));
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, HELM_PLUGIN_NAME: plugin.name, HELM_PLUGIN_DIR: plugin.dir, ...extra };
  if (!('GATEWAY_COMPAT_ERROR_FILE' in extra)) delete env.GATEWAY_COMPAT_ERROR_FILE;
  const result = spawnSync(process.execPath, [POST_RENDER, '--no-such-flag'], { env, input: '', encoding: 'utf8', timeout: 60_000 });
  // a planted FIFO must never make the run wait for a reader
  expect(result.error, 'the run hung (killed after 60 s)').toBeUndefined();
  return { tmp, status: result.status, stdout: result.stdout };
}
const defaultFileIn = (tmp: string): string => path.join(tmp, `gateway-compat-${uid}`, 'last-error.txt');

describe('a Helm 4 post-renderer run is told from what only Helm 4 sets up', () => {
  it('a postrenderer/v1 plugin folder under that name: yes', () => {
    expect(isHelmPluginRun({ HELM_PLUGIN_NAME: 'gateway-compat', HELM_PLUGIN_DIR: HELM4_PLUGIN })).toBe(true);
  });

  it('a Helm 3 plugin environment (helm-secrets, helm-diff wrappers set HELM_PLUGIN_NAME and HELM_PLUGIN_DIR): no, and no error file is written', () => {
    expect(isHelmPluginRun({ HELM_PLUGIN_NAME: 'secrets', HELM_PLUGIN_DIR: HELM3_PLUGIN })).toBe(false);
    const run = failAsPlugin({}, { name: 'secrets', dir: HELM3_PLUGIN });
    expect(run.status).toBe(2);
    expect(existsSync(path.join(run.tmp, `gateway-compat-${uid}`))).toBe(false);
  });

  it('the variables alone, a folder without plugin.yaml, or another plugin name: no', () => {
    expect(isHelmPluginRun({ HELM_PLUGIN_NAME: 'x', HELM_PLUGIN_DIR: scratch })).toBe(false);
    expect(isHelmPluginRun({ HELM_PLUGIN_NAME: 'other', HELM_PLUGIN_DIR: HELM4_PLUGIN })).toBe(false);
    expect(isHelmPluginRun({ HELM_PLUGIN_NAME: 'gateway-compat' })).toBe(false);
  });
});

describe('the error file cannot be turned against the user', () => {
  it('the default file is in a folder of ours with mode 0700, and is itself 0600', () => {
    const run = failAsPlugin();
    expect(run.status).toBe(2);
    const file = defaultFileIn(run.tmp);
    expect(readFileSync(file, 'utf8')).toContain("Unknown option '--no-such-flag'");
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file))).toEqual(['last-error.txt']); // no temporary file left
  });

  it('a planted folder under our name that others can write is not used', () => {
    const tmp = mkdtempSync(path.join(scratch, 'planted-'));
    const folder = path.join(tmp, `gateway-compat-${uid}`);
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    const run = failAsPlugin({ TMPDIR: tmp });
    expect(run.status).toBe(2);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('a planted symlink under our folder name is not followed', () => {
    const tmp = mkdtempSync(path.join(scratch, 'symlinked-'));
    const elsewhere = mkdtempSync(path.join(scratch, 'elsewhere-'));
    chmodSync(elsewhere, 0o700);
    symlinkSync(elsewhere, path.join(tmp, `gateway-compat-${uid}`));
    expect(failAsPlugin({ TMPDIR: tmp }).status).toBe(2);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('GATEWAY_COMPAT_ERROR_FILE that is a symlink, a hard link or a FIFO is never written through, and never hangs', () => {
    const target = path.join(scratch, 'precious.txt');
    writeFileSync(target, 'precious\n');
    const symlink = path.join(scratch, 'error-symlink.txt');
    symlinkSync(target, symlink);
    const hardLink = path.join(scratch, 'error-hardlink.txt');
    linkSync(target, hardLink);
    const fifo = path.join(scratch, 'error-fifo');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status !== 0) throw new Error('mkfifo (coreutils) is needed for this test: apt-get install coreutils');
    for (const file of [symlink, hardLink, fifo]) {
      expect(failAsPlugin({ GATEWAY_COMPAT_ERROR_FILE: file }).status).toBe(2);
      expect(readFileSync(target, 'utf8')).toBe('precious\n');
    }
  });

  it('GATEWAY_COMPAT_ERROR_FILE that is a plain file of ours is replaced with the message', () => {
    const file = path.join(scratch, 'chosen.txt');
    writeFileSync(file, 'an older, much longer message that must not survive in part\n');
    expect(failAsPlugin({ GATEWAY_COMPAT_ERROR_FILE: file }).status).toBe(2);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("Unknown option '--no-such-flag'");
    expect(text).not.toContain('older');
  });
});

describe('no stale last error', () => {
  // Every plugin run clears the last message before anything that could fail.
  function succeedAsPlugin(env: NodeJS.ProcessEnv): number | null {
    const full: NodeJS.ProcessEnv = { ...process.env, HELM_PLUGIN_NAME: 'gateway-compat', HELM_PLUGIN_DIR: HELM4_PLUGIN, ...env };
    if (!('GATEWAY_COMPAT_ERROR_FILE' in env)) delete full.GATEWAY_COMPAT_ERROR_FILE;
    return spawnSync(process.execPath, [POST_RENDER, '--report', 'none'], {
      env: full,
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
      timeout: 60_000,
    }).status;
  }

  it('a run after a failed one leaves no older message in the default file', () => {
    const run = failAsPlugin();
    expect(existsSync(defaultFileIn(run.tmp))).toBe(true);
    expect(succeedAsPlugin({ TMPDIR: run.tmp })).toBe(0);
    expect(existsSync(defaultFileIn(run.tmp))).toBe(false);
  });

  it('nor in GATEWAY_COMPAT_ERROR_FILE (emptied, not removed)', () => {
    const file = path.join(scratch, 'chosen-stale.txt');
    expect(failAsPlugin({ GATEWAY_COMPAT_ERROR_FILE: file }).status).toBe(2);
    expect(readFileSync(file, 'utf8')).toContain('--no-such-flag');
    expect(succeedAsPlugin({ GATEWAY_COMPAT_ERROR_FILE: file })).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('a plain stream run is unaffected by the variables of a Helm 3 plugin', () => {
    const result = runCli(['--report', 'none'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n', {
      env: { ...process.env, HELM_PLUGIN_NAME: 'secrets', HELM_PLUGIN_DIR: HELM3_PLUGIN },
    });
    expect(result.status).toBe(0);
  });
});
