// Issue 5: the fast block-YAML reader (src/yaml/block-reader.ts) must build exactly the tree `yaml`
// builds, or decline. Held to `yaml` on every document of the shared corpus, the fixtures (inputs
// and expected outputs: edited documents are read again), the benchmark stream, the transform's
// own output, and on generated block YAML with tricky scalars, comments at every indentation,
// blank lines, nulls, flow collections on one line, literal block scalars, compact and indented
// sequences, plus random damage.
// Wherever the reader answers, its tree equals yaml's (classes, ranges, values, scalar types,
// formats, sources, flow flags) and yaml found no error.
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error the benchmark generator is plain JavaScript
import { generate } from '../../bench/generate.mjs';
import { readBlockYaml } from '../../src/yaml/block-reader.js';
import { readFast } from '../../src/yaml/fast-read.js';
import { PARSE_OPTIONS } from '../../src/yaml/editable-document.js';
import { splitStream } from '../../src/stream/split.js';
import { transform } from '../../src/transform.js';
import { expectedOutput, goldenLayout } from '../helpers/goldens.js';
import { CORPUS_MANIFESTS, readCorpusFile } from '../helpers/corpus.js';
import { CORPUS } from '../helpers/run-cli.js';
import { readerDisagreement } from '../helpers/yaml-equality.js';
import { damaged, damageOf } from '../helpers/generators.js';

const RUNS = Number(process.env.GATEWAY_COMPAT_PROPERTY_RUNS ?? 150) * 10;
// A fixed seed, printed, as in test/property.test.ts: GATEWAY_COMPAT_PROPERTY_SEED replays one (or "random").
const SEED_TEXT = process.env.GATEWAY_COMPAT_PROPERTY_SEED ?? '4711';
const SEED = SEED_TEXT === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(SEED_TEXT);
if (!Number.isSafeInteger(SEED)) throw new Error(`GATEWAY_COMPAT_PROPERTY_SEED must be a whole number or "random", not ${SEED_TEXT}`);
process.stdout.write(
  `block-yaml test: seed ${SEED} (replay: GATEWAY_COMPAT_PROPERTY_SEED=${SEED} npx vitest run test/yaml/block-yaml.test.ts)\n`,
);

/** Undefined when the reader declined or agrees with yaml; otherwise what differs. */
const disagreement = (text: string): string | undefined =>
  readerDisagreement((source) => readBlockYaml(source, PARSE_OPTIONS), text, { printed: false });

function documentsOf(stream: string): string[] {
  return splitStream(stream)
    .chunks.filter((chunk) => chunk.hasContent)
    .map((chunk) => chunk.text);
}

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) filesUnder(file, out);
    else if (/\.(ya?ml|injected)$/.test(name)) out.push(file);
  }
  return out;
}

interface Tally {
  read: number;
  declined: number;
}

function expectAgreement(label: string, texts: readonly string[]): Tally {
  const tally: Tally = { read: 0, declined: 0 };
  for (const [index, text] of texts.entries()) {
    expect(disagreement(text), `${label}, document ${index + 1}`).toBeUndefined();
    if (readBlockYaml(text, PARSE_OPTIONS)) tally.read++;
    else tally.declined++;
  }
  return tally;
}

describe('the fast reader agrees with yaml on real documents', () => {
  it('every document of every YAML file in the shared corpus (Go templates included: it must decline what yaml rejects)', () => {
    let read = 0;
    for (const file of filesUnder(CORPUS)) read += expectAgreement(file, documentsOf(readFileSync(file, 'utf8'))).read;
    // most real manifests are plain block YAML
    expect(read).toBeGreaterThan(100);
  });

  it('every fixture input and expected output', () => {
    const dir = path.join(import.meta.dirname, '..', 'fixtures');
    for (const file of filesUnder(dir)) expectAgreement(file, documentsOf(readFileSync(file, 'utf8')));
    // the outputs stored as expected.diff (the .yaml files above hold the exact-bytes ones)
    const diffGoldens = goldenLayout().cases.filter((golden) => existsSync(path.join(golden.dir, 'expected.diff')));
    expect(diffGoldens.length).toBeGreaterThan(20);
    for (const golden of diffGoldens) expectAgreement(`${golden.id}/expected.diff`, documentsOf(expectedOutput(golden.dir)));
  });

  it('the documents the transform writes (edited documents are read again to verify them)', () => {
    for (const file of CORPUS_MANIFESTS) {
      const result = transform(readCorpusFile(file), { config: { netBindService: true, runAsRoot: true } });
      expectAgreement(
        `${file} (transformed)`,
        result.documentEdits.map((edit) => edit.after),
      );
    }
  });

  it('the benchmark stream, and it reads every document a rule edits there', () => {
    const stream = (generate(1024 * 1024, 7) as { bytes: Buffer }).bytes.toString('utf8');
    expectAgreement('bench stream', documentsOf(stream));
    const gatewayDeployments = documentsOf(stream).filter((text) => text.includes('ip_unprivileged_port_start'));
    expect(gatewayDeployments.length).toBeGreaterThan(5);
    for (const text of gatewayDeployments) expect(readFast(text, PARSE_OPTIONS), text.slice(0, 200)).toBeDefined();
    for (const edit of transform(stream).documentEdits.filter((e) => !e.added)) {
      expect(readFast(edit.after, PARSE_OPTIONS), edit.after.slice(0, 200)).toBeDefined();
    }
  });

  it('the flow-style benchmark stream, and it reads every document a rule or a warning reads there', () => {
    const stream = (generate(1024 * 1024, 7, 'flow') as { bytes: Buffer }).bytes.toString('utf8');
    expectAgreement('flow bench stream', documentsOf(stream));
    const read = documentsOf(stream).filter(
      (text) => /^kind: (Gateway|HTTPRoute|Service)$/m.test(text) || text.includes('ip_unprivileged_port_start'),
    );
    expect(read.length).toBeGreaterThan(500);
    for (const text of read) expect(readFast(text, PARSE_OPTIONS), text.slice(0, 300)).toBeDefined();
    const edits = transform(stream).documentEdits;
    expect(edits.length).toBeGreaterThan(40);
    expectAgreement(
      'flow bench stream (transformed)',
      edits.map((edit) => edit.after),
    );
    for (const edit of edits) expect(readFast(edit.after, PARSE_OPTIONS), edit.after.slice(0, 300)).toBeDefined();
  });

  it('reads the injector ConfigMap of istiod renders, and its data.config (literal block scalars, flow sequences)', () => {
    const injectors = filesUnder(CORPUS)
      .flatMap((file) => documentsOf(readFileSync(file, 'utf8')))
      .filter((text) => /^kind: ConfigMap$/m.test(text) && /^ {2}name: istio-sidecar-injector$/m.test(text) && text.includes('templates:'));
    expect(injectors.length).toBeGreaterThan(2);
    for (const text of injectors) {
      const doc = readFast(text, PARSE_OPTIONS);
      expect(doc, text.slice(0, 300)).toBeDefined();
      const config = (doc?.toJS() as { data: { config: string } }).data.config;
      expect(disagreement(config)).toBeUndefined();
      expect(readFast(config, PARSE_OPTIONS), config.slice(0, 300)).toBeDefined();
    }
  });

  it('reads the gateway chart render of Istio 1.27 and 1.31 (comments inside, `{}` on its own line)', () => {
    for (const file of [
      'istio/rendered-helm/1.27.0/gateway-deployment.golden.yaml',
      'istio/rendered-helm/1.31.0-rc.0/gateway-deployment.golden.yaml',
    ]) {
      const deployments = documentsOf(readCorpusFile(file)).filter((text) => /^kind: Deployment/m.test(text));
      expect(deployments.length).toBeGreaterThan(0);
      for (const text of deployments) expect(readFast(text, PARSE_OPTIONS), file).toBeDefined();
    }
  });
});

describe('what the reader declines', () => {
  const declined = [
    ['tabs', 'a:\n\tb: 1\n'],
    ['CRLF', 'a: 1\r\nb: 2\r\n'],
    ['flow collections over several lines', 'a: [1,\n  2]\n'],
    ['a flow mapping entry without a space after its colon', 'a: {b:1}\n'],
    ['a pair inside a flow sequence', 'a: [b: 1]\n'],
    ['a trailing comma in a flow collection', 'a: [1, 2, ]\n'],
    ['folded block scalars', 'a: >\n  text\n'],
    ['block scalars with an indentation indicator', 'a: |2\n  text\n'],
    ['block scalars with a comment on their header', 'a: | # c\n  text\n'],
    ['an empty block scalar', 'a: |\nb: 1\n'],
    ['multi-line plain scalars', 'a: one\n  two\n'],
    ['escapes in double quotes', 'a: "x\\ny"\n'],
    ['anchors', 'a: &x 1\nb: *x\n'],
    ['tags', 'a: !!str 1\n'],
    ['merge keys', 'a: 1\n<<: {}\n'],
    ['duplicate keys', 'a: 1\na: 2\n'],
    ['directives', '%YAML 1.1\n---\na: 1\n'],
    ['a second document', 'a: 1\n---\nb: 2\n'],
    ['a sequence at the top', '- a\n- b\n'],
    ['a key longer than yaml allows', `${'k'.repeat(1100)}: 1\n`],
    ['nesting deeper than its stack', Array.from({ length: 20_000 }, (_, depth) => `${' '.repeat(depth)}k:`).join('\n')],
    ['a quoted key longer than yaml allows', `"${'k'.repeat(1100)}": 1\n`],
    ['a compact sequence closed by a comment at its column', 'a:\n- x\n# c\nb: 1\n'],
  ] as const;
  for (const [what, text] of declined) {
    it(what, () => expect(readBlockYaml(text, PARSE_OPTIONS)).toBeUndefined());
  }
});

// ---- generated block YAML -----------------------------------------------------------------

const SCALARS = [
  'istio-proxy',
  'docker.io/istio/proxyv2:1.27.0',
  '$(POD_NAMESPACE).svc',
  '--domain',
  '--proxyLogLevel=warning',
  '-x',
  'yes',
  'No',
  'ON',
  'off',
  'y',
  'n',
  'Y',
  '~',
  'null',
  'Null',
  'NULL',
  'true',
  'False',
  'TRUE',
  '0',
  '00',
  '08',
  '1.50',
  '1_0.5_0',
  '0777',
  '0o17',
  '0x1F',
  '0b101',
  '1_000',
  '1:20',
  '190:20:30',
  '1.5',
  '1e3',
  '.5',
  '+1',
  '-1',
  '-0',
  '.inf',
  '-.Inf',
  '.NaN',
  '12345678901234567890',
  '2024-01-01',
  '2001-12-14t21:59:43.10-05:00',
  '2001-12-14 21:59:43.10 -5',
  'a:b',
  'http://x:80/y',
  'a#b',
  'a b c',
  'a  b',
  '80',
  '443',
  '1337',
  '15021',
  'ünïcode',
  '中文',
  '"quoted"',
  '"with \'single\'"',
  '""',
  "''",
  "'it''s'",
];
const READABLE_SCALARS = SCALARS.length;
SCALARS.push(
  '"esc\\n"',
  '""',
  "''",
  "'it''s'",
  "'unterminated",
  '"unterminated',
  '[]',
  '{}',
  '[ ]',
  '{ }',
  '[a, b]',
  '{a: 1}',
  '&anchor x',
  '*alias',
  '!tag x',
  '!!str 1',
  '|',
  '|-',
  '>',
  '%x',
  '@x',
  '`x',
  '? x',
  ': x',
  ',x',
  ']x',
  '}x',
  '#x',
  'x #y',
  '- x',
  'ünïcode',
  '中文',
);
const KEYS = [
  'name',
  'image',
  'app.kubernetes.io/name',
  'sidecar.istio.io/inject',
  'y',
  'no',
  'on',
  '80',
  '1:2',
  'a:b',
  'a b',
  '"quoted"',
  "'single'",
  '"a: b"',
  'x#y',
  '~',
  'null',
  'true',
  '2024-01-01',
  'é',
  'containers',
  'sysctls',
];
const KEYS_DECLINED = ['<<', '? k', '-k', 'k[0]', 'k,l', '&a k', '!t k'];
const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.constantFrom(...KEYS_DECLINED) });

type Tree =
  | { kind: 'scalar'; text: string }
  | { kind: 'null' }
  | { kind: 'flow'; text: string }
  | { kind: 'literal'; chomp: string; offset: number; lines: string[]; trailing: number }
  | { kind: 'map'; entries: [string, Tree][] }
  | { kind: 'seq'; items: Tree[] };

// Most values are ones the reader reads; the rest probe what it must decline.
const scalar = fc
  .oneof(
    { weight: 4, arbitrary: fc.constantFrom(...SCALARS.slice(0, READABLE_SCALARS)) },
    { weight: 1, arbitrary: fc.constantFrom(...SCALARS) },
  )
  .map((text): Tree => ({ kind: 'scalar', text }));
// Flow collections on one line, as hand-written charts write them: `[{name: http, port: 80}]`.
const FLOW_SPACES = ['', ' ', '  '];
const flowScalar = fc.constantFrom(...SCALARS.slice(0, READABLE_SCALARS), 'a, b', 'x]', '- x', 'k: v', '#c', 'a #b');
const { flowText } = fc.letrec<{ flowText: string; flowSeq: string; flowMap: string }>((tie) => ({
  flowText: fc.oneof({ depthSize: 'small', withCrossShrink: true }, flowScalar, tie('flowSeq'), tie('flowMap')),
  flowSeq: fc
    .tuple(fc.array(tie('flowText'), { maxLength: 3 }), fc.constantFrom(...FLOW_SPACES), fc.constantFrom(...FLOW_SPACES))
    .map(([items, inner, gap]) => `[${inner}${items.join(`,${gap || ' '}`)}${inner}]`),
  flowMap: fc
    .tuple(fc.array(fc.tuple(key, fc.constantFrom(' ', ' ', '  '), tie('flowText')), { maxLength: 3 }), fc.constantFrom(...FLOW_SPACES))
    .map(([entries, inner]) => `{${inner}${entries.map(([k, sep, v]) => `${k}:${sep}${v}`).join(', ')}${inner}}`),
}));
// Literal block scalars: Go templates, YAML and JSON as text, blank lines, deeper lines.
const LITERAL_LINES = [
  'x',
  'a: b',
  '# not a comment',
  '- item',
  '{{- if .Values.x }}',
  '  deeper',
  '',
  '',
  '   ',
  ' ',
  'sysctls: [{name: x}]',
  "'q'",
  '---',
  '|',
];
const literal = fc
  .record({
    chomp: fc.constantFrom('', '', '-', '+'),
    offset: fc.integer({ min: 1, max: 4 }),
    lines: fc.array(fc.constantFrom(...LITERAL_LINES), { minLength: 1, maxLength: 6 }),
    trailing: fc.nat(2),
  })
  .map((parts): Tree => ({ kind: 'literal', ...parts }));
const leaf: fc.Arbitrary<Tree> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.constant<Tree>({ kind: 'null' }) },
  { weight: 1, arbitrary: fc.constantFrom<Tree>({ kind: 'flow', text: '{}' }, { kind: 'flow', text: '[]' }) },
  { weight: 2, arbitrary: flowText.map((text): Tree => ({ kind: 'flow', text: /^[[{]/.test(text) ? text : `[${text}]` })) },
  { weight: 2, arbitrary: literal },
);
const { tree } = fc.letrec<{ tree: Tree; map: Tree; seq: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('map'), tie('seq')),
  map: fc.array(fc.tuple(key, tie('tree')), { minLength: 1, maxLength: 4 }).map((entries): Tree => ({ kind: 'map', entries })),
  seq: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((items): Tree => ({ kind: 'seq', items })),
}));
const topMap = fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 5 }).map((entries): Tree => ({ kind: 'map', entries }));

/** Layout choices, drawn once per document and consumed in order while rendering. */
interface Style {
  choices: number[];
  at: number;
}
function pick(style: Style, n: number): number {
  const value = style.choices[style.at % style.choices.length] ?? 0;
  style.at++;
  return value % n;
}

const TRAILERS = ['', '', '', ' # note', '   ', '  # a: b'];

function renderLeaf(node: Tree, style: Style): string {
  if (node.kind === 'scalar') return node.text;
  if (node.kind === 'flow') return node.text;
  return '';
}

/** Lines of a value placed after `key:` or `-` at `column`. */
function renderValue(node: Tree, column: number, inSequence: boolean, style: Style): { inline: string; lines: string[] } {
  if (node.kind === 'literal') {
    const indent = ' '.repeat(column + node.offset);
    const lines = node.lines.map((line) => (line.trim() === '' ? line : indent + line));
    return { inline: ` |${node.chomp}`, lines: [...lines, ...Array.from({ length: node.trailing }, () => '')] };
  }
  if (node.kind === 'scalar' || node.kind === 'flow' || node.kind === 'null') {
    // `{}` may also sit on its own line below a key
    if (node.kind === 'flow' && !inSequence && pick(style, 4) === 0)
      return { inline: '', lines: [`${' '.repeat(column + 2)}${node.text}`] };
    const trailer = TRAILERS[pick(style, TRAILERS.length)] as string;
    const text = renderLeaf(node, style);
    return { inline: text === '' ? (trailer.trimEnd() === '' ? trailer : trailer) : ` ${text}${trailer}`, lines: [] };
  }
  if (node.kind === 'map') {
    const indent = column + [1, 2, 2, 4][pick(style, 4)]!;
    return { inline: pick(style, 5) === 0 ? '   # opens' : '', lines: renderMap(node, indent, style) };
  }
  // a sequence: compact (at the key's column) or indented
  const compact = !inSequence && pick(style, 2) === 0;
  const indent = compact ? column : column + [2, 2, 4][pick(style, 3)]!;
  return { inline: '', lines: renderSeq(node, indent, style) };
}

function renderMap(node: Extract<Tree, { kind: 'map' }>, column: number, style: Style, firstPrefix?: string): string[] {
  const lines: string[] = [];
  node.entries.forEach(([key, value], index) => {
    const { inline, lines: nested } = renderValue(value, column, false, style);
    const start = index === 0 && firstPrefix !== undefined ? firstPrefix : ' '.repeat(column);
    lines.push(`${start}${key}:${inline}`, ...nested);
  });
  return lines;
}

function renderSeq(node: Extract<Tree, { kind: 'seq' }>, column: number, style: Style): string[] {
  const lines: string[] = [];
  for (const item of node.items) {
    const dash = `${' '.repeat(column)}-`;
    if (item.kind === 'map') {
      const gap = [1, 1, 3][pick(style, 3)]!;
      if (pick(style, 4) === 0) {
        // `-` alone, the mapping below it
        lines.push(dash, ...renderMap(item, column + 2, style));
      } else {
        lines.push(...renderMap(item, column + 1 + gap, style, `${dash}${' '.repeat(gap)}`));
      }
    } else if (item.kind === 'seq') {
      lines.push(dash, ...renderSeq(item, column + 2, style));
    } else {
      const { inline, lines: nested } = renderValue(item, column, true, style);
      lines.push(`${dash}${inline}`, ...nested);
    }
  }
  return lines;
}

const COMMENTS = ['# c', '#', '# - x: y', '## two'];

const generatedDocument = fc
  .record({
    tree: topMap,
    choices: fc.array(fc.nat(1000), { minLength: 8, maxLength: 40 }),
    inserts: fc.array(fc.record({ at: fc.nat(200), indent: fc.nat(10), blank: fc.boolean(), comment: fc.nat(3), spaces: fc.nat(3) }), {
      maxLength: 4,
    }),
    header: fc.constantFrom('', '---\n', '# Source: chart/templates/x.yaml\n', '---\n# Source: x\n', '--- # doc\n'),
    finalNewline: fc.boolean(),
  })
  .map(({ tree: root, choices, inserts, header, finalNewline }) => {
    const lines = renderMap(root as Extract<Tree, { kind: 'map' }>, 0, { choices, at: 0 });
    for (const insert of inserts) {
      const line = insert.blank ? ' '.repeat(insert.spaces) : `${' '.repeat(insert.indent)}${COMMENTS[insert.comment]}`;
      lines.splice(insert.at % (lines.length + 1), 0, line);
    }
    return header + lines.join('\n') + (finalNewline ? '\n' : '');
  });

const damage = damageOf([
  '',
  ' ',
  '  ',
  '\n',
  ':',
  '- ',
  '#',
  '"',
  "'",
  '{',
  '}',
  '[',
  ']',
  ',',
  '&',
  '*',
  '!',
  '|',
  '\t',
  '---\n',
  'x',
  '\u00a0',
  '\ufeff',
  '\r',
  '\\',
  'k'.repeat(1030),
]);

describe('the fast reader agrees with yaml on generated block YAML', () => {
  const parameters = { numRuns: RUNS, seed: SEED };

  it('on well-formed documents (and reads most of them)', () => {
    let read = 0;
    fc.assert(
      fc.property(generatedDocument, (text) => {
        expect(disagreement(text), JSON.stringify(text)).toBeUndefined();
        if (readBlockYaml(text, PARSE_OPTIONS)) read++;
      }),
      parameters,
    );
    // the generator is not just producing things the reader gives up on
    expect(read).toBeGreaterThan(RUNS / 10);
  });

  it('on damaged documents: declines, or agrees', () => {
    fc.assert(
      fc.property(generatedDocument, fc.array(damage, { minLength: 1, maxLength: 3 }), (text, damages) => {
        const broken = damaged(text, damages);
        expect(disagreement(broken), JSON.stringify(broken)).toBeUndefined();
      }),
      parameters,
    );
  });
});
