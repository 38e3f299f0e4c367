// The sysctl removal classifies only the lines it can need (classifySysctlRegion): these tests fail
// when that stops being a short prefix on Istio's own templates (the fast path silently lost), and
// when the plan made from the prefix ever differs from the plan made from every line; and they pin
// the rule by which LineClassifier skips rescanning a multi-line action.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyLines, LineClassifier } from '../../src/gotemplate/classify-lines.js';
import { scanActions } from '../../src/gotemplate/go-actions.js';
import { splitLines } from '../../src/gotemplate/lines.js';
import { classifySysctlRegion, planSysctlRemoval } from '../../src/gotemplate/remove-sysctls.js';
import { SYSCTL } from '../helpers/manifests.js';

// A fixed seed, printed: GATEWAY_COMPAT_PROPERTY_SEED replays one (or "random").
const SEED_TEXT = process.env.GATEWAY_COMPAT_PROPERTY_SEED ?? '1616';
const SEED = SEED_TEXT === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(SEED_TEXT);
if (!Number.isSafeInteger(SEED)) throw new Error(`GATEWAY_COMPAT_PROPERTY_SEED must be a whole number or "random", not ${SEED_TEXT}`);
process.stdout.write(
  `sysctl-region test: seed ${SEED} (replay: GATEWAY_COMPAT_PROPERTY_SEED=${SEED} npx vitest run test/gotemplate/sysctl-region.test.ts)\n`,
);

const CORPUS = new URL('../../../shared/corpus/istio/', import.meta.url);
const TEMPLATE_FILES = ['gateway-injection-template.yaml', 'kube-gateway.yaml', 'agentgateway.yaml'];

/** Every gateway template Istio ships in the corpus: the injection-templates copies and each chart's files/. */
function corpusTemplates(): Array<{ path: string; text: string }> {
  const found: Array<{ path: string; text: string }> = [];
  const folders = [
    ...readdirSync(new URL('injection-templates/', CORPUS)).map((version) => `injection-templates/${version}/`),
    ...readdirSync(new URL('helm-charts/', CORPUS)).map((version) => `helm-charts/${version}/istiod/files/`),
  ];
  for (const folder of folders) {
    const names = new Set(readdirSync(new URL(folder, CORPUS)));
    for (const name of TEMPLATE_FILES) {
      if (names.has(name)) found.push({ path: folder + name, text: readFileSync(new URL(folder + name, CORPUS), 'utf8') });
    }
  }
  return found;
}

const linesOf = (text: string): string[] => splitLines(text).lines.map((line) => line.text);

describe('classifySysctlRegion on the corpus templates', () => {
  const templates = corpusTemplates();

  it('finds the templates (7 chart releases and the injection-templates copies)', () => {
    expect(templates.length).toBeGreaterThanOrEqual(20);
    expect(templates.some((template) => template.path.endsWith('agentgateway.yaml'))).toBe(true);
  });

  it.each(templates.map((template) => [template.path, template.text]))(
    '%s: classifies a short prefix, the same as the whole, and plans the same removal',
    (_path, text) => {
      const texts = linesOf(text);
      const region = classifySysctlRegion(texts);
      const whole = classifyLines(texts);
      // The fast path: Istio puts sysctls near the top, so well under half of the lines are read.
      expect(region.length).toBeLessThan(texts.length / 2);
      expect(region).toEqual(whole.slice(0, region.length));
      const plan = planSysctlRemoval(texts, [SYSCTL]);
      // (the gateway templates before 1.20.8 set no sysctl)
      expect(plan.edits.length > 0).toBe(text.includes(SYSCTL));
      expect(plan).toEqual(planSysctlRemoval(texts, [SYSCTL], whole));
    },
  );
});

describe('classifySysctlRegion reads on where it must', () => {
  it('past an escaped key that only the YAML unquoting turns into sysctls', () => {
    const texts = linesOf(
      [
        '# sysctls below',
        'spec:',
        '  containers: []',
        '  securityContext:',
        '    "sys\\x63tls":',
        `    - name: ${SYSCTL}`,
        '      value: "0"',
        '  volumes: []',
        '  more: []',
      ].join('\n'),
    );
    const region = classifySysctlRegion(texts);
    expect(region.length).toBe(8);
    expect(planSysctlRemoval(texts, [SYSCTL]).edits.map((edit) => edit.message)).toEqual([
      `removed sysctl ${SYSCTL}`,
      'sysctls list left empty: wrote `sysctls: []` so the securityContext does not render as null',
    ]);
  });

  it('to the Go `end` and the opaque action after a list, stopping at the first line that ends the entry', () => {
    const texts = linesOf(
      [
        'spec:',
        '  securityContext:',
        '  {{- if .Values.sc }}',
        '    sysctls:',
        `    - name: ${SYSCTL}`,
        '      value: "0"',
        '    {{- toYaml .Values.extraSysctls | nindent 4 }}',
        '  {{- end }}',
        '  containers: []',
        '  volumes: []',
      ].join('\n'),
    );
    expect(classifySysctlRegion(texts).length).toBe(9);
    const plan = planSysctlRemoval(texts, [SYSCTL]);
    expect(plan).toEqual(planSysctlRemoval(texts, [SYSCTL], classifyLines(texts)));
    // the action may render more items: the list is not written as []
    expect(plan.replacements.size).toBe(0);
  });

  it('LineClassifier steps through the same lines as classifyLines', () => {
    const texts = linesOf('a: |\n  b: {{ x\n  }}\n{{- if y }}\nc: [1,\n 2]\n{{ end }}\n');
    const classifier = new LineClassifier(texts);
    const heads: number[] = [];
    while (!classifier.done) heads.push(classifier.step());
    expect(heads).toEqual([0, 3, 4, 6]);
    expect(classifier.infos).toEqual(classifyLines(texts));
  });
});

// Lines a gateway template is made of, at a few indentations, with the tricky kinds among them:
// Go blocks, opaque output, multi-line actions, block scalars, open flow collections, quoted and
// escaped keys, flow sysctls and comments.
const FRAGMENTS = [
  'spec:',
  'securityContext:',
  'sysctls:',
  'sysctls: # note',
  `sysctls: [{name: ${SYSCTL}, value: "0"}]`,
  `sysctls: [{name: ${SYSCTL},`,
  ' value: "0"}]',
  '"sys\\x63tls":',
  "'sysctls':",
  `- name: ${SYSCTL}`,
  `- name: "${SYSCTL.replace('_', '\\x5f')}"`,
  '- name: net.core.somaxconn',
  '  value: "0"',
  'value: "0"',
  '- value: "0"',
  `  name: ${SYSCTL}`,
  '{{- if .Values.a }}',
  '{{- else if .Values.b }}',
  '{{- else }}',
  '{{- end }}',
  '{{- toYaml .Values.x | nindent 4 }}',
  '{{- toJsonMap',
  '  (strdict "a" "b") | nindent 2 }}',
  'script: |',
  '  sysctls:',
  'containers:',
  '- name: istio-proxy',
  'image: {{ .Values.image }}',
  '# sysctls: []',
  '',
  'sysctls: []',
];

const lineArbitrary = fc
  .record({ fragment: fc.constantFrom(...FRAGMENTS), indent: fc.constantFrom(0, 2, 4, 6) })
  .map(({ fragment, indent }) => ' '.repeat(indent) + fragment);

describe('classifySysctlRegion, property', () => {
  it('the plan from the region equals the plan from every line, and the region is a prefix of the whole', () => {
    // How often the region stopped short of the end on a template it edits: the property must
    // exercise the cut, not only the inputs where the region is everything.
    let cutAndEdited = 0;
    fc.assert(
      fc.property(fc.array(lineArbitrary, { minLength: 1, maxLength: 40 }), (texts) => {
        const whole = classifyLines(texts);
        const region = classifySysctlRegion(texts);
        expect(region).toEqual(whole.slice(0, region.length));
        for (const names of [[SYSCTL], [SYSCTL, 'net.core.somaxconn'], ['net/ipv4/ip_unprivileged_port_start']]) {
          const plan = planSysctlRemoval(texts, names);
          expect(plan).toEqual(planSysctlRemoval(texts, names, whole));
          if (names.length === 1 && region.length < texts.length && plan.edits.length > 0) cutAndEdited++;
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
    expect(cutAndEdited).toBeGreaterThan(100);
  });
});

describe('scanActions, the rule LineClassifier skips rescans by', () => {
  // Pieces of Go actions that can leave one open: strings of each quote, comments, trim markers.
  const piece = fc.constantFrom('{{', '{{- ', '}}', ' -}}', '"', "'", '`', '\\', '/*', '*/', ' ', 'x', 'if .A', 'end', '|', 'nindent 4');
  const text = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(''));
  it('an open action stays open when a line without `}}` is added', () => {
    fc.assert(
      fc.property(text, text, (before, line) => {
        fc.pre(!line.includes('}}') && scanActions(before).unclosed);
        expect(scanActions(`${before}\n${line}`).unclosed).toBe(true);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });
});
