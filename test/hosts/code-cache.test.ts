// The launcher's V8 code cache (src/launcher/code-cache.ts), driven through the real bin: made in a
// private folder, reused by the next run, refused when another user could have planted or changed
// it (another owner, writable by others, a symlink, a symlinked or open folder), refused when
// corrupted or truncated (V8 would crash on a damaged payload), and never in the way: a run with
// no usable home, no usable folder at all, or racing other runs gives the same bytes as a run
// without the cache. GATEWAY_COMPAT_CODE_CACHE_DEBUG=1 makes the launcher say what it did.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POST_RENDER, REPO_ROOT } from '../helpers/run-cli.js';

const scratch = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'gateway-compat-code-cache-')));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const uid = process.getuid!();
const INPUT = readFileSync(path.join(REPO_ROOT, 'examples/istio-gateway.yaml'), 'utf8');
const SLOW = 60_000;

let counter = 0;
/** A fresh HOME and TMPDIR for one test. */
function sandbox(): { home: string; tmp: string; env: NodeJS.ProcessEnv } {
  const root = path.join(scratch, `case-${++counter}`);
  const home = path.join(root, 'home');
  const tmp = path.join(root, 'tmp');
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TMPDIR: tmp, GATEWAY_COMPAT_CODE_CACHE_DEBUG: '1' };
  delete env.XDG_CACHE_HOME;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  return { home, tmp, env };
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** the launcher's debug lines, without the prefix */
  cache: string[];
}

function gatewayCompat(env: NodeJS.ProcessEnv, input = INPUT, args: string[] = ['--net-bind-service']): Run {
  const result = spawnSync(process.execPath, [POST_RENDER, ...args], { env, input, encoding: 'utf8', timeout: SLOW });
  expect(result.error).toBeUndefined();
  const lines = result.stderr.split('\n');
  const prefix = 'gateway-compat code cache: ';
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: lines.filter((line) => !line.startsWith(prefix)).join('\n'),
    cache: lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length)),
  };
}

/** The output without any cache: what every run must print, cache or not. */
const reference = (() => {
  const { env } = sandbox();
  const run = gatewayCompat({ ...env, NODE_DISABLE_COMPILE_CACHE: '1' });
  return run;
})();

function expectSameOutput(run: Run): void {
  expect(run.status).toBe(0);
  expect(run.stdout).toBe(reference.stdout);
  expect(run.stderr).toBe(reference.stderr);
}

const cacheFolderOf = (home: string): string => path.join(home, '.cache', 'gateway-compat');
function cacheFileIn(folder: string): string {
  const files = readdirSync(folder).filter((name) => name.endsWith('.v8cache'));
  expect(files).toHaveLength(1);
  return path.join(folder, files[0]!);
}

/** The coverage a cache file's header records (src/launcher/code-cache.ts). */
function levelOf(file: string): number {
  const fields = readFileSync(file, 'latin1').split('\n', 1)[0]!.split(' ');
  return Number(fields[fields.length - 2]);
}

/** A home whose cache file exists and was written by a transform run. */
function primed(): { env: NodeJS.ProcessEnv; file: string; home: string; tmp: string } {
  const box = sandbox();
  const first = gatewayCompat(box.env);
  expectSameOutput(first);
  return { ...box, file: cacheFileIn(cacheFolderOf(box.home)) };
}

describe('the code cache', () => {
  it('is made on the first run in a private folder (0700) as a private file (0600), and loaded by the next', () => {
    expect(reference.cache).toEqual(['disabled (no folder)']);
    expect(reference.status).toBe(0);
    const { env, home } = sandbox();
    const first = gatewayCompat(env);
    expectSameOutput(first);
    const folder = cacheFolderOf(home);
    const file = cacheFileIn(folder);
    expect(first.cache).toEqual(['missing (no folder)', `wrote ${file}`]);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const info = statSync(file);
    expect(info.mode & 0o777).toBe(0o600);
    expect(info.uid).toBe(uid);
    expect(readdirSync(folder)).toEqual([path.basename(file)]); // no temporary file left behind
    const second = gatewayCompat(env);
    expectSameOutput(second);
    expect(second.cache).toEqual([`accepted ${file}`]);
    expect(statSync(file).mtimeMs).toBe(info.mtimeMs); // loaded, not written again
  });

  it('made by an empty stream, is written again once a transform ran, then only read', () => {
    const { env, home } = sandbox();
    const empty = gatewayCompat(env, '');
    expect(empty.status).toBe(0);
    expect(empty.stdout).toBe('');
    const file = cacheFileIn(cacheFolderOf(home));
    expect(empty.cache).toEqual(['missing (no folder)', `wrote ${file}`]);
    const small = statSync(file).size;
    const transform = gatewayCompat(env);
    expectSameOutput(transform);
    expect(transform.cache).toEqual([`accepted ${file}`, `wrote ${file}`]);
    expect(statSync(file).size).toBeGreaterThan(small);
    expect(gatewayCompat(env, '').cache).toEqual([`accepted ${file}`]);
    expect(gatewayCompat(env).cache).toEqual([`accepted ${file}`]);
  });

  it('made by a run with no injection template, is written again when one edits a template, then only read by both', () => {
    // A gateway chart's render, then an istiod one: the cache must come to hold the template code,
    // or every istiod render compiles it anew (src/code-cache-areas.ts).
    const templates = readFileSync(
      path.join(REPO_ROOT, 'test/fixtures/injection-templates/injector-configmap-templates/input.yaml'),
      'utf8',
    );
    const { env, home } = sandbox();
    const gateway = gatewayCompat(env);
    expectSameOutput(gateway);
    const file = cacheFileIn(cacheFolderOf(home));
    expect(gateway.cache).toEqual(['missing (no folder)', `wrote ${file}`]);
    expect(levelOf(file)).toBe(1);
    const istiod = gatewayCompat(env, templates);
    expect(istiod.status).toBe(0);
    expect(istiod.stderr).toContain('removed sysctl');
    expect(istiod.cache).toEqual([`accepted ${file}`, `wrote ${file}`]);
    expect(levelOf(file)).toBe(3);
    expect(gatewayCompat(env, templates).cache).toEqual([`accepted ${file}`]);
    expect(gatewayCompat(env).cache).toEqual([`accepted ${file}`]);
  });

  it('made by a stream run, is written again by a --check that shows a diff, then only read by both', () => {
    // The diff library is compiled only for a diff: without its own part, a cache written by a
    // stream run would leave every --check over a monorepo compiling it anew.
    const { env, home, tmp } = sandbox();
    const stream = gatewayCompat(env);
    expectSameOutput(stream);
    const file = cacheFileIn(cacheFolderOf(home));
    expect(levelOf(file)).toBe(1);
    const manifest = path.join(tmp, 'gateway.yaml');
    writeFileSync(manifest, INPUT);
    const check = gatewayCompat(env, '', ['--check', manifest]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('+++ b/');
    expect(check.cache).toEqual([`accepted ${file}`, `wrote ${file}`]);
    expect(levelOf(file)).toBe(5);
    expect(gatewayCompat(env, '', ['--check', manifest]).cache).toEqual([`accepted ${file}`]);
    expect(gatewayCompat(env).cache).toEqual([`accepted ${file}`]);
  });

  it('two copies of one build (the npm package, the Helm plugin folder) each keep their own: runs taking turns only read', () => {
    const { env, home, tmp } = sandbox();
    const copies = ['a', 'b'].map((name) => {
      const folder = path.join(tmp, `copy-${name}`);
      mkdirSync(folder);
      for (const file of ['gateway-compat.mjs', 'gateway-compat-core.cjs']) {
        writeFileSync(path.join(folder, file), readFileSync(path.join(REPO_ROOT, 'bin', file)));
      }
      return path.join(folder, 'gateway-compat.mjs');
    });
    // copies made in the same millisecond would be one copy to the cache: make their times differ
    utimesSync(copies[1]!.replace('.mjs', '-core.cjs'), new Date(), new Date(Date.now() - 60_000));
    const run = (launcher: string): Run => {
      const result = spawnSync(process.execPath, [launcher, '--net-bind-service'], { env, input: INPUT, encoding: 'utf8', timeout: SLOW });
      const lines = result.stderr.split('\n');
      expect(result.stdout).toBe(reference.stdout);
      return {
        status: result.status,
        stdout: result.stdout,
        stderr: '',
        cache: lines.filter((line) => line.startsWith('gateway-compat code cache: ')),
      };
    };
    for (const launcher of copies) expect(run(launcher).cache.some((line) => line.includes('wrote'))).toBe(true);
    expect(readdirSync(cacheFolderOf(home)).filter((name) => name.endsWith('.v8cache'))).toHaveLength(2);
    for (const launcher of [...copies, ...copies]) {
      const cache = run(launcher).cache;
      expect(cache).toHaveLength(1);
      expect(cache[0]).toMatch(/^gateway-compat code cache: accepted /);
    }
  });

  it('goes under $XDG_CACHE_HOME when it is set', () => {
    const { env, home } = sandbox();
    const xdg = path.join(home, 'xdg');
    const run = gatewayCompat({ ...env, XDG_CACHE_HOME: xdg });
    expectSameOutput(run);
    const file = cacheFileIn(path.join(xdg, 'gateway-compat'));
    expect(run.cache).toEqual(['missing (no folder)', `wrote ${file}`]);
    expect(existsSync(cacheFolderOf(home))).toBe(false);
  });

  it('is switched off by NODE_DISABLE_COMPILE_CACHE (Node.js own switch for its compile cache): nothing is read or written', () => {
    const { env, home, tmp } = sandbox();
    const run = gatewayCompat({ ...env, NODE_DISABLE_COMPILE_CACHE: '1' });
    expectSameOutput(run);
    expect(run.cache).toEqual(['disabled (no folder)']);
    expect(existsSync(path.join(home, '.cache'))).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a write removes the caches of builds not run for 30 days and temporary files of dead runs, nothing else', () => {
    const { env, home } = sandbox();
    const folder = cacheFolderOf(home);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const old = (days: number): Date => new Date(Date.now() - days * 24 * 3600 * 1000);
    const plant = (name: string, age: Date): string => {
      const file = path.join(folder, name);
      writeFileSync(file, 'x', { mode: 0o600 });
      utimesSync(file, age, age);
      return name;
    };
    plant('0000000000000000-v20.0.0-x64.v8cache', old(31));
    plant('.dead-run.v8cache.1.abc.tmp', old(1));
    const recent = plant('1111111111111111-v20.0.0-x64.v8cache', old(29));
    const freshTemporary = plant('.live-run.v8cache.2.def.tmp', new Date());
    const other = plant('notes.txt', old(400));
    const run = gatewayCompat(env);
    expectSameOutput(run);
    const written = path.basename(run.cache[1]!.replace(/^wrote /, ''));
    expect(readdirSync(folder).sort()).toEqual([freshTemporary, recent, written, other].sort());
  });

  it('a file owned by another user is never loaded; the run replaces it with its own', () => {
    const { env, file } = primed();
    chownSync(file, 65534, 65534);
    const run = gatewayCompat(env);
    expectSameOutput(run);
    expect(run.cache).toEqual([`refused (owned by another user) ${file}`, `wrote ${file}`]);
    expect(statSync(file).uid).toBe(uid);
    expect(gatewayCompat(env).cache).toEqual([`accepted ${file}`]);
  });

  it('a file other users can write is never loaded', () => {
    const { env, file } = primed();
    chmodSync(file, 0o666);
    const run = gatewayCompat(env);
    expectSameOutput(run);
    expect(run.cache).toEqual([`refused (writable by other users) ${file}`, `wrote ${file}`]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a symlink under the file name is never followed, even to a valid cache', () => {
    const { env, file, home } = primed();
    const elsewhere = path.join(home, 'elsewhere.v8cache');
    renameSync(file, elsewhere);
    symlinkSync(elsewhere, file);
    const run = gatewayCompat(env);
    expectSameOutput(run);
    expect(run.cache).toEqual([`refused (cannot open (ELOOP)) ${file}`, `wrote ${file}`]);
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
  });

  it('a corrupted or truncated file is refused before V8 reads it (a damaged payload would crash the process)', () => {
    const { env, file } = primed();
    const bytes = readFileSync(file);
    const damaged = Buffer.from(bytes);
    for (let i = Math.floor(bytes.length / 4); i < Math.floor(bytes.length / 4) + 4096; i++) damaged[i] = damaged[i]! ^ 0x5a;
    writeFileSync(file, damaged);
    const corrupted = gatewayCompat(env);
    expectSameOutput(corrupted);
    expect(corrupted.cache).toEqual([`refused (corrupted) ${file}`, `wrote ${file}`]);
    writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    const truncated = gatewayCompat(env);
    expectSameOutput(truncated);
    expect(truncated.cache).toEqual([`refused (truncated) ${file}`, `wrote ${file}`]);
    writeFileSync(file, 'not a cache at all\n');
    expect(gatewayCompat(env).cache).toEqual([`refused (made for another build) ${file}`, `wrote ${file}`]);
    expect(gatewayCompat(env).cache).toEqual([`accepted ${file}`]);
  });

  it('a folder that is a symlink, or that other users can write, is not used: the private temp folder is', () => {
    for (const plant of ['symlink', 'open'] as const) {
      const { env, home, tmp } = sandbox();
      const folder = cacheFolderOf(home);
      mkdirSync(path.dirname(folder), { recursive: true });
      if (plant === 'symlink') {
        mkdirSync(path.join(home, 'target'), { mode: 0o700 });
        symlinkSync(path.join(home, 'target'), folder);
      } else {
        mkdirSync(folder);
        chmodSync(folder, 0o777);
      }
      const run = gatewayCompat(env);
      expectSameOutput(run);
      const fallback = path.join(tmp, `gateway-compat-cache-${uid}`);
      const file = cacheFileIn(fallback);
      expect(run.cache, plant).toEqual(['missing (no folder)', `wrote ${file}`]);
      expect(statSync(fallback).mode & 0o777).toBe(0o700);
      expect(readdirSync(plant === 'symlink' ? path.join(home, 'target') : folder)).toEqual([]);
      expect(gatewayCompat(env).cache).toEqual([`accepted ${file}`]);
    }
  });

  it('a home where nothing can be made, or no HOME at all: the private temp folder', () => {
    const { env, home, tmp } = sandbox();
    writeFileSync(path.join(home, 'a-file'), '');
    for (const variant of [{ ...env, HOME: path.join(home, 'a-file', 'home') }, (({ HOME: _, ...rest }) => rest)(env)]) {
      const run = gatewayCompat(variant);
      expectSameOutput(run);
      expect(run.cache[0]).toMatch(/^(missing \(no folder\)|accepted )/);
    }
    const file = cacheFileIn(path.join(tmp, `gateway-compat-cache-${uid}`));
    expect(gatewayCompat({ ...env, HOME: path.join(home, 'a-file', 'home') }).cache).toEqual([`accepted ${file}`]);
  });

  it('a HOME owned by another user (a root run under sudo without -H) is left alone: the private temp folder', () => {
    const { env, home, tmp } = sandbox();
    chownSync(home, 65534, 65534);
    const run = gatewayCompat(env);
    expectSameOutput(run);
    const file = cacheFileIn(path.join(tmp, `gateway-compat-cache-${uid}`));
    expect(run.cache).toEqual(['missing (no folder)', `wrote ${file}`]);
    expect(readdirSync(home)).toEqual([]);
  });

  it('no folder can be made anywhere: the run compiles without a cache and says so', () => {
    const { env, home } = sandbox();
    writeFileSync(path.join(home, 'a-file'), '');
    const nowhere = path.join(home, 'a-file', 'x');
    const run = gatewayCompat({ ...env, HOME: nowhere, TMPDIR: nowhere });
    expectSameOutput(run);
    expect(run.cache).toEqual(['missing (no folder)', 'not written']);
  });

  it(
    'runs racing to make it all give the same bytes, and leave one valid file',
    async () => {
      const { env, home } = sandbox();
      const runs = await Promise.all(
        Array.from(
          { length: 4 },
          () =>
            new Promise<{ code: number | null; stdout: string }>((resolve) => {
              const child = spawn(process.execPath, [POST_RENDER, '--net-bind-service'], { env });
              let stdout = '';
              child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString('utf8')));
              child.stderr.resume();
              child.on('close', (code) => resolve({ code, stdout }));
              child.stdin.end(INPUT);
            }),
        ),
      );
      for (const run of runs) {
        expect(run.code).toBe(0);
        expect(run.stdout).toBe(reference.stdout);
      }
      const folder = cacheFolderOf(home);
      const file = cacheFileIn(folder);
      expect(readdirSync(folder)).toEqual([path.basename(file)]);
      expect(gatewayCompat(env).cache).toEqual([`accepted ${file}`]);
    },
    SLOW,
  );
});
