// Issue 4, secrets: no value from a Secret's data or stringData ever appears in an error, a
// warning, a report (text, json, --diff), a --check diff or KRM results, including when the Secret
// itself is the malformed document. For a document of kind Secret errors show a position and no
// content; when the kind cannot be read, lines that look like data/stringData entries are masked.
//
// Every Secret here carries marker values; a test fails if any marker shows up where it must not.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { excerpt } from '../../src/parse/document-error.js';
import { transform } from '../../src/transform.js';
import { configMap, gateway, gatewayDeployment, stream, SYSCTL } from '../helpers/manifests.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';

/** base64 of "gc-secret-marker-data"; and the decoded text, which must not appear either */
const DATA_MARKER = 'Z2Mtc2VjcmV0LW1hcmtlci1kYXRh';
const DATA_DECODED = 'gc-secret-marker-data';
const STRING_MARKER = 'gcStringMarker7731';
const MARKERS = [DATA_MARKER, DATA_DECODED, STRING_MARKER];

/** Text that makes every rule's pre-check read the document (so the default mode parses it). */
const TRIGGERS = `${SYSCTL} istio-proxy istio-sidecar-injector inject.istio.io/templates`;

function secret(name = 'credentials'): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
  namespace: istio-system
type: Opaque
data:
  password: ${DATA_MARKER}
stringData:
  token: ${STRING_MARKER}
  note: "${TRIGGERS}"
`;
}

function expectNoMarker(where: string, text: string): void {
  for (const marker of MARKERS) expect(text, `${where} shows a secret value`).not.toContain(marker);
  // a fragment is a leak too
  expect(text, `${where} shows part of a secret value`).not.toContain(STRING_MARKER.slice(0, 10));
  expect(text, `${where} shows part of a secret value`).not.toContain(DATA_MARKER.slice(0, 10));
}

function expectCleanSecretFailure(result: CliResult): void {
  expect(result.stdout).toBe('');
  expect(result.status).toBe(1);
  // under --report json a failure is the report object, its error the text mode's message
  const message = result.stderr.startsWith('{')
    ? (JSON.parse(result.stderr) as { error: { message: string } }).error.message
    : result.stderr;
  expect(message).toMatch(/^error: /m);
  expectNoMarker('stderr', result.stderr);
}

/** Each way a Secret can be malformed, as a function of a well-formed Secret's text. */
const BREAKAGES: Record<string, (text: string) => string> = {
  'unclosed flow mapping': (t) => t.replace(`  token: ${STRING_MARKER}`, `  token: {value: ${STRING_MARKER}`),
  'unclosed flow sequence': (t) => t.replace(`  password: ${DATA_MARKER}`, `  password: [${DATA_MARKER}`),
  'bad indentation': (t) => t.replace(`  password: ${DATA_MARKER}\n`, `  password: ${DATA_MARKER}\n extra: ${STRING_MARKER}\n`),
  'tab indentation': (t) => t.replace(`  password: ${DATA_MARKER}`, `\tpassword: ${DATA_MARKER}`),
  'unclosed quote': (t) => t.replace(`  token: ${STRING_MARKER}`, `  token: "${STRING_MARKER}`),
  'duplicate key': (t) => t.replace(`  token: ${STRING_MARKER}\n`, `  token: ${STRING_MARKER}\n  token: ${STRING_MARKER}\n`),
  'a block scalar header with extra characters': (t) => t.replace(`  token: ${STRING_MARKER}`, `  token: |${STRING_MARKER}`),
  'an invalid escape': (t) => t.replace(`  token: ${STRING_MARKER}`, `  token: "\\q${STRING_MARKER}"`),
  'a value that starts with a reserved character': (t) => t.replace(`  token: ${STRING_MARKER}`, `  token: @${STRING_MARKER}`),
  'an unresolved alias': (t) => t.replace(`  token: ${STRING_MARKER}`, `  token: *${STRING_MARKER}`),
  'a sequence instead of a mapping': (t) => `- ${t.replace(/\n(?=.)/g, '\n  ')}`,
  'an alias bomb': (t) =>
    `${t}  bomb0: &b0 [${STRING_MARKER}, ${STRING_MARKER}, ${STRING_MARKER}, ${STRING_MARKER}, ${STRING_MARKER}, ${STRING_MARKER}, ${STRING_MARKER}, ${STRING_MARKER}, ${STRING_MARKER}]\n${Array.from({ length: 8 }, (_, i) => `  bomb${i + 1}: &b${i + 1} [${Array.from({ length: 9 }, () => `*b${i}`).join(', ')}]`).join('\n')}\n`,
  'nesting 100,000 levels deep': (t) =>
    t.replace(`  token: ${STRING_MARKER}`, `  token: ${'['.repeat(100_000)}${STRING_MARKER}${']'.repeat(100_000)}`),
};

describe('a malformed Secret: the error shows a position, never a value', () => {
  for (const [name, breakIt] of Object.entries(BREAKAGES)) {
    for (const args of [[], ['--validate'], ['--report', 'json'], ['--report', 'none', '--strict'], ['--diff']]) {
      it(`${name} (${args.join(' ') || 'default mode'})`, () => {
        const result = runCli(args, stream(configMap('before'), breakIt(secret()), gatewayDeployment()));
        expectCleanSecretFailure(result);
        // under --report json the message is the report object's error (issue 11, item 11)
        const message = args.includes('json') ? (JSON.parse(result.stderr) as { error: { message: string } }).error.message : result.stderr;
        expect(message).toMatch(/^error: document 2 /m);
        expect(message).not.toMatch(/^\s*\d+ \| /m);
      });
    }
  }

  it('a NUL byte in a Secret value: the message names a line, not the value', () => {
    const result = runCli([], Buffer.from(stream(secret().replace(`  token: ${STRING_MARKER}`, `  token: "${STRING_MARKER}\u0000"`))));
    expectCleanSecretFailure(result);
    expect(result.stderr).toMatch(/on line 11/);
  });

  it('a malformed Secret inside a List', () => {
    const indent = (text: string): string => text.replace(/^(?=.)/gm, '  ').replace(/^  /, '- ');
    const list = `apiVersion: v1\nkind: List\nitems:\n${indent(gatewayDeployment())}${indent(BREAKAGES['bad indentation']!(secret()))}`;
    for (const args of [[], ['--validate']]) expectCleanSecretFailure(runCli(args, list));
  });

  it('a malformed Secret written as JSON on one line', () => {
    const json = `{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"password": "${DATA_MARKER}"}, "stringData": {"token": "${STRING_MARKER}", "note": "${TRIGGERS}"}\n`;
    for (const args of [[], ['--validate']]) expectCleanSecretFailure(runCli(args, stream(configMap('a'), json)));
  });

  it('kind written with quotes, a tag or a comment still counts as a Secret', () => {
    for (const kind of ['kind: "Secret"', "kind: 'Secret'", 'kind: Secret # credentials', '"kind": Secret', 'kind: !!str Secret']) {
      const broken = BREAKAGES['bad indentation']!(secret()).replace('kind: Secret', kind);
      expectCleanSecretFailure(runCli(['--validate'], broken));
    }
  });
});

describe('the kind cannot be read: data and stringData entries are masked in the excerpt', () => {
  const withoutKind = (text: string): string => text.replace('kind: Secret\n', '');

  it('a broken document without a kind line, error inside data', () => {
    const result = runCli(['--validate'], withoutKind(BREAKAGES['bad indentation']!(secret())));
    expectCleanSecretFailure(result);
    expect(result.stderr).toMatch(/^\s*\d+ \| .*<hidden>/m);
  });

  it('the kind line itself is what is broken', () => {
    for (const kind of ['kind Secret', 'kind: [Secret', 'kind: {Secret']) {
      const result = runCli(['--validate'], secret().replace('kind: Secret', kind));
      expectCleanSecretFailure(result);
    }
  });

  it('flow-style data on one line', () => {
    const text = `apiVersion: v1\nmetadata:\n  name: s\ndata: {password: ${DATA_MARKER}, token: [${STRING_MARKER}}\n`;
    expectCleanSecretFailure(runCli(['--validate'], text));
  });

  it('JSON on one line, without a kind', () => {
    const text = `{"apiVersion": "v1", "metadata": {"name": "s"}, "data": {"password": "${DATA_MARKER}"}, "x": [}\n`;
    expectCleanSecretFailure(runCli(['--validate'], text));
  });

  it('a multi-line flow mapping under data', () => {
    const text = `apiVersion: v1\nmetadata:\n  name: s\ndata: {\n  password: ${DATA_MARKER},\n  token: "${STRING_MARKER}\n`;
    expectCleanSecretFailure(runCli(['--validate'], text));
  });

  it('a block scalar under stringData', () => {
    const text = `apiVersion: v1\nmetadata:\n  name: s\nstringData:\n  config.yaml: |\n    password: ${STRING_MARKER}\n  other: [\n`;
    expectCleanSecretFailure(runCli(['--validate'], text));
  });

  it('excerpt() masks each data/stringData/binaryData form', () => {
    const lines = [
      'data:',
      `  password: ${DATA_MARKER}`,
      `stringData: {token: ${STRING_MARKER}}`,
      `binaryData: {blob: ${DATA_MARKER}}`,
      `"data": {"password": "${DATA_MARKER}"}`,
      `{"data": {"password": "${DATA_MARKER}"}, "x": 1}`,
      `metadata: {name: a}, data: {password: ${DATA_MARKER}}`,
    ];
    for (let line = 0; line < lines.length; line++) {
      const shown = excerpt(lines.join('\n'), { line, column: 0 }, 0);
      expectNoMarker(`excerpt at line ${line + 1}`, shown);
    }
  });
});

describe('successful runs: reports never show a Secret value', () => {
  const inputs = {
    'a Secret next to edited documents': stream(gatewayDeployment(), secret(), gatewayDeployment('second')),
    'a Secret in a List with an edited Deployment': (() => {
      const indent = (text: string): string => text.replace(/^(?=.)/gm, '  ').replace(/^  /, '- ');
      return `apiVersion: v1\nkind: List\nitems:\n${indent(secret())}${indent(gatewayDeployment())}`;
    })(),
    'a Secret named like the options ConfigMap, next to a Gateway': stream(
      secret('asm-kube-gateway-options').replace('namespace: istio-system', 'namespace: default'),
      gateway('gw', 'istio', 'default', { port: 8080 }),
    ),
  };
  for (const [name, input] of Object.entries(inputs)) {
    for (const args of [
      ['--report', 'text'],
      ['--report', 'json'],
      ['--diff'],
      ['--validate', '--net-bind-service', '--run-as-root', '--report', 'json'],
      ['--strict'],
    ]) {
      it(`${name} (${args.join(' ')})`, () => {
        const result = runCli(args, input);
        // a usage error (an option this build lacks) would check nothing: only 0, or 1 from --strict
        expect(args.includes('--strict') ? [0, 1] : [0], result.stderr).toContain(result.status);
        expectNoMarker('stderr', result.stderr);
        if (result.status !== 0) expect(result.stdout).toBe('');
      });
    }
  }

  it('transform() records and warnings never hold a value', () => {
    for (const input of Object.values(inputs)) {
      const result = transform(input, { config: { netBindService: true, runAsRoot: true, validate: true } });
      expectNoMarker('changes and warnings', JSON.stringify({ changes: result.changes, warnings: result.warnings }));
    }
  });
});

describe('--check and --write: the diff and the messages never show a Secret value', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gateway-compat-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--check with a Secret right next to the edited document (diff context lines)', () => {
    const file = path.join(dir, 'next-to.yaml');
    writeFileSync(file, stream(secret(), gatewayDeployment(), secret('other')));
    const result = runCli(['--check', file], undefined);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('-        - name: net.ipv4.ip_unprivileged_port_start');
    expectNoMarker('--check stdout', result.stdout);
    expectNoMarker('--check stderr', result.stderr);
  });

  it('--check and --write with a malformed Secret file', () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, stream(BREAKAGES['unclosed flow mapping']!(secret()), gatewayDeployment()));
    for (const mode of ['--check', '--write']) {
      const result = runCli([mode, file], undefined);
      expect(result.status).toBe(1);
      expectNoMarker(`${mode} stdout`, result.stdout);
      expectNoMarker(`${mode} stderr`, result.stderr);
    }
  });
});

describe('KRM function: results never show a Secret value', () => {
  const resourceList = (items: string[]): string =>
    `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items.map((item) => item.replace(/^(?=.)/gm, '  ').replace(/^  /, '- ')).join('')}`;

  it('a Secret among edited items', () => {
    const result = runCli([], resourceList([gatewayDeployment(), secret()]));
    expect(result.status).toBe(0);
    expectNoMarker('stderr', result.stderr);
    const output = parse(result.stdout) as { results?: unknown[] };
    expectNoMarker('results', JSON.stringify(output.results ?? []));
  });

  it('a ResourceList that is not valid YAML because of its Secret item: the message quotes nothing', () => {
    for (const breakage of ['a block scalar header with extra characters', 'an unresolved alias', 'unclosed flow mapping']) {
      const result = runCli([], resourceList([gatewayDeployment(), BREAKAGES[breakage]!(secret())]));
      expect(result.status).toBe(1);
      // On an item's error kpt gets its items back unchanged (the Secret with them) and an error result.
      expectNoMarker('results', /^results:[\s\S]*$/m.exec(result.stdout)?.[0] ?? '');
      expectNoMarker('stderr', result.stderr);
    }
  });

  it('a ResourceList whose Secret item is malformed', () => {
    const result = runCli([], resourceList([gatewayDeployment(), BREAKAGES['bad indentation']!(secret())]));
    expect(result.status).not.toBe(0);
    expectNoMarker('stderr', result.stderr);
    // kpt shows results from stdout; the items themselves may come back as they were
    const results = /^results:[\s\S]*$/m.exec(result.stdout)?.[0] ?? '';
    expectNoMarker('results', results);
  });
});

describe('Secret-ness comes from the parsed document, never from the text: --diff and --check hide every form', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gateway-compat-secret-forms-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // The marker is a Secret's last line, so the context of an edit right after it reaches it.
  const body = `metadata:\n  name: s\n  namespace: default\ndata:\n  password: ${DATA_MARKER}\n`;
  const FORMS: Record<string, string> = {
    'the plain form': `apiVersion: v1\nkind: Secret\n${body}`,
    'the kind on the next line': `apiVersion: v1\nkind:\n  Secret\n${body}`,
    'the kind with an escape ("Secr\\u0065t")': `apiVersion: v1\nkind: "Secr\\u0065t"\n${body}`,
    'the kind as a literal block scalar': `apiVersion: v1\nkind: |-\n  Secret\n${body}`,
    'the kind as a folded block scalar': `apiVersion: v1\nkind: >-\n  Secret\n${body}`,
    'the kind as an alias': `x-kind: &k Secret\napiVersion: v1\nkind: *k\n${body}`,
    'the kind as !!binary': `apiVersion: v1\nkind: !!binary U2VjcmV0\n${body}`,
    'JSON over two lines': `{"apiVersion": "v1", "kind":\n  "Secret", "metadata": {"name": "s"}, "data": {"password": "${DATA_MARKER}"}}\n`,
    'kindless items of a SecretList': `apiVersion: v1\nkind: SecretList\nitems:\n- ${body.replace(/\n(?=.)/g, '\n  ')}`,
    'a List inside a List': `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - apiVersion: v1\n    kind: Secret\n    ${body.replace(/\n(?=.)/g, '\n    ')}`,
  };
  /** a gateway Deployment whose sysctl is its last lines, so the hunk ends where the next item starts */
  const deploymentEndingInSysctl = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gw\n  namespace: istio-system\nspec:\n  template:\n    metadata:\n      annotations:\n        inject.istio.io/templates: gateway\n    spec:\n      containers:\n      - name: istio-proxy\n        image: auto\n      securityContext:\n        sysctls:\n        - name: ${SYSCTL}\n          value: "0"\n`;
  const item = (text: string): string => text.replace(/^(?=.)/gm, '  ').replace(/^  /, '- ');

  for (const [name, form] of Object.entries(FORMS)) {
    it(`--diff: ${name}, as a List item right after an edited Deployment, gets a note and no diff`, () => {
      const list = `apiVersion: v1\nkind: List\nitems:\n${item(deploymentEndingInSysctl)}${item(form)}`;
      const result = runCli(['--diff', '--report', 'none'], list);
      expectNoMarker('--diff', result.stderr);
      if (name === 'the kind as an alias') {
        // A List item whose kind is an alias is refused (the tool reads kinds, never through an
        // alias); the refusal shows a position and no excerpt of the Secret.
        expect(result.status).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(/^error: document 1 at line \d+:\d+: .*alias.*\n {2}\(no excerpt: the document is a Secret\)$/m);
        return;
      }
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/^document 1: List \(unnamed\) changed; no diff is shown because it holds Secret /m);
      expectNoMarker('--diff', result.stderr);
      // the stream itself is the user's own and keeps the Secret as it was
      expect(result.stdout).toContain(DATA_MARKER);
    });

    it(`--check: ${name}, right before a Gateway (the added options ConfigMap's context), shows no value`, () => {
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(file, stream(form, gateway('gw', 'istio', 'default')));
      const result = runCli(['--check', file], undefined);
      expect(result.status, result.stderr).toBe(1);
      expect(result.stdout).toContain('+  name: asm-kube-gateway-options');
      expect(result.stdout).toMatch(/^ .*<hidden>/m);
      expectNoMarker('--check stdout', result.stdout);
      expectNoMarker('--check stderr', result.stderr);
    });
  }

  it('--check: the same context from a ConfigMap is shown, so the hiding above is not blanket', () => {
    const file = path.join(dir, 'configmap.yaml');
    writeFileSync(file, stream(configMap('plain-neighbour', 'shown-value'), gateway('gw', 'istio', 'default')));
    const result = runCli(['--check', file], undefined);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toContain('   key: shown-value');
    expect(result.stdout).not.toContain('<hidden>');
  });
});
