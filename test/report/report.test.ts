// The report on stderr: text, json (validated against schemas/report.schema.json) and --diff.
// Stderr goldens: a fixture folder with stderr-cases.json lists runs of the real CLI (the folder's
// args.json plus the case's args) and the file each run's stderr must equal. A .json expectation
// is compared as data, and stderr must be that one JSON object on one line and nothing else.
// UPDATE_GOLDEN=1 rewrites those files from the real stderr for review (test/helpers/goldens.ts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import reportSchema from '../../schemas/report.schema.json' with { type: 'json' };
import { RULES } from '../../src/rules/index.js';
import { renderDiff } from '../../src/report/diff.js';
import { jsonReport, renderReport, textReport, totalLine } from '../../src/report/render.js';
import { WARNING_CODES, type ChangeRecord, type WarningRecord } from '../../src/report/records.js';
import { transform } from '../../src/transform.js';
import { expectedOutput, FIXTURES, goldenLayout, updateHint, updatingGoldens } from '../helpers/goldens.js';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';

const read = (...parts: string[]): string => readFileSync(path.join(...parts), 'utf8');
const UPDATE = updatingGoldens();

interface StderrCase {
  args: string[];
  expected: string;
}

// `<group>/<case>` of every golden case with stderr goldens
const stderrFixtures = goldenLayout()
  .cases.filter((golden) => existsSync(path.join(golden.dir, 'stderr-cases.json')))
  .map((golden) => golden.id);

function runFixture(name: string, extra: string[]) {
  const dir = path.join(FIXTURES, name);
  const args = existsSync(path.join(dir, 'args.json')) ? (JSON.parse(read(dir, 'args.json')) as string[]) : [];
  return runCli([...args, ...extra], readFileSync(path.join(dir, 'input.yaml')), { cwd: dir });
}

const validateReport = new Ajv({ allErrors: true, strict: true }).compile(reportSchema);

describe('stderr goldens', () => {
  it('has report, warning and unprivileged-ports cases', () => {
    for (const group of ['report/', 'warnings/', 'unprivileged-ports/']) {
      expect(
        stderrFixtures.some((name) => name.startsWith(group)),
        group,
      ).toBe(true);
    }
  });

  for (const name of stderrFixtures) {
    const cases = JSON.parse(read(FIXTURES, name, 'stderr-cases.json')) as StderrCase[];
    for (const { args, expected } of cases) {
      it(`${name}: ${args.join(' ')}`, () => {
        const result = runFixture(name, args);
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toBe(expectedOutput(path.join(FIXTURES, name)));
        const file = path.join(FIXTURES, name, expected);
        if (UPDATE) {
          writeFileSync(file, expected.endsWith('.json') ? `${JSON.stringify(JSON.parse(result.stderr), null, 2)}\n` : result.stderr);
        }
        const want = read(file);
        if (expected.endsWith('.json')) {
          expect(result.stderr.endsWith('\n')).toBe(true);
          expect(result.stderr.trimEnd().includes('\n')).toBe(false);
          const report = JSON.parse(result.stderr) as unknown;
          expect(report, updateHint(file)).toEqual(JSON.parse(want));
          expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
        } else {
          expect(result.stderr, updateHint(file)).toBe(want);
        }
      });
    }
  }
});

describe('--report json', () => {
  it('validates against schemas/report.schema.json for every fixture that has records', () => {
    let warnings = 0;
    let changes = 0;
    for (const name of stderrFixtures) {
      const result = runFixture(name, ['--report', 'json']);
      expect(result.status).toBe(0);
      const report = JSON.parse(result.stderr) as { changes: unknown[]; warnings: unknown[] };
      expect(validateReport(report), `${name}: ${JSON.stringify(validateReport.errors)}`).toBe(true);
      warnings += report.warnings.length;
      changes += report.changes.length;
    }
    expect(warnings).toBeGreaterThan(5);
    expect(changes).toBeGreaterThan(5);
  });

  it('the schema rejects what the tool must never write', () => {
    const good = jsonReport(transform(read(FIXTURES, 'report/text-and-json', 'input.yaml')));
    expect(validateReport(good)).toBe(true);
    const broken: unknown[] = [
      { ...good, extra: 1 },
      { changes: good.changes, warnings: good.warnings },
      { ...good, changes: [{ ...good.changes[0], rule: 'madeUp' }] },
      { ...good, changes: [{ ...good.changes[0], resource: { kind: 'Deployment', name: 'x' } }] },
      { ...good, warnings: [{ code: 'not-a-code', severity: 'warning', message: 'm' }] },
      { ...good, warnings: [{ code: 'nothing-matched', severity: 'error', message: 'm' }] },
      { ...good, changes: [{ ...good.changes[0], document: 0 }] },
    ];
    for (const report of broken) expect(validateReport(report), JSON.stringify(report).slice(0, 200)).toBe(false);
  });

  it('lists exactly the warning codes of src/report/records.ts and the rule ids of src/rules/index.ts, in its order', () => {
    const schema = reportSchema as unknown as {
      properties: {
        warnings: { items: { properties: { code: { enum: string[] } } } };
        changes: { items: { properties: { rule: { enum: string[] } } } };
      };
    };
    expect([...schema.properties.warnings.items.properties.code.enum].sort()).toEqual([...WARNING_CODES].sort());
    expect(schema.properties.changes.items.properties.rule.enum).toEqual(RULES.map((rule) => rule.id));
  });

  it('keeps stderr to the JSON object even when there are warnings, notes and added documents', () => {
    const result = runFixture('warnings/privileged-port', ['--report', 'json']);
    expect(result.stderr.split('\n')).toHaveLength(2);
    const report = JSON.parse(result.stderr) as ReturnType<typeof jsonReport>;
    expect(report.summary).toEqual({ documents: 5, changedDocuments: 2, addedDocuments: 1, changes: 3, warnings: 2, notes: 0 });
  });

  it('refuses --diff, whose text would break the JSON (usage error, nothing on stdout)', () => {
    const result = runFixture('report/diff', ['--report', 'json', '--diff']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--diff cannot be combined with --report json');
  });
});

const resource = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'istio-ingress', name: 'edge-gw' };
const change = (message: string, document = 1): ChangeRecord => ({ resource, rule: 'sysctls', path: 'spec', message, document });

describe('text report', () => {
  it('prints changes, then warnings and notes, then one total line', () => {
    const warnings: WarningRecord[] = [
      { code: 'nothing-matched', severity: 'info', message: 'a note' },
      { code: 'privileged-port', severity: 'warning', resource, message: 'a warning' },
    ];
    const text = textReport({
      changes: [change('first'), change('second', 2)],
      warnings,
      documents: { in: 7, out: 8 },
      changedDocuments: [1, 2],
    });
    expect(text).toBe(
      [
        'Deployment istio-ingress/edge-gw: first',
        'Deployment istio-ingress/edge-gw: second',
        'note [nothing-matched] a note',
        'warning [privileged-port] Deployment istio-ingress/edge-gw: a warning',
        'gateway-compat: 2 changes in 2 of 7 documents, 1 document added; 1 warning, 1 note',
        '',
      ].join('\n'),
    );
  });

  it('says singular and plural right and leaves out what is zero', () => {
    expect(totalLine({ changes: [change('x')], warnings: [], documents: { in: 1, out: 1 }, changedDocuments: [1] })).toBe(
      'gateway-compat: 1 change in 1 of 1 document; 0 warnings',
    );
    expect(totalLine({ changes: [], warnings: [], documents: { in: 0, out: 0 }, changedDocuments: [] })).toBe(
      'gateway-compat: 0 changes in 0 of 0 documents; 0 warnings',
    );
  });

  it('--report none prints nothing, not even with --diff off', () => {
    const result = runFixture('report/text-and-json', ['--report', 'none']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('--diff', () => {
  it('shows each changed and added document as a unified diff, then the text report', () => {
    const result = runFixture('report/diff', ['--diff']);
    const diffOnly = read(FIXTURES, 'report/diff', 'expected-diff-only.txt');
    expect(result.stderr.startsWith(diffOnly)).toBe(true);
    expect(result.stderr.slice(diffOnly.length)).toBe(runFixture('report/diff', []).stderr);
    expect(diffOnly.match(/^--- /gm)).toHaveLength(3);
    expect(diffOnly).toContain('--- /dev/null\n+++ added before document 3: ConfigMap apps/asm-kube-gateway-options\n');
  });

  it('never shows a Secret: a one-line note instead, and no value reaches stderr', () => {
    const result = runFixture('report/diff-secret', ['--diff']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      'document 1: List (unnamed) changed; no diff is shown because it holds Secret istio-ingress/gw-credentials\n',
    );
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stderr).not.toContain('password');
  });

  it('notes a changed Secret document on its own and diffs the rest', () => {
    const secretBefore = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  key: b2xk\n';
    const out = renderDiff([
      { number: 4, added: false, before: secretBefore, after: secretBefore.replace('b2xk', 'bmV3') },
      { number: 5, added: false, before: 'kind: ConfigMap\nmetadata:\n  name: c\n', after: 'kind: ConfigMap\nmetadata:\n  name: d\n' },
    ]);
    expect(out).toContain('document 4: Secret s changed; no diff is shown because it holds Secret s\n');
    expect(out).not.toContain('b2xk');
    expect(out).not.toContain('bmV3');
    expect(out).toContain('--- input document 5: ConfigMap d\n+++ output document 5: ConfigMap d\n@@ -1,3 +1,3 @@\n');
    expect(out).toContain('-  name: c\n+  name: d\n');
  });

  it('falls back to a text check for a Secret when the document does not parse', () => {
    const before = 'kind: Secret\ndata:\n  a: b\n';
    const out = renderDiff([{ number: 1, added: false, before, after: `${before}  : [\n` }]);
    expect(out).toBe('document 1: document changed; no diff is shown because it holds what may be a Secret (it does not parse)\n');
  });

  it('prints nothing for an unchanged stream, and --report none keeps only the diff', () => {
    const input = read(FIXTURES, 'warnings/nothing-matched', 'input.yaml');
    const result = transform(input);
    expect(result.documentEdits).toEqual([]);
    expect(renderReport(result, { format: 'none', diff: true })).toBe('');
    expect(runFixture('report/diff', ['--diff', '--report', 'none']).stderr).toBe(read(FIXTURES, 'report/diff', 'expected-diff-only.txt'));
  });
});

describe('docs/reporting.md', () => {
  it('shows a real report: the report/text-and-json golden, verbatim', () => {
    const docs = read(REPO_ROOT, 'docs/reporting.md');
    expect(docs).toContain(read(FIXTURES, 'report/text-and-json', 'expected-stderr.txt'));
    expect(docs).toContain(read(FIXTURES, 'report/diff', 'expected-diff-only.txt').split('\n').slice(0, 12).join('\n'));
  });

  it('documents every warning code and every flag of this feature', () => {
    const docs = read(REPO_ROOT, 'docs/reporting.md');
    const codes = (reportSchema as unknown as { properties: { warnings: { items: { properties: { code: { enum: string[] } } } } } })
      .properties.warnings.items.properties.code.enum;
    for (const code of codes) expect(docs, code).toContain(`\`${code}\``);
    for (const flag of ['--report', '--diff', '--unprivileged-ports', '--port-offset', '--strict', 'spec.unprivilegedPorts']) {
      expect(docs, flag).toContain(flag);
    }
  });
});
