// unquote (src/gotemplate/yaml-quotes.ts) reads a double-quoted scalar of plain printable ASCII
// itself and leaves only the rest to the yaml parser: the answers must be the parser's, and the
// parser must not be called for the plain ones (the keys of Istio's templates), or the fast path
// is lost without a sign.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ parse: 0 }));
vi.mock('yaml', async (importOriginal) => {
  const yaml = await importOriginal<typeof import('yaml')>();
  return {
    ...yaml,
    parse: (...args: Parameters<typeof yaml.parse>) => {
      calls.parse++;
      return yaml.parse(...args);
    },
  };
});

const { parse } = await vi.importActual<typeof import('yaml')>('yaml');
const { unquote } = await import('../../src/gotemplate/yaml-quotes.js');

// A fixed seed, printed: GATEWAY_COMPAT_PROPERTY_SEED replays one (or "random").
const SEED_TEXT = process.env.GATEWAY_COMPAT_PROPERTY_SEED ?? '1617';
const SEED = SEED_TEXT === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(SEED_TEXT);
if (!Number.isSafeInteger(SEED)) throw new Error(`GATEWAY_COMPAT_PROPERTY_SEED must be a whole number or "random", not ${SEED_TEXT}`);
process.stdout.write(
  `unquote test: seed ${SEED} (replay: GATEWAY_COMPAT_PROPERTY_SEED=${SEED} npx vitest run test/gotemplate/unquote.test.ts)\n`,
);

afterEach(() => {
  calls.parse = 0;
});

/** What YAML makes of a double-quoted scalar, as unquote promises: the string, or the inner text. */
function byParser(text: string): string {
  try {
    const value: unknown = parse(text);
    return typeof value === 'string' ? value : text.slice(1, -1);
  } catch {
    return text.slice(1, -1);
  }
}

describe('unquote of double-quoted scalars', () => {
  it('reads plain keys without the parser', () => {
    for (const key of ['"{{ .Name }}"', '"sidecar.istio.io/inject"', '" spaced  out "', '""', '"#not a comment"']) {
      expect(unquote(key)).toBe(key.slice(1, -1));
    }
    expect(calls.parse).toBe(0);
  });

  it('leaves escapes, tabs and non-ASCII text to the parser', () => {
    expect(unquote('"ip\\x5funprivileged"')).toBe('ip_unprivileged');
    expect(unquote('"a\tb"')).toBe('a\tb');
    expect(unquote('"é"')).toBe('é');
    expect(calls.parse).toBe(3);
  });

  it('answers as the parser does, on any text between double quotes', () => {
    const char = fc.oneof(
      fc.constantFrom('"', '\\', ' ', '#', ':', '\t', '\r', 'x', '5', 'f', 'n', '{', '}', "'", 'é', '\u0085', '\u2028', '\uFEFF', '\u0007'),
      fc.string({ maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.array(char, { maxLength: 12 }), (chars) => {
        const text = `"${chars.join('')}"`;
        expect(unquote(text)).toBe(byParser(text));
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });
});
