// The privilege model (src/kube/privilege.ts) against an independent oracle: istio-sim's `check`
// (../shared/engine), which decides from its own reading of the kubelet and the kernel whether a
// gateway container can bind port 80. Random pod and container securityContexts, fixed seed
// (printed), one istio-sim run for the whole batch.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { judgeBinding, overlay, type BindVerdict, type SecurityFields } from '../../src/kube/privilege.js';
import { findEngine, type PodVerdict } from '../e2e/outcome/engine.js';

const SEED = Number(process.env.GATEWAY_COMPAT_PROPERTY_SEED ?? 20261201);
const CASES = 400;

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
const uid = optional(fc.constantFrom(0, 1337, 10101));
const capabilities = optional(
  fc.record(
    {
      add: optional(fc.constantFrom([], ['NET_BIND_SERVICE'], ['NET_ADMIN'], ['ALL'], ['NET_RAW', 'NET_BIND_SERVICE'])),
      drop: optional(fc.constantFrom([], ['ALL'], ['NET_BIND_SERVICE'], ['NET_RAW'])),
    },
    { requiredKeys: [] },
  ),
);
const container = fc.record(
  { runAsUser: uid, runAsNonRoot: optional(fc.boolean()), privileged: optional(fc.boolean()), capabilities },
  { requiredKeys: [] },
);
const pod = fc.record({ runAsUser: uid, runAsNonRoot: optional(fc.boolean()) }, { requiredKeys: [] });

/** Drops the keys fast-check left undefined: YAML has no undefined. */
function clean<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function oracleVerdict(verdict: PodVerdict): BindVerdict {
  if (!verdict.admissible.pass) return 'not-admitted';
  return verdict.binds[0]?.verdict ?? 'no';
}

describe('privilege model', () => {
  it('judges uid, runAsNonRoot and capabilities as the kubelet and kernel do', () => {
    expect(judgeBinding({ runAsUser: 0, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }, {}).verdict).toBe('binds');
    expect(judgeBinding({ runAsUser: 0, capabilities: { drop: ['ALL'] } }, {}).verdict).toBe('no');
    expect(judgeBinding({ runAsUser: 1337, capabilities: { add: ['NET_BIND_SERVICE'] } }, {}).verdict).toBe('runtime-dependent');
    expect(judgeBinding({ runAsNonRoot: true }, { runAsUser: 0 }).verdict).toBe('not-admitted');
    expect(judgeBinding({}, {}, 1337).verdict).toBe('no');
  });

  it('merges a Deployment container over the template as the injector re-applies it (lists atomic)', () => {
    const template: SecurityFields = { runAsUser: 0, capabilities: { add: ['NET_BIND_SERVICE', 'NET_ADMIN'] } };
    expect(overlay(template, { capabilities: { drop: ['ALL'] } })).toEqual({
      runAsUser: 0,
      capabilities: { add: ['NET_BIND_SERVICE', 'NET_ADMIN'], drop: ['ALL'] },
    });
    expect(overlay(template, { runAsUser: 1337, capabilities: { add: ['NET_BIND_SERVICE'] } })).toEqual({
      runAsUser: 1337,
      capabilities: { add: ['NET_BIND_SERVICE'] },
    });
  });

  it(`agrees with istio-sim check on ${CASES} random securityContexts (seed ${SEED})`, () => {
    const engine = findEngine();
    if ('missing' in engine) throw new Error(engine.missing);
    process.stdout.write(`privilege model vs istio-sim: seed ${SEED} (GATEWAY_COMPAT_PROPERTY_SEED)\n`);
    const samples = fc.sample(fc.tuple(pod, container), { numRuns: CASES, seed: SEED }).map(([p, c]) => [clean(p), clean(c)] as const);
    const stream = samples
      .map(([p, c], i) =>
        stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `case-${i}`, namespace: 'gw' },
          spec: { securityContext: p, containers: [{ name: 'istio-proxy', image: 'proxyv2', securityContext: c }] },
        }),
      )
      .join('---\n');
    const ran = spawnSync(engine.bin, ['check', '--json', '--port', '80'], {
      input: stream,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const verdicts = JSON.parse(ran.stdout) as PodVerdict[];
    expect(verdicts).toHaveLength(samples.length);
    const disagreements = samples
      .map(([p, c], i) => ({
        p,
        c,
        ours: judgeBinding(c, p).verdict,
        oracle: oracleVerdict(verdicts[i] as PodVerdict),
        why: (verdicts[i] as PodVerdict).binds[0]?.reason,
      }))
      .filter((row) => row.ours !== row.oracle);
    expect(disagreements, `seed ${SEED}`).toEqual([]);
  });
});
