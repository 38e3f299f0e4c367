// Issue 16: decodeText checks the bytes in one pass (src/input/text.ts) and decodes all-ASCII input
// as Latin-1. These tests hold it to the plain way (TextDecoder, then the control-character regular
// expression) on every kind of input, and fail if the fast path stops being taken for ASCII input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText, scanBytes } from '../../src/input/text.js';

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** The plain way: what decodeText did before, as its own oracle. */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function plainDecode(bytes: Uint8Array): string {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return 'invalid';
  }
  const control = CONTROL.exec(text);
  return control ? `control U+${control[0].charCodeAt(0).toString(16)} line ${text.slice(0, control.index).split('\n').length}` : text;
}

function decoded(bytes: Uint8Array): string {
  try {
    return decodeText(bytes, 'the input');
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes('invalid UTF-8')) return 'invalid';
    const [, code, line] = /U\+([0-9A-F]{4}).* on line (\d+)/.exec(message) ?? [];
    return `control U+${Number.parseInt(code ?? '', 16).toString(16)} line ${line}`;
  }
}

describe('decodeText', () => {
  it('takes the ASCII path for ASCII text, and the UTF-8 one only with bytes above 0x7F', () => {
    const ascii = Buffer.from('apiVersion: v1\nkind: ConfigMap\r\n\tdata: {}\n');
    expect(scanBytes(ascii)).toBe(0);
    expect(decodeText(ascii, 'the input')).toBe(ascii.toString('utf8'));
    expect(scanBytes(Buffer.from('name: caf\u00e9\n'))).toBe(1);
    expect(scanBytes(Buffer.from('a\u0000b'))).toBe(2);
    expect(scanBytes(Buffer.from('a\u007Fb'))).toBe(2);
  });

  it('reports the same control character and line, and invalid UTF-8 before it', () => {
    expect(() => decodeText(Buffer.from('a: 1\nb: \u0007\n'), 'the input')).toThrow(/U\+0007 on line 2/);
    expect(() => decodeText(Buffer.from([0x61, 0x00, 0x0a, 0xff]), 'the input')).toThrow(/invalid UTF-8/);
  });

  it('answers as TextDecoder and the regular expression do, on any bytes (seed 16)', () => {
    const byte = fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.constantFrom(0x09, 0x0a, 0x0d, 0x00, 0x07, 0x1f, 0x7f, 0x0b, 0x0c, 0x0e),
      fc.integer({ min: 0x80, max: 0xff }),
    );
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }).map((s) => Buffer.from(s, 'utf8')),
      fc.array(byte, { maxLength: 40 }).map((bytes) => Uint8Array.from(bytes)),
    );
    fc.assert(
      fc.property(text, (bytes) => {
        expect(decoded(bytes)).toBe(plainDecode(bytes));
      }),
      { seed: 16, numRuns: 1000 },
    );
  });

  it('decodes a Uint8Array view into a larger buffer by its own bytes', () => {
    const whole = Buffer.from('xxapiVersion: v1\nyy');
    expect(decodeText(whole.subarray(2, 17), 'the input')).toBe('apiVersion: v1\n');
  });
});
