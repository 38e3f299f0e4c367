// Issue 16: while a transform runs, each cheap text check scans each document once, whichever rules
// and warnings ask (src/kube/text-memo.ts). These tests fail if a check stops going through the memory
// (a caller scanning on its own again) or the memory stops being kept for the transform.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countingScans, rememberedCheck, withChecksRemembered } from '../../src/kube/text-memo.js';
import { mightHoldGateway, mightHoldGatewayWorkload, mightHoldTemplates } from '../../src/kube/text-checks.js';
import { mightMentionSysctl } from '../../src/kube/sysctl-names.js';
import { splitStream } from '../../src/stream/split.js';
import { transform } from '../../src/transform.js';
import { resolveConfig } from '../../src/config/config.js';

function fixtureStream(): string {
  // a stream where several rules and warnings ask about the same documents
  const deployment = readFileSync('test/fixtures/sysctls/all-workload-kinds/input.yaml', 'utf8');
  const configMap = '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: "x"\n';
  const secret = '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  k: v\n';
  // only texts of 4096 characters or more are remembered: every document gets a long comment
  const comment = `# ${'x'.repeat(5000)}\n`;
  return [deployment, configMap, secret].map((text) => text.replace(/^(apiVersion:)/gm, `${comment}$1`)).join('\n');
}

describe('the text checks, remembered during a transform', () => {
  it('scan each document at most once per check, although several callers ask', () => {
    const input = fixtureStream();
    const documents = splitStream(input).chunks.filter((chunk) => chunk.hasContent).length;
    const remove = resolveConfig({}).sysctls.remove;
    let output = '';
    const scans = countingScans(() => {
      output = transform(input).text;
    });
    expect(output.length).toBeGreaterThan(0);
    // mightHoldTemplates is asked by injectionTemplates, istioValues and the warnings' template search,
    // mightMentionSysctl by sysctls and the sysctl-left warning, mightHoldGateway by gatewayOptions and the warnings
    for (const check of [mightHoldTemplates, mightHoldGatewayWorkload, mightHoldGateway]) {
      expect(scans.get(check), check.name).toBe(documents);
    }
    const sysctlScans = [...scans.entries()].filter(([key]) => Array.isArray(key)).map(([, count]) => count);
    expect(sysctlScans).toEqual([documents]);
    expect(mightMentionSysctl(input, remove)).toBe(true);
  });

  it('are not remembered outside a transform, and are forgotten when it ends', () => {
    const key = {};
    const long = 'a'.repeat(5000);
    const other = 'b'.repeat(6000);
    let calls = 0;
    const check = (text: string) => {
      calls++;
      return text.startsWith('a');
    };
    rememberedCheck(key, long, check);
    rememberedCheck(key, long, check);
    expect(calls).toBe(2);
    withChecksRemembered(() => {
      expect(rememberedCheck(key, long, check)).toBe(true);
      expect(rememberedCheck(key, long, check)).toBe(true);
      expect(rememberedCheck(key, other, check)).toBe(false);
      expect(rememberedCheck(key, other, check)).toBe(false);
    });
    expect(calls).toBe(4);
    rememberedCheck(key, long, check);
    expect(calls).toBe(5);
  });
});

describe('the memory of the text checks', () => {
  it('keeps long texts of different lengths, at most two of one length, and no short text (no quadratic comparing); answers right for every text', () => {
    const key = {};
    const shortTexts = Array.from({ length: 50 }, (_, i) => `${'x'.repeat(5000 + i)}${String(i).padStart(3, '0')}`);
    const shortScans = countingScans(() =>
      withChecksRemembered(() => {
        for (let round = 0; round < 2; round++) {
          for (const text of shortTexts) expect(rememberedCheck(key, text, (t) => t.endsWith('7'))).toBe(text.endsWith('7'));
        }
      }),
    );
    expect(shortScans.get(key)).toBe(50);
    const tiny = countingScans(() =>
      withChecksRemembered(() => {
        for (let round = 0; round < 2; round++) rememberedCheck(key, 'short', () => true);
      }),
    );
    expect(tiny.get(key)).toBe(2);
    const texts = Array.from({ length: 50 }, (_, i) => `${'x'.repeat(20000)}${String(i).padStart(3, '0')}`);
    const scans = countingScans(() =>
      withChecksRemembered(() => {
        for (let round = 0; round < 2; round++) {
          for (const text of texts) expect(rememberedCheck(key, text, (t) => t.endsWith('7'))).toBe(text.endsWith('7'));
        }
      }),
    );
    // the first two are remembered, the other 48 are checked in both rounds
    expect(scans.get(key)).toBe(2 + 48 * 2);
  });
});
