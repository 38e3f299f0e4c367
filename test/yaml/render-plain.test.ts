// renderPlain (src/yaml/render-plain.ts) is yaml's stringify remembered: whatever it returns, from
// the cache or not, must be exactly what stringify returns for the same value and options.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderPlain } from '../../src/yaml/render-plain.js';

const OPTIONS = [
  { version: '1.1' as const, lineWidth: 0 },
  { version: '1.1' as const, lineWidth: 0, indentSeq: false },
  { version: '1.1' as const, lineWidth: 0, collectionStyle: 'flow' as const },
];

describe('renderPlain', () => {
  it('returns stringify for plain values, the first time and from the cache', () => {
    const values: unknown[] = [
      { spec: { template: { spec: { securityContext: { sysctls: [] } } } } },
      { parametersRef: { group: '', kind: 'ConfigMap', name: 'gateway-compat-options' } },
      { name: 'yes', port: 80, on: true, off: null, list: ['a', '1', 'true', '~', ''] },
      [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
      { '2': 'b', '1': 'a', 'key: with colon': '#x' },
    ];
    for (const options of OPTIONS) {
      for (const value of values) {
        expect(renderPlain(value, options)).toBe(stringify(value, options));
        expect(renderPlain(structuredClone(value), options)).toBe(stringify(value, options));
      }
    }
  });

  it('tells values apart that JSON would not (never answers from the cache for them)', () => {
    const options = OPTIONS[0]!;
    // JSON writes NaN, Infinity and -0 as null or 0, drops undefined, and flattens Dates and Maps.
    for (const value of [
      { a: Number.NaN },
      { a: null },
      { a: Number.POSITIVE_INFINITY },
      { a: -0 },
      { a: 0 },
      { a: undefined, b: 1 },
      [undefined],
      [null],
      { d: new Date(0) },
      new Map([['a', 1]]),
    ]) {
      expect(renderPlain(value, options)).toBe(stringify(value, options));
    }
  });

  it('stays right past its size limit', () => {
    const options = OPTIONS[1]!;
    for (let i = 0; i < 2500; i++) {
      const value = { metadata: { name: `options-${i % 1200}`, namespace: `ns-${i % 7}` } };
      expect(renderPlain(value, options)).toBe(stringify(value, options));
    }
  });
});
