// --check/--write over many files take paths the stream mode never needs: these tests fail when one
// of them silently stops being taken (issue 16: --check over 1,000 files within 1.5x the same bytes
// as one stream). They assert on which path ran, never on time: the speed is the benchmark's
// (bench/run.mjs --check-files).
import fs, { linkSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gateway, gatewayDeployment, SYSCTL } from '../helpers/manifests.js';

// Counted, not replaced: the modules below work as they always do.
const calls = vi.hoisted(() => ({ readFast: 0, textHoldsSecret: 0, secretIn: 0, atomicWriteLoaded: 0 }));
vi.mock('../../src/yaml/fast-read.js', async (original) => {
  const real = await original<typeof import('../../src/yaml/fast-read.js')>();
  return { ...real, readFast: (...args: Parameters<typeof real.readFast>) => (calls.readFast++, real.readFast(...args)) };
});
vi.mock('../../src/kube/secrets.js', async (original) => {
  const real = await original<typeof import('../../src/kube/secrets.js')>();
  return {
    ...real,
    textHoldsSecret: (...args: Parameters<typeof real.textHoldsSecret>) => (calls.textHoldsSecret++, real.textHoldsSecret(...args)),
    secretIn: (...args: Parameters<typeof real.secretIn>) => (calls.secretIn++, real.secretIn(...args)),
  };
});
vi.mock('../../src/hosts/atomic-write.js', async (original) => {
  calls.atomicWriteLoaded++;
  return original();
});

const { holdsKubernetesObjects, runFiles } = await import('../../src/hosts/files.js');
const { transform } = await import('../../src/transform.js');
const { splitStream } = await import('../../src/stream/split.js');
const { parseFlags } = await import('../../src/config/flags.js');
const { loadConfig } = await import('../../src/config/load.js');

const reset = () => {
  for (const key of Object.keys(calls) as (keyof typeof calls)[]) if (key !== 'atomicWriteLoaded') calls[key] = 0;
};

const DEPLOYMENT = gatewayDeployment({
  name: 'gw',
  namespace: null,
  comment: 'gw',
  selector: false,
  injected: false,
  labels: null,
  ports: [],
});
// A manifest the text test cannot vouch for (JSON): only a read tells it is an object.
const JSON_GATEWAY_DEPLOYMENT = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'gw', labels: { istio: 'ingressgateway' } },
  spec: {
    selector: { matchLabels: { istio: 'ingressgateway' } },
    template: {
      metadata: { labels: { istio: 'ingressgateway' } },
      spec: {
        securityContext: { sysctls: [{ name: SYSCTL, value: '0' }] },
        containers: [{ name: 'istio-proxy', image: 'proxy' }],
      },
    },
  },
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-compat-fast-path-'));
  reset();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

async function run(mode: 'check' | 'write', files: string[]) {
  const { values } = parseFlags([`--${mode}`, ...files]);
  return runFiles(values, await loadConfig(values), files, mode);
}

describe('the trees read to tell a manifest', () => {
  it('are handed to the transform (TransformOptions.prepared), which reads no text twice', () => {
    const split = splitStream(`${JSON_GATEWAY_DEPLOYMENT}\n`);
    const trees = new Map();
    expect(holdsKubernetesObjects(JSON_GATEWAY_DEPLOYMENT, split, trees)).toBe(true);
    expect(calls.readFast).toBe(1);
    expect([...trees.keys()]).toEqual([0]);
    reset();
    const result = transform(`${JSON_GATEWAY_DEPLOYMENT}\n`, { prepared: { split, trees } });
    expect(result.changes.length).toBeGreaterThan(0);
    // a JSON edit is read again in place (json-reader.ts rereadJson): no text goes to a reader twice
    expect(calls.readFast).toBe(0);
    reset();
    expect(transform(`${JSON_GATEWAY_DEPLOYMENT}\n`, {}).text).toBe(result.text);
    expect(calls.readFast).toBe(1);
  });
});

describe("--check's Secret verdicts", () => {
  it('come from the transform for every document it parsed: the diff parses none again, and no tree that cannot spell Secret is visited', async () => {
    const file = path.join(dir, 'gw.yaml');
    writeFileSync(file, `${DEPLOYMENT}---\n${gateway('public', 'istio', null, { port: 8080 })}`);
    const outcome = await run('check', [file]);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stdout).toContain(`-        - name: ${SYSCTL}`);
    expect(calls.textHoldsSecret).toBe(0);
    expect(calls.secretIn).toBe(0);
  });

  it('leave a document the transform did not parse to the diff, which hides a Secret there', async () => {
    const file = path.join(dir, 'gw.yaml');
    // the options ConfigMap is added right after the Secret: the hunk's context reaches into it
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  password: hunter2\n---\n${gateway('public', 'istio', null, { port: 8080 })}`,
    );
    const outcome = await run('check', [file]);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stdout).not.toContain('hunter2');
    expect(outcome.stdout).toContain(' password: <hidden>');
    expect(calls.textHoldsSecret).toBeGreaterThan(0);
  });
});

describe('--check over files', () => {
  it('never loads the writer (node:crypto, node:fs/promises); --write does', async () => {
    const file = path.join(dir, 'gw.yaml');
    writeFileSync(file, DEPLOYMENT);
    expect((await run('check', [file])).exitCode).toBe(1);
    expect(calls.atomicWriteLoaded).toBe(0);
    expect((await run('write', [file])).exitCode).toBe(0);
    expect(calls.atomicWriteLoaded).toBe(1);
  });

  it('asks for no real path of files that share no inode, and still reads a file named twice or through a symlink once', async () => {
    const names = ['a.yaml', 'b.yaml', 'c.yaml'].map((name) => path.join(dir, name));
    for (const name of names) writeFileSync(name, DEPLOYMENT);
    symlinkSync(names[0] as string, path.join(dir, 'link.yaml'));
    const realpath = vi.spyOn(fs.realpathSync, 'native');
    const distinctOutcome = await run('check', names);
    expect(realpath).not.toHaveBeenCalled();
    expect(distinctOutcome.stderr.match(/would change/g)).toHaveLength(4); // 3 files and the closing line

    const repeated = await run('check', [...names, names[0] as string, path.join(dir, 'link.yaml'), path.join(dir, '.', 'a.yaml')]);
    expect(repeated.stdout).toBe(distinctOutcome.stdout);
    expect(repeated.stderr).toBe(distinctOutcome.stderr);
  });

  it('treats hard links as the separate paths --write replaces', async () => {
    const first = path.join(dir, 'a.yaml');
    const second = path.join(dir, 'hard.yaml');
    writeFileSync(first, DEPLOYMENT);
    linkSync(first, second);
    const outcome = await run('check', [first, second]);
    expect(outcome.stderr).toContain(`would change ${first}`);
    expect(outcome.stderr).toContain(`would change ${second}`);
  });

  it('reports a missing file once however often it is named', async () => {
    const missing = path.join(dir, 'missing.yaml');
    const outcome = await run('check', [missing, missing, path.join(dir, '.', 'missing.yaml')]);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr.match(/missing\.yaml: error/g)).toHaveLength(1);
  });
});
