// Issue 16: which stdin continues in a tuned Node.js (src/input/stdin.ts): the sizes of the documents
// of a stream read whole, told from the `---` at line starts.
import { describe, expect, it } from 'vitest';
import { largestDocument, needsTuningOnceRead } from '../../src/input/stdin.js';

describe('largestDocument', () => {
  it('measures from one document marker at a line start to the next (the newline before it counts)', () => {
    expect(largestDocument(Buffer.from('a: 1\n'))).toBe(5);
    expect(largestDocument(Buffer.from('---\na: 1\n---\nb: 22\n'))).toBe(11);
    expect(largestDocument(Buffer.from('a: 1\n---\nb: 22222222\n---\n'))).toBe(16);
    // a `---` inside a line or indented is no marker
    expect(largestDocument(Buffer.from('a: b---c\n  ---\n'))).toBe(15);
  });

  it('makes a stream of 4 MiB or more with one document of 2 MiB continue tuned, not one of small documents', () => {
    const small = Buffer.from(
      Array.from({ length: 50000 }, (_, i) => `---\nkind: ConfigMap\nmetadata:\n  name: c${i}\n`)
        .join('')
        .repeat(2),
    );
    expect(small.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(needsTuningOnceRead(small)).toBe(false);
    const large = Buffer.concat([small, Buffer.from(`---\ndata:\n  k: ${'x'.repeat(2 * 1024 * 1024)}\n`)]);
    expect(needsTuningOnceRead(large)).toBe(true);
    expect(needsTuningOnceRead(Buffer.from(`data:\n  k: ${'x'.repeat(3 * 1024 * 1024)}\n`))).toBe(false);
  });
});
