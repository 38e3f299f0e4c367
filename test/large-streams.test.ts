// Issue 5, memory: streams of 32 MiB and more take another path through the transform (parsed
// trees are released as soon as no rule needs them, and a full garbage collection runs between
// phases, src/memory.ts). That path must write exactly what the ordinary one writes: the same
// stream and report, byte for byte. GATEWAY_COMPAT_LARGE_INPUT lowers the threshold so a small
// stream takes it. The memory itself is measured by the benchmark (npm run bench), not here.
import { describe, expect, it } from 'vitest';
// @ts-expect-error the benchmark generator is plain JavaScript
import { generate } from '../bench/generate.mjs';
import { readCorpusFile } from './helpers/corpus.js';
import { runCli } from './helpers/run-cli.js';

const LARGE_PATH = { ...process.env, GATEWAY_COMPAT_LARGE_INPUT: '1' };

const STREAMS: [string, string][] = [
  ['a generated umbrella-chart stream (gateways, Services, Gateways, Secrets)', (generate(512 * 1024, 3) as { bytes: Buffer }).bytes.toString('utf8')],
  ['istioctl all_on render', readCorpusFile('istio/rendered-istioctl/1.27.0/all_on.golden-show-in-gh-pull-request.yaml')],
  ['net-istio render', readCorpusFile('third-party-rendered/net-istio/istio-kind-no-mesh/istio.yaml')],
];

describe('the large-stream path writes what the ordinary path writes', () => {
  for (const [what, input] of STREAMS) {
    for (const flags of [['--report', 'json'], ['--net-bind-service', '--run-as-root', '--diff']]) {
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
