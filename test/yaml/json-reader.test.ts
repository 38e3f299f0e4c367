// Issue 11, item 10: the fast JSON reader (src/yaml/json-reader.ts) must build exactly the tree
// `yaml` builds for a JSON document, or decline. Held to `yaml` on the JSON form (2 and 4 spaces,
// one line) of every document of the shared corpus and the fixtures, on kubectl-style Lists (the
// benchmark's JSON List), on the documents the transform writes into JSON, on hand-picked layouts,
// and on generated JSON (strings with every escape and any Unicode, numbers of every form, empty
// collections, nesting, long keys, random spaces and line feeds between tokens) plus random
// damage. Wherever the reader answers, its tree equals yaml's (classes, ranges, values, scalar
// types, formats, sources, flow flags) and yaml found no error. And a run on JSON gives the same
// output, changes and warnings with the reader as with yaml alone.
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument, visit, type Document, type Node } from 'yaml';
// @ts-expect-error the benchmark generator is plain JavaScript
import { generate } from '../../bench/generate.mjs';
import { looksLikeJson, readJson, rereadJson } from '../../src/yaml/json-reader.js';
import { readFast } from '../../src/yaml/fast-read.js';
import { PARSE_OPTIONS } from '../../src/yaml/editable-document.js';
import { splitStream } from '../../src/stream/split.js';
import { transform } from '../../src/transform.js';
import { CORPUS_MANIFESTS, readCorpusFile } from '../helpers/corpus.js';
import { CORPUS } from '../helpers/run-cli.js';
import { documentDifference, readerDisagreement } from '../helpers/yaml-equality.js';
import { damaged, damageOf } from '../helpers/generators.js';

const RUNS = Number(process.env.GATEWAY_COMPAT_PROPERTY_RUNS ?? 150) * 10;
const SEED = process.env.GATEWAY_COMPAT_PROPERTY_SEED ? Number(process.env.GATEWAY_COMPAT_PROPERTY_SEED) : 1101;
console.log(`json-reader property seed: ${SEED} (replay with GATEWAY_COMPAT_PROPERTY_SEED=${SEED})`);
const PARAMETERS = { numRuns: RUNS, seed: SEED };

/** Undefined when the reader declined or agrees with yaml; otherwise what differs. */
const disagreement = (text: string): string | undefined =>
  readerDisagreement((source) => readJson(source, PARSE_OPTIONS), text, { printed: true });

/** The reader reads `text`, and agrees with yaml. */
function expectRead(text: string, label: string): void {
  expect(disagreement(text), label).toBeUndefined();
  expect(readJson(text, PARSE_OPTIONS), label).toBeDefined();
}

/** JSON.stringify as users feed it: 4 spaces (kubectl), 2 spaces (jq, JSON.stringify(_, null, 2)), one line. */
const FORMS = [
  ['4 spaces', (value: unknown) => `${JSON.stringify(value, null, 4)}\n`],
  ['2 spaces', (value: unknown) => `${JSON.stringify(value, null, 2)}\n`],
  ['one line', (value: unknown) => JSON.stringify(value)],
] as const;

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) filesUnder(file, out);
    else if (/\.(ya?ml|injected|json)$/.test(name)) out.push(file);
  }
  return out;
}

/** The plain value of every document of `text` that yaml reads without error and that is a mapping or a sequence. */
function valuesOf(text: string): unknown[] {
  /** A key that is a collection (`{{ .Values.x }}: y` in a Go template) has no JSON form. */
  const collectionKey = (doc: Document.Parsed): boolean => {
    let found = false;
    visit(doc, { Pair: (_key, pair) => void (found ||= !isScalar(pair.key)) });
    return found;
  };
  return parseAllDocuments(text, PARSE_OPTIONS)
    .filter((doc) => doc.errors.length === 0 && doc.contents !== null && 'items' in doc.contents && !collectionKey(doc))
    .map((doc) => doc.toJS({ maxAliasCount: -1 }) as unknown);
}

/** Documents whose JSON is larger than this (CRDs with their schemas) are checked in one form: yaml takes long on the others. */
const LARGE_JSON = 200 * 1024;

function expectJsonFormsRead(label: string, values: readonly unknown[]): number {
  let read = 0;
  for (const [index, value] of values.entries()) {
    const forms = JSON.stringify(value).length > LARGE_JSON ? FORMS.slice(2) : FORMS;
    for (const [form, print] of forms) {
      expectRead(print(value), `${label}, document ${index + 1} (${form})`);
      read++;
    }
  }
  return read;
}

describe('the JSON reader agrees with yaml on real documents', () => {
  it('the JSON form of every document of the shared corpus (4 spaces, 2 spaces, one line): read, and the same tree', () => {
    let read = 0;
    const parsable = (file: string): unknown[] => {
      try {
        return valuesOf(readFileSync(file, 'utf8'));
      } catch {
        // a Go template yaml cannot read at all
        return [];
      }
    };
    // the charts of seven releases repeat most documents: each distinct one once
    const seen = new Set<string>();
    for (const file of filesUnder(CORPUS)) {
      const fresh = parsable(file).filter((value) => {
        const key = JSON.stringify(value);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      read += expectJsonFormsRead(file, fresh);
    }
    expect(read).toBeGreaterThan(300);
  }, 300_000);

  it('the JSON form of every fixture document, and the JSON fixtures themselves', () => {
    const dir = path.join(import.meta.dirname, '..', 'fixtures');
    for (const file of filesUnder(dir)) {
      const text = readFileSync(file, 'utf8');
      expectJsonFormsRead(file, valuesOf(text));
      for (const chunk of splitStream(text).chunks.filter((c) => c.hasContent)) {
        expect(disagreement(chunk.text), file).toBeUndefined();
      }
    }
  });

  it('kubectl-style Lists (the benchmark JSON List in its three forms), and what the transform writes into them', () => {
    const list = (generate(512 * 1024, 3, 'json') as { bytes: Buffer }).bytes.toString('utf8');
    const value = JSON.parse(list) as { items: unknown[] };
    expect(value.items.length).toBeGreaterThan(50);
    for (const [form, print] of FORMS) {
      const text = print(value);
      expectRead(text, `List (${form})`);
      const edits = transform(text, { config: { netBindService: true, runAsRoot: true } }).documentEdits.filter((edit) => !edit.added);
      expect(edits.length, form).toBe(1);
      for (const edit of edits) expectRead(edit.after, `List (${form}, transformed)`);
    }
  });

  it('the documents the transform writes into the JSON form of corpus manifests', () => {
    let edited = 0;
    for (const file of CORPUS_MANIFESTS) {
      for (const value of valuesOf(readCorpusFile(file))) {
        for (const [form, print] of FORMS) {
          const result = transform(print(value), { config: { netBindService: true, runAsRoot: true } });
          for (const edit of result.documentEdits.filter((e) => !e.added)) {
            expectRead(edit.after, `${file} (${form}, transformed)`);
            edited++;
          }
        }
      }
    }
    expect(edited).toBeGreaterThan(10);
  });
});

describe('the JSON reader on hand-picked layouts', () => {
  const layouts = [
    '{}',
    '[]',
    '{ }',
    '[\n]',
    '{\n    "a": 1,\n    "b": [\n        1.50,\n        "x"\n    ],\n    "c": {}\n}\n',
    '{"a": 1 , "b" : 2 }',
    '{"a":\n  1\n  ,"b":\n 2\n}',
    '[\n  1\n  ,\n  2  \n]',
    '[[1] , {} ,\n [ ]\n ]',
    '[{"a":1}\n, {"b" : [] }  \n  ]',
    '\n\n---\n[1]\n\n',
    '\n\n  {"a":1}  \n\n',
    '  \n  {"a":1}',
    ' [ "x" ]',
    '{"a"\n: 1}',
    '{ "a" :1}',
    '{\n"a": [\n1,\n-2\n]\n}\n',
    '---\n{"a":1}\n',
    '--- {"a":1}\n',
    '{"a":1e3,"b":-0,"c":12345678901234567890,"d":true,"e":null,"f":0.0,"g":-1.5E-3, "h": 1E+2, "i": 0.1e-0, "j": 1.50, "k": 100}',
    '{"a: b":"c, d","#x":"[y]", "e":"\\"q\\\\", "f": "\\/\\b\\f\\n\\r\\t", "g": "\\u0041\\ud83d\\ude00\\ud800\\u00e9\\u2028\\u003c"}',
    '{"":"", " ": " a  b ", "---": "...", "- x": "? y", "&a": "*b", "!t": "%x", "|": ">"}',
    '{"yes": "no", "on": "off", "y": "n", "~": "null", "2024-01-01": "1:20", "0777": "0x1F", "<<": "merge"}',
    `{"${'k'.repeat(2000)}": "${'v'.repeat(3000)}", "b": [{"${'k'.repeat(1100)}": 1}]}`,
    '{"é中😀": "é中😀", "a": "\u0085\u2028\u00a0\u007f\u009f"}',
  ];
  for (const text of layouts) {
    it(JSON.stringify(text).slice(0, 80), () => expectRead(text, JSON.stringify(text)));
  }
});

describe('what the JSON reader declines', () => {
  const declined = [
    ['tabs', '{"a":\t1}'],
    ['CRLF', '{"a":\r\n 1}\r\n'],
    ['a byte order mark', '\uFEFF{"a":1}'],
    ['a blank line inside (yaml marks the node after it)', '{"a": 1,\n\n"b": 2}'],
    ['a blank line with spaces inside', '[1\n  \n]'],
    ['a blank line after the marker', '---\n\n[1]\n'],
    ['a comment', '{"a": 1} # c'],
    ['a comment inside', '{"a": 1, # c\n"b": 2}'],
    ['a trailing comma in a mapping', '{"a":1,}'],
    ['a trailing comma in a sequence', '[1,2,]'],
    ['an empty entry', '[1,,2]'],
    ['a missing comma', '[1\n2]'],
    ['a duplicate key', '{"a":1,"a":2}'],
    ['a second document', '{"a":1}\n{"b":1}'],
    ['a document end marker', '{"a":1}\n...\n'],
    ['a second document after a marker', '{"a":1}\n---\n{"b":1}\n'],
    ['a scalar at the top', '"x"'],
    ['a number at the top', '1'],
    ['single quotes', "{'a': 1}"],
    ['a plain key', '{a: 1}'],
    ['a plain value', '{"a": b}'],
    ['a number with a leading zero', '{"a": 012}'],
    ['NaN', '{"a": NaN}'],
    ['a leading +', '{"a": +1}'],
    ['a number without digits after the point', '{"a": 1.}'],
    ['a raw line feed inside a string', '{"a": "x\ny"}'],
    ['a raw control character inside a string', '{"a": "x\u0001y"}'],
    ['an escape JSON does not have', '{"a": "\\x41"}'],
    ['a YAML-only escape', '{"a": "\\e"}'],
    ['a short \\u escape', '{"a": "\\u41"}'],
    ['an unclosed string', '{"a": "x'],
    ['an unclosed mapping', '{"a": 1'],
    ['an unclosed sequence', '[1, 2'],
    ['an anchor', '{"a": &x 1}'],
    ['a tag', '{"a": !!str 1}'],
    ['an indented marker', '  ---\n{"a":1}'],
    ['a key without a value', '{"a"}'],
    ['a pair in a sequence', '["a": 1]'],
    ['nesting deeper than the reader goes', `${'['.repeat(1500)}${']'.repeat(1500)}`],
  ] as const;
  for (const [what, text] of declined) {
    it(what, () => expect(readJson(text, PARSE_OPTIONS)).toBeUndefined());
  }

  it('block YAML is not its to read (the block reader reads it)', () => {
    expect(readJson('a: {"b": 1}\n', PARSE_OPTIONS)).toBeUndefined();
    expect(readFast('a: {"b": 1}\n', PARSE_OPTIONS)).toBeDefined();
  });

  it('a document marker starts JSON only when `{` or `[` follows it (a Helm render starts every document with one)', () => {
    const helm = '---\n# Source: gateway/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: gw\n';
    expect(looksLikeJson(helm)).toBe(false);
    expect(readFast(helm, PARSE_OPTIONS)).toBeDefined();
    expect(looksLikeJson('---\nkind: Service\n')).toBe(false);
    expect(looksLikeJson('--- {"kind": "Service"}\n')).toBe(true);
    expect(looksLikeJson('---\n\n  [1]\n')).toBe(true);
    expect(looksLikeJson('---{"a": 1}\n')).toBe(false);
  });
});

// ---- generated JSON -----------------------------------------------------------------------

/** Strings with every escape JSON has, any Unicode (lone surrogates too) and what YAML would read as something else. */
const jsonString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom(
    '',
    ' ',
    '  a  ',
    'yes',
    'no',
    '~',
    'null',
    '1',
    '0x1F',
    '2024-01-01',
    'a: b',
    '- x',
    '#',
    '---',
    '...',
    '\\',
    '"',
    '\ud800',
    '\udc00x',
  ),
  fc.string({
    unit: fc.constantFrom('a', ' ', '\\', '"', '/', '\b', '\f', '\n', '\r', '\t', '\u0000', '\u001f', '\u2028', 'é'),
    maxLength: 10,
  }),
);

/** Numbers as JSON writes them, in every form its grammar allows. */
const jsonNumber = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.constant('0'), fc.bigInt({ min: 1n, max: 10n ** 25n }).map(String)),
    fc.option(fc.stringMatching(/^[0-9]{1,6}$/), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.stringMatching(/^[0-9]{1,3}$/)), { nil: undefined }),
  )
  .map(
    ([negative, whole, fraction, exponent]) =>
      `${negative ? '-' : ''}${whole}${fraction !== undefined ? `.${fraction}` : ''}${exponent ? exponent.join('') : ''}`,
  );

type JsonTree = { kind: 'text'; text: string } | { kind: 'map'; entries: [string, JsonTree][] } | { kind: 'seq'; items: JsonTree[] };

const leaf: fc.Arbitrary<JsonTree> = fc.oneof(
  jsonString.map((value): JsonTree => ({ kind: 'text', text: JSON.stringify(value) })),
  jsonNumber.map((text): JsonTree => ({ kind: 'text', text })),
  fc.constantFrom('true', 'false', 'null').map((text): JsonTree => ({ kind: 'text', text })),
);
const jsonKey = fc.oneof(
  { weight: 8, arbitrary: jsonString },
  { weight: 1, arbitrary: fc.constantFrom('k'.repeat(1030), 'k'.repeat(1025)) },
);
const { tree } = fc.letrec<{ tree: JsonTree; map: JsonTree; seq: JsonTree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('map'), tie('seq')),
  map: fc
    .uniqueArray(fc.tuple(jsonKey, tie('tree')), { maxLength: 4, selector: ([key]) => key })
    .map((entries): JsonTree => ({ kind: 'map', entries })),
  seq: fc.array(tie('tree'), { maxLength: 4 }).map((items): JsonTree => ({ kind: 'seq', items })),
}));
const topTree = fc.oneof(
  fc
    .uniqueArray(fc.tuple(jsonKey, tree), { maxLength: 5, selector: ([key]) => key })
    .map((entries): JsonTree => ({ kind: 'map', entries })),
  fc.array(tree, { maxLength: 5 }).map((items): JsonTree => ({ kind: 'seq', items })),
);

// no blank lines: the reader declines those (see what it declines)
const GAPS = ['', '', '', ' ', '  ', '\n', '\n  ', ' \n', ' \n    ', '   '];

/** JSON text of `node` with the spaces between tokens drawn from `gaps` in turn. */
function print(node: JsonTree, gaps: number[], state = { at: 0 }): string {
  const gap = (): string => GAPS[(gaps[state.at++ % gaps.length] ?? 0) % GAPS.length] as string;
  if (node.kind === 'text') return node.text;
  if (node.kind === 'seq') {
    if (node.items.length === 0) return `[${gap()}]`;
    return `[${node.items.map((item) => `${gap()}${print(item, gaps, state)}${gap()}`).join(',')}]`;
  }
  if (node.entries.length === 0) return `{${gap()}}`;
  return `{${node.entries.map(([key, value]) => `${gap()}${JSON.stringify(key)}${gap()}:${gap()}${print(value, gaps, state)}${gap()}`).join(',')}}`;
}

const generatedJson = fc
  .record({
    tree: topTree,
    gaps: fc.array(fc.nat(100), { minLength: 1, maxLength: 30 }),
    before: fc.constantFrom('', '', '\n', '  ', '\n\n  ', '  \n', '---\n', '--- ', '\n---\n', '\n\n---\n  '),
    after: fc.constantFrom('', '\n', '\n\n', '  \n', ' ', '\n  \n '),
  })
  .map(({ tree: root, gaps, before, after }) => `${before}${print(root, gaps)}${after}`);

describe('the JSON reader agrees with yaml on generated JSON', () => {
  it('on well-formed JSON with any spaces and line feeds between tokens (and reads it all)', () => {
    fc.assert(
      fc.property(generatedJson, (text) => {
        expect(disagreement(text), JSON.stringify(text)).toBeUndefined();
        // raw control characters never get into a JSON string; every generated text is JSON
        expect(readJson(text, PARSE_OPTIONS), JSON.stringify(text)).toBeDefined();
      }),
      PARAMETERS,
    );
  });

  it('on JSON.stringify of generated values (fast-check jsonValue), in the three forms', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        if (value === null || typeof value !== 'object') return;
        for (const [form, printValue] of FORMS) expectRead(printValue(value), `${form}: ${JSON.stringify(value)}`);
      }),
      PARAMETERS,
    );
  });

  it('on damaged JSON: declines, or agrees', () => {
    const damage = damageOf([
      '',
      ' ',
      '\n',
      ',',
      ':',
      '"',
      '\\',
      '{',
      '}',
      '[',
      ']',
      '#',
      '\t',
      '\r',
      'x',
      '-',
      '.',
      'e',
      '0',
      '---\n',
      '...',
      '\ufeff',
      '&a ',
      '!!str ',
      "'",
      '\u0085',
    ]);
    fc.assert(
      fc.property(generatedJson, fc.array(damage, { minLength: 1, maxLength: 3 }), (text, damages) => {
        const broken = damaged(text, damages);
        expect(disagreement(broken), JSON.stringify(broken)).toBeUndefined();
      }),
      PARAMETERS,
    );
  });
});

describe('an edit of a JSON document is read again in place, to the tree yaml makes of the new text', () => {
  /** Every node of `text` as yaml reads it, scalars and collections, with its range. */
  function nodesOf(text: string): Node[] {
    const nodes: Node[] = [];
    visit(parseDocument(text, PARSE_OPTIONS), (_key, node) => {
      if (isScalar(node) || isMap(node) || isSeq(node)) nodes.push(node as Node);
    });
    return nodes;
  }
  /** The tree read in place is the one yaml makes of the new text, which yaml reads without error. */
  function expectSameAsYaml(doc: Document.Parsed, after: string): void {
    const reference = parseDocument(after, PARSE_OPTIONS);
    expect(
      reference.errors.map((error) => error.message),
      JSON.stringify(after),
    ).toEqual([]);
    expect(documentDifference(doc, reference), JSON.stringify(after)).toBeUndefined();
    expect(doc.range?.[2], JSON.stringify(after)).toBe(after.length);
  }
  const replacement = fc.oneof(
    leaf.map((node) => print(node, [0])),
    tree.map((node) => print(node, [3, 0, 5, 0])),
    fc.constantFrom(
      '{}',
      '[]',
      '[1, "a"]',
      '{"k": {"l": []}}',
      '"\\u00e9\\n"',
      '"x"',
      '1.50',
      'true',
      ', "extra": 1',
      '\n\n',
      '1,',
      '&a 1',
      '',
    ),
  );

  it('a value replaced by another (a scalar, a collection, or text that is no value): read in place and equal to yaml, or declined', () => {
    let inPlace = 0;
    fc.assert(
      fc.property(generatedJson, fc.nat(), fc.boolean(), replacement, (text, pick, valueOnly, written) => {
        const nodes = nodesOf(text);
        if (nodes.length < 2) return;
        const node = nodes[1 + (pick % (nodes.length - 1))] as Node;
        const [start, valueEnd] = node.range as [number, number, number];
        // the whole value, or a bit inside it
        const end = valueOnly || valueEnd - start < 2 ? valueEnd : start + 1 + (pick % (valueEnd - start - 1));
        const after = text.slice(0, start) + written + text.slice(end);
        const doc = readJson(text, PARSE_OPTIONS);
        if (!doc) return;
        if (!rereadJson(doc, after, [{ start, end, text: written }], PARSE_OPTIONS)) return;
        inPlace++;
        expectSameAsYaml(doc, after);
        // and the same as reading the new text whole
        expect(documentDifference(doc, readJson(after, PARSE_OPTIONS)!), JSON.stringify(after)).toBeUndefined();
      }),
      PARAMETERS,
    );
    expect(inPlace).toBeGreaterThan(RUNS / 10);
  });

  it('several values replaced at once (one patch set, as a rule writes one for every object of a List): read in place and equal to yaml, or declined', () => {
    let inPlace = 0;
    fc.assert(
      fc.property(generatedJson, fc.array(fc.tuple(fc.nat(), replacement), { minLength: 2, maxLength: 4 }), (text, picks) => {
        const nodes = nodesOf(text).slice(1);
        if (nodes.length < 2) return;
        // distinct nodes whose ranges do not overlap, replaced whole
        const chosen: { start: number; end: number; text: string }[] = [];
        for (const [pick, written] of picks) {
          const [start, end] = nodes[pick % nodes.length]!.range as [number, number, number];
          if (chosen.some((edit) => start < edit.end && edit.start < end)) continue;
          chosen.push({ start, end, text: written });
        }
        const sorted = [...chosen].sort((x, y) => x.start - y.start);
        let after = '';
        let cursor = 0;
        for (const edit of sorted) {
          after += text.slice(cursor, edit.start) + edit.text;
          cursor = edit.end;
        }
        after += text.slice(cursor);
        const doc = readJson(text, PARSE_OPTIONS);
        if (!doc || !rereadJson(doc, after, chosen, PARSE_OPTIONS)) return;
        inPlace++;
        expectSameAsYaml(doc, after);
      }),
      PARAMETERS,
    );
    expect(inPlace).toBeGreaterThan(RUNS / 20);
  });

  it('many edits in a row of a kubectl-style List, each read in place', () => {
    let text = `${JSON.stringify(JSON.parse((generate(64 * 1024, 9, 'json') as { bytes: Buffer }).bytes.toString('utf8')), null, 4)}\n`;
    const doc = readJson(text, PARSE_OPTIONS)!;
    /** Where the value of each "name" key ends, last first (so earlier offsets stay). */
    const nameEnds = (source: string): number[] => {
      const ends: number[] = [];
      visit(parseDocument(source, PARSE_OPTIONS), {
        Pair: (_key, pair) => {
          if (isScalar(pair.key) && pair.key.source === 'name') ends.push((pair.value as Node).range![1]);
        },
      });
      return ends.reverse();
    };
    const ends = nameEnds(text);
    expect(ends.length).toBeGreaterThan(20);
    for (const [index, end] of ends.slice(0, 20).entries()) {
      text = `${text.slice(0, end)}, "added-${index}": [${index}, {"é": "\\u00e9"}]${text.slice(end)}`;
      const insert = `, "added-${index}": [${index}, {"é": "\\u00e9"}]`;
      expect(rereadJson(doc, text, [{ start: end, end, text: insert }], PARSE_OPTIONS), `edit ${index}`).toBe(true);
      expect(documentDifference(doc, parseDocument(text, PARSE_OPTIONS)), `edit ${index}`).toBeUndefined();
    }
  });
});

describe('a run on JSON is the same with the reader as with yaml alone', () => {
  it('a kubectl-style List in its three forms, and a stream of JSON documents: the same output, changes and warnings', async () => {
    const list = JSON.parse((generate(192 * 1024, 5, 'json') as { bytes: Buffer }).bytes.toString('utf8')) as { items: unknown[] };
    const inputs = [
      ...FORMS.map(([, printValue]) => printValue(list)),
      list.items.map((item) => `---\n${JSON.stringify(item, null, 2)}\n`).join(''),
    ];
    const config = { netBindService: true, runAsRoot: true };
    const withReader = inputs.map((input) => transform(input, { config }));
    vi.resetModules();
    vi.doMock('../../src/yaml/fast-read.js', () => ({ readFast: () => undefined }));
    try {
      const alone = (await import('../../src/transform.js')).transform;
      for (const [index, input] of inputs.entries()) {
        const reference = alone(input, { config });
        const fast = withReader[index]!;
        expect(fast.changes.length, `input ${index}`).toBeGreaterThan(0);
        expect(fast.text === reference.text, `input ${index}: output`).toBe(true);
        expect(fast.changes, `input ${index}`).toEqual(reference.changes);
        expect(fast.warnings, `input ${index}`).toEqual(reference.warnings);
      }
    } finally {
      vi.doUnmock('../../src/yaml/fast-read.js');
      vi.resetModules();
    }
  }, 120_000);
});
