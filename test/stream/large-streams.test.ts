// Issue 5, memory: streams of 32 MiB and more take another path through the transform (parsed
// trees are released as soon as no rule needs them, and a full garbage collection runs between
// phases, src/memory.ts). That path must write exactly what the ordinary one writes: the same
// stream and report, byte for byte. GATEWAY_COMPAT_LARGE_INPUT lowers the threshold so a small
// stream takes it. The memory itself is measured by the benchmark (npm run bench), not here.
import { spawnSync, type StdioOptions } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../e2e/helpers/scratch.js';
// @ts-expect-error the benchmark generator is plain JavaScript
import { generate } from '../../bench/generate.mjs';
import { readCorpusFile } from '../helpers/corpus.js';
import { POST_RENDER, runCli } from '../helpers/run-cli.js';

const LARGE_PATH = { ...process.env, GATEWAY_COMPAT_LARGE_INPUT: '1' };

const STREAMS: [string, string][] = [
  [
    'a generated umbrella-chart stream (gateways, Services, Gateways, Secrets)',
    (generate(512 * 1024, 3) as { bytes: Buffer }).bytes.toString('utf8'),
  ],
  ['istioctl all_on render', readCorpusFile('istio/rendered-istioctl/1.27.0/all_on.golden-show-in-gh-pull-request.yaml')],
  ['net-istio render', readCorpusFile('third-party-rendered/net-istio/istio-kind-no-mesh/istio.yaml')],
];

describe('the large-stream path writes what the ordinary path writes', () => {
  for (const [what, input] of STREAMS) {
    for (const flags of [
      ['--report', 'json'],
      ['--net-bind-service', '--run-as-root', '--diff'],
    ]) {
      it(`${what}, ${flags.join(' ')}`, () => {
        const ordinary = runCli(flags, input);
        const large = runCli(flags, input, { env: LARGE_PATH });
        expect(ordinary.status).toBe(0);
        expect(large.status).toBe(0);
        expect(large.stdoutBytes.equals(ordinary.stdoutBytes)).toBe(true);
        expect(large.stderr).toBe(ordinary.stderr);
        // and it did change something, so the comparison says something
        expect(ordinary.stdout).not.toBe(input);
      });
    }
  }
});

// The young-generation flag only counts when Node.js starts, so a large stream restarts the same
// command in a Node.js started with it (src/hosts/v8-tuning.ts), for every way of starting: the
// kustomize wrapper, the Helm 4 plugin's `node FILE`, a shebang. A preloaded module records each
// process's execArgv, which shows whether and how the restart happened.
describe('a large stream continues in a Node.js with a small young generation', () => {
  const dir = scratchDir('v8-tuning');
  const logger = path.join(dir, 'log-exec-argv.mjs');
  writeFileSync(
    logger,
    "import { appendFileSync } from 'node:fs';\nappendFileSync(process.env.EXEC_ARGV_LOG, JSON.stringify(process.execArgv) + '\\n');\n",
  );
  const input = (generate(512 * 1024, 5) as { bytes: Buffer }).bytes.toString('utf8');
  const inputFile = path.join(dir, 'input.yaml');
  writeFileSync(inputFile, input);
  let runs = 0;
  const runLogged = (args: string[], extra: NodeJS.ProcessEnv, from: 'pipe' | 'file', stdin = input) => {
    const log = path.join(dir, `exec-argv-${++runs}.log`);
    const env = { ...process.env, NODE_OPTIONS: `--import=${logger}`, EXEC_ARGV_LOG: log, GATEWAY_COMPAT_LARGE_INPUT: '100000', ...extra };
    const stdio: StdioOptions = from === 'file' ? [openSync(inputFile, 'r'), 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'];
    const result = spawnSync(process.execPath, [POST_RENDER, ...args], {
      env,
      stdio,
      input: from === 'pipe' ? stdin : undefined,
      maxBuffer: 1024 ** 3,
    });
    const started = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as string[]);
    return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString('utf8'), started };
  };

  for (const from of ['pipe', 'file'] as const) {
    it(`from a ${from}: restarts once with --max-semi-space-size=4 and writes what an untuned run writes`, () => {
      const untuned = runLogged(['--net-bind-service', '--diff'], { GATEWAY_COMPAT_V8_TUNED: '1' }, from);
      const tuned = runLogged(['--net-bind-service', '--diff'], {}, from);
      expect(untuned.started).toEqual([[]]);
      expect(tuned.started).toEqual([[], ['--max-semi-space-size=4']]);
      expect(tuned.status).toBe(0);
      expect(untuned.status).toBe(0);
      expect(tuned.stdout.equals(untuned.stdout)).toBe(true);
      expect(tuned.stderr).toBe(untuned.stderr);
      expect(tuned.stdout.toString('utf8')).toContain('NET_BIND_SERVICE');
    });
  }

  it('from a FILE argument: restarts once, and the restarted run reads the file itself', () => {
    const untuned = runLogged(['--net-bind-service', inputFile], { GATEWAY_COMPAT_V8_TUNED: '1' }, 'pipe', '');
    const tuned = runLogged(['--net-bind-service', inputFile], {}, 'pipe', '');
    expect(tuned.started).toEqual([[], ['--max-semi-space-size=4']]);
    expect(tuned.status).toBe(0);
    expect(tuned.stdout.equals(untuned.stdout)).toBe(true);
    expect(tuned.stderr).toBe(untuned.stderr);
  });

  it('below the threshold, or when started with the flag already, it does not restart', () => {
    expect(runLogged([], { GATEWAY_COMPAT_LARGE_INPUT: String(input.length + 1) }, 'pipe').started).toEqual([[]]);
    const result = spawnSync(process.execPath, ['--max-semi-space-size=8', POST_RENDER], {
      input,
      env: {
        ...process.env,
        GATEWAY_COMPAT_LARGE_INPUT: '100000',
        NODE_OPTIONS: `--import=${logger}`,
        EXEC_ARGV_LOG: path.join(dir, 'flagged.log'),
      },
    });
    expect(result.status).toBe(0);
    expect(readFileSync(path.join(dir, 'flagged.log'), 'utf8').trim()).toBe(JSON.stringify(['--max-semi-space-size=8']));
  });

  // Issue 16: below 16 MiB, a stream of small documents stays in the first Node.js (the restart
  // would cost a sixth of its run, and it stays within its memory bound without it); input that
  // starts like JSON, or holds one document of 2 MiB or more, still continues tuned (src/input/stdin.ts).
  it('from 4 MiB: a stream of small documents stays put; JSON and one large document continue tuned', () => {
    const real = { GATEWAY_COMPAT_LARGE_INPUT: '' };
    const small = (generate(5 * 1024 * 1024, 7) as { bytes: Buffer }).bytes.toString('utf8');
    const items = Array.from(
      { length: 60000 },
      (_, i) => `- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c${i}\n  data:\n    k: v\n`,
    );
    const list = `apiVersion: v1\nkind: List\nitems:\n${items.join('')}`;
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: items.map((_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` }, data: { k: 'v' } })),
    });
    for (const text of [small, list, json]) expect(text.length).toBeGreaterThan(4 * 1024 * 1024);
    const stays = runLogged([], real, 'pipe', small);
    expect(stays.status).toBe(0);
    expect(stays.started).toEqual([[]]);
    for (const text of [list, json]) {
      const tuned = runLogged([], real, 'pipe', text);
      expect(tuned.status).toBe(0);
      expect(tuned.started).toEqual([[], ['--max-semi-space-size=4']]);
    }
    // stdin a regular file (as the benchmark runs): decided from its size and first bytes
    for (const [text, started] of [
      [small, [[]]],
      [json, [[], ['--max-semi-space-size=4']]],
      [list, [[], ['--max-semi-space-size=4']]],
    ] as const) {
      const file = path.join(dir, 'from-file.yaml');
      writeFileSync(file, text);
      const log = path.join(dir, `exec-argv-${++runs}.log`);
      const result = spawnSync(process.execPath, [POST_RENDER], {
        env: { ...process.env, NODE_OPTIONS: `--import=${logger}`, EXEC_ARGV_LOG: log, GATEWAY_COMPAT_LARGE_INPUT: '' },
        stdio: [openSync(file, 'r'), 'pipe', 'pipe'],
        maxBuffer: 1024 ** 3,
      });
      expect(result.status).toBe(0);
      expect(result.stdout.length).toBeGreaterThan(text.length / 2);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      expect(lines.map((line) => JSON.parse(line) as string[])).toEqual(started);
    }
  });

  it("the restarted run's failures are the run's failures: exit code, message, nothing on stdout", () => {
    const broken = `${input}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  name: again\nspec:\n  securityContext:\n    sysctls:\n    - name: net.ipv4.ip_unprivileged_port_start\n      value: "0"\n`;
    const untuned = runLogged([], { GATEWAY_COMPAT_V8_TUNED: '1' }, 'pipe', broken);
    const tuned = runLogged([], {}, 'pipe', broken);
    expect(tuned.started).toHaveLength(2);
    expect(untuned.status).toBe(1);
    expect(tuned.status).toBe(1);
    expect(tuned.stdout.length).toBe(0);
    expect(tuned.stderr).toBe(untuned.stderr);
    const tooLarge = runLogged(['--max-input-size', '200000'], {}, 'pipe');
    expect(tooLarge.status).toBe(1);
    expect(tooLarge.stderr).toContain('larger than the limit of 200000 bytes');
  });
});
