// Issue 11, item 12: the property tests' independent semantic oracle. Random streams of workloads
// of every kind (CronJob included) with several sysctls in random order, pod- and container-level
// runAsNonRoot, flow-style and JSON templates, gateway and non-gateway (sidecar) pods, Gateways of
// several classes and documents no rule may touch. For every stream and configuration the output
// is parsed and compared, object by object, with what test/helpers/oracle.ts builds from the
// README alone: an edit that is valid YAML but wrong (a grant on a sidecar, a sysctl left in a
// CronJob, another sysctl dropped, runAsNonRoot left true) fails here.
//
// The seed is fixed per run and printed: GATEWAY_COMPAT_PROPERTY_SEED=<n> replays a run (with
// GATEWAY_COMPAT_PROPERTY_PATH=<path> from a failure report, one case), =random picks a new one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { transform, type TransformOptions } from '../src/transform.js';
import { expectedObjects, oracleStream, streamText, type Json, type OracleConfig } from './helpers/oracle.js';
import { runCli } from './helpers/run-cli.js';

const RUNS = Number(process.env.GATEWAY_COMPAT_PROPERTY_RUNS ?? 150);
const SEED_TEXT = process.env.GATEWAY_COMPAT_PROPERTY_SEED ?? '20261201';
const SEED = SEED_TEXT === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(SEED_TEXT);
const PATH = process.env.GATEWAY_COMPAT_PROPERTY_PATH;
if (!Number.isSafeInteger(SEED)) throw new Error(`GATEWAY_COMPAT_PROPERTY_SEED must be a whole number or "random", not ${SEED_TEXT}`);
process.stdout.write(
  `oracle property test: seed ${SEED} (replay: GATEWAY_COMPAT_PROPERTY_SEED=${SEED} npx vitest run test/oracle.test.ts)\n`,
);
const parameters = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns,
  seed: SEED,
  ...(PATH ? { path: PATH } : {}),
  endOnFailure: true,
});

const CONFIGS: { name: string; flags: string[]; config: NonNullable<TransformOptions['config']>; oracle: OracleConfig }[] = [
  { name: 'defaults', flags: [], config: {}, oracle: { netBindService: false, runAsRoot: false, gatewayOptions: true } },
  {
    name: '--net-bind-service --run-as-root',
    flags: ['--net-bind-service', '--run-as-root'],
    config: { netBindService: true, runAsRoot: true },
    oracle: { netBindService: true, runAsRoot: true, gatewayOptions: true },
  },
  {
    name: '--net-bind-service',
    flags: ['--net-bind-service'],
    config: { netBindService: true },
    oracle: { netBindService: true, runAsRoot: false, gatewayOptions: true },
  },
  {
    name: '--run-as-root --no-gateway-options',
    flags: ['--run-as-root', '--no-gateway-options'],
    config: { runAsRoot: true, gatewayApi: { enabled: false } },
    oracle: { netBindService: false, runAsRoot: true, gatewayOptions: false },
  },
];

/** The output as objects; an options ConfigMap's data.deployment is read as the YAML it holds. */
function outputObjects(text: string): Json[] {
  return parseAllDocuments(text)
    .map((doc) => {
      expect(doc.errors, 'the output does not parse').toEqual([]);
      return doc.toJS() as Json | null;
    })
    .filter((object): object is Json => object !== null)
    .map((object) => {
      if (object.kind === 'ConfigMap' && typeof object.data?.deployment === 'string') {
        return { ...object, data: { ...object.data, deployment: parseAllDocuments(object.data.deployment)[0]!.toJS() } };
      }
      return object;
    });
}

describe('independent semantic oracle: each output object equals the one the test builds', () => {
  for (const { name, config, oracle } of CONFIGS) {
    it(
      `transform(), ${name} (${RUNS} streams)`,
      () => {
        fc.assert(
          fc.property(oracleStream, (documents) => {
            const input = streamText(documents);
            const result = transform(input, { config });
            expect(outputObjects(result.text)).toEqual(expectedObjects(documents, oracle));
            // the implementation's own verdict agrees with the oracle's: a second run changes nothing
            expect(transform(result.text, { config }).changes).toEqual([]);
          }),
          parameters(RUNS),
        );
      },
      60_000 + RUNS * 100,
    );
  }

  it(
    `the CLI puts out the same objects (${Math.max(8, Math.round(RUNS / 12))} streams)`,
    () => {
      fc.assert(
        fc.property(oracleStream, fc.constantFrom(...CONFIGS), (documents, { flags, oracle }) => {
          const result = runCli([...flags, '--report', 'none'], streamText(documents));
          expect(result.status, result.stderr).toBe(0);
          expect(outputObjects(result.stdout)).toEqual(expectedObjects(documents, oracle));
        }),
        parameters(Math.max(8, Math.round(RUNS / 12))),
      );
    },
    120_000 + RUNS * 1_000,
  );
});
