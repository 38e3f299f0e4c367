// A document larger than stdout's 1 MiB batch (the one document of a large JSON List) is written
// a slice at a time (src/hosts/stdio.ts): the bytes out are the bytes in, also when a slice would
// end between the two halves of a surrogate pair (an emoji, outside the Basic Multilingual Plane).
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

/** A ConfigMap of one document, about 1.6 MB of UTF-8, whose value is `count` emoji after `pad`. */
function emojiConfigMap(pad: string, count: number, json: boolean): string {
  const value = `${pad}${'\u{1F600}'.repeat(count)}`;
  if (json) return `${JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'emoji' }, data: { value } }, null, 4)}\n`;
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emoji\ndata:\n  value: "${value}"\n`;
}

describe('a document larger than the write batch', () => {
  // every parity of where a slice of 349,525 code units ends, against the pairs
  for (const json of [false, true]) {
    for (const pad of ['', 'a', 'ab']) {
      it(`${json ? 'JSON' : 'YAML'}, emoji after ${pad.length} character(s): comes out byte for byte`, () => {
        const input = emojiConfigMap(pad, 400_000, json);
        const result = runCli([], input);
        expect(result.status).toBe(0);
        expect(result.stdoutBytes.equals(Buffer.from(input, 'utf8'))).toBe(true);
      });
    }
  }
});
