// The outcome matrix (issue 10): for every Istio chart version in the corpus, the istiod and
// gateway charts rendered by real Helm 3 with the values users set, each release post-rendered
// by the real CLI with each way of binding low ports, the gateway workloads injected (or their
// Gateway API Deployments generated) by istio-sim from the post-rendered control plane, and the
// pods checked. Every pod must run, or a gateway-compat run must have failed or warned why
// (judge.ts). A summary table is printed at the end and written to $TMPDIR/outcome-matrix.txt.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../helpers/scratch.js';
import { casesFor, gatewayApiStream, hostNetworkStream, type OutcomeCase } from './cases.js';
import { requireOracle, type Engine, type PodVerdict } from './engine.js';
import { apiServerRejections, judge, type Judgement } from './judge.js';
import { objectsOf } from '../helpers/manifests.js';
import { chartVersions, helmTemplate, postRender, streamFile, type PostRendered } from './releases.js';

const versions = chartVersions();
const results: { c: OutcomeCase; judgement: Judgement }[] = [];

async function runCase(
  bin: Engine,
  helmBin: string,
  dir: string,
  c: OutcomeCase,
): Promise<{ judgement: Judgement; verdicts: PodVerdict[]; runs: PostRendered[] }> {
  const kube = ['--kube-version', c.kubeVersion];
  const simKube = ['--kube-version', c.kubeVersion.split('.').slice(0, 2).join('.'), ...(c.revision ? ['--revision', c.revision] : [])];
  const istiod = await helmTemplate(helmBin, c.version, 'istiod', 'istiod', 'istio-system', [...c.istiod, ...kube]);
  const controlPlane = c.istiodFlags === null ? undefined : await postRender(istiod, c.istiodFlags);
  let source: string;
  if (c.workloads.kind === 'gateway-chart')
    source = await helmTemplate(helmBin, c.version, 'gateway', 'istio-ingress', 'istio-ingress', [...c.workloads.values, ...kube]);
  else if (c.workloads.kind === 'gateway-api') source = gatewayApiStream(c.workloads.className, c.revision);
  else source = hostNetworkStream(c.version);
  const workloads = await postRender(source, c.workloadFlags);
  const runs = [controlPlane, workloads].filter((run): run is PostRendered => run !== undefined);
  if (runs.some((run) => run.status !== 0)) return { judgement: judge({ controlPlane, workloads }, []), verdicts: [], runs };

  const cpFile = streamFile(dir, `cp-${c.version}`, controlPlane ? controlPlane.stdout : istiod);
  const admitted =
    c.workloads.kind === 'gateway-api'
      ? await bin.gateways(cpFile, workloads.stdout, simKube)
      : await bin.inject(cpFile, workloads.stdout, simKube);
  const { verdicts } = await bin.check(admitted.stdout);
  if (admitted.status !== 0 && verdicts.length === 0) throw new Error(`istio-sim failed: ${admitted.stderr.slice(0, 2000)}`);
  const rejections = apiServerRejections(objectsOf(admitted.stdout) as unknown as Record<string, unknown>[]);
  return { judgement: judge({ controlPlane, workloads }, verdicts, rejections), verdicts, runs };
}

/** Runs one case and records it; '' when it is right, else what is wrong with it. */
async function judgeCase(bin: Engine, helmBin: string, dir: string, c: OutcomeCase): Promise<string> {
  let outcome: Awaited<ReturnType<typeof runCase>>;
  try {
    outcome = await runCase(bin, helmBin, dir, c);
  } catch (error) {
    results.push({ c, judgement: { outcome: 'failed', problems: [`ERROR ${String(error)}`], explained: [] } });
    return `${c.name}: ERROR ${String(error)}`;
  }
  const { judgement, verdicts, runs } = outcome;
  results.push({ c, judgement });
  if (judgement.problems.length === 0) return '';
  return [
    `case: Istio ${c.version} ${c.name}`,
    `istiod: helm ${c.istiod.join(' ') || '(defaults)'}; post-render ${c.istiodFlags === null ? 'not run' : c.istiodFlags.join(' ') || '(no flags)'}`,
    `workloads: ${c.workloads.kind} ${'values' in c.workloads ? c.workloads.values.join(' ') : ''}; post-render ${c.workloadFlags.join(' ') || '(no flags)'}`,
    ...verdicts.map(
      (v) =>
        `  ${v.pass ? 'PASS' : 'FAIL'} ${v.source}: sysctl=${v.sysctl.pass} admissible=${v.admissible.pass} binds=${v.binds.map((b) => `${b.port}:${b.verdict}`).join(',') || 'n/a'}`,
    ),
    ...runs.map(
      (run) =>
        `  run ${run.args.join(' ') || '(no flags)'}: exit ${run.status}, warnings ${(run.report?.warnings ?? []).map((w) => w.code).join(',') || 'none'}`,
    ),
    ...judgement.problems.map((problem) => `  problem: ${problem}`),
  ].join('\n');
}

function summarize(): string {
  const byCase = new Map<string, Map<string, string>>();
  for (const version of versions) for (const c of casesFor(version)) if (!byCase.has(c.name)) byCase.set(c.name, new Map());
  for (const { c, judgement } of results) {
    const row = byCase.get(c.name) ?? new Map<string, string>();
    row.set(
      c.version,
      judgement.problems.some((p) => p.startsWith('ERROR')) ? 'ERROR' : judgement.problems.length > 0 ? 'WRONG' : judgement.outcome,
    );
    byCase.set(c.name, row);
  }
  const width = Math.max(...[...byCase.keys()].map((name) => name.length));
  const lines = [`${'case'.padEnd(width)}  ${versions.map((v) => v.padEnd(8)).join(' ')}`];
  for (const [name, row] of byCase)
    if (row.size > 0) lines.push(`${name.padEnd(width)}  ${versions.map((v) => (row.get(v) ?? '-').padEnd(8)).join(' ')}`);
  const count = (what: string): number =>
    results.filter(({ judgement }) =>
      what === 'WRONG' ? judgement.problems.length > 0 : judgement.problems.length === 0 && judgement.outcome === what,
    ).length;
  lines.push(
    '',
    `${results.length} cases: ${count('pass')} pass, ${count('warned')} warned (pods fail, a warning says why), ${count('failed')} failed cleanly, ${count('WRONG')} WRONG or ERROR`,
  );
  return lines.join('\n');
}

afterAll(() => {
  if (results.length === 0) return;
  const table = summarize();
  writeFileSync(path.join(os.tmpdir(), 'outcome-matrix.txt'), `${table}\n`);
  process.stdout.write(`\noutcome matrix (versions x cases):\n${table}\n`);
});

describe('outcome matrix', () => {
  it('finds the Istio chart versions in the corpus', () => {
    expect(versions.length, 'no chart version under ../shared/corpus/istio/helm-charts').toBeGreaterThan(0);
  });
  const oracle = requireOracle();
  if (!oracle) return;
  const { engine: bin, helm: helmBin } = oracle;
  const dir = scratchDir('outcome');
  for (const version of versions) {
    describe(`Istio ${version}`, () => {
      // One test per render variant (its ways of binding run inside it, in parallel): a few dozen
      // tests instead of hundreds keeps vitest's worker-to-main traffic small on a loaded machine.
      const families = new Map<string, OutcomeCase[]>();
      for (const c of casesFor(version)) {
        const family = c.name.split(' / ')[0] as string;
        families.set(family, [...(families.get(family) ?? []), c]);
      }
      for (const [family, members] of families) {
        it.concurrent(family, async () => {
          const failures = await Promise.all(members.map((c) => judgeCase(bin, helmBin, dir, c)));
          expect(
            failures.filter((failure) => failure !== ''),
            `Istio ${version} ${family}`,
          ).toEqual([]);
        });
      }
    });
  }
});
