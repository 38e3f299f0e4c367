// Issue 4, "whatever arrives": every input row of the contract and every fault, through the real
// CLI (a child process, as Helm runs it) unless a row needs to reach inside. Each test names the
// row it proves; docs/guarantees.md maps the rows to these tests.
//
// A failure is clean when: the exit code is non-zero (1, or 2 for usage), stdout is empty,
// stderr says what to do, and no stack trace or Node internals reach the user.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { transform, type TransformResult } from '../../src/transform.js';
import { configMap, gateway, gatewayDeployment, gatewayDeploymentFixed, service, stream, SYSCTL, toCrlf } from '../helpers/manifests.js';
import { POST_RENDER, REPO_ROOT, runCli, type CliResult } from '../helpers/run-cli.js';
import { isPureCrlf, streamViolations } from '../helpers/stream-invariants.js';
import { runCliWithTtyStdin } from '../helpers/tty.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'gateway-compat-robustness-'));
// the --write case runs the CLI as another user, who must reach the files
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const STACK_TRACE = /^\s+at .+[(:]\d+|node:internal|\bError: .*\n\s+at /m;

/** Exit 1 (or `code`), nothing on stdout, an actionable message, no stack trace. */
function expectCleanFailure(result: CliResult, code = 1): void {
  expect(result.stdout, 'stdout must stay empty on failure').toBe('');
  expect(result.status).toBe(code);
  expect(result.stderr.trim()).not.toBe('');
  expect(result.stderr).not.toMatch(STACK_TRACE);
  expect(result.stderr).not.toContain('internal error');
}

/** The caret line under an excerpt: `   | <spaces>^`. */
const CARET = /^\s*\|\s*\^$/m;

const brokenDeployment = {
  // each one holds the sysctl, so the sysctls rule reads (parses) it in the default mode
  'unclosed flow mapping': gatewayDeployment().replace(
    '  name: istio-ingressgateway\n',
    '  name: istio-ingressgateway\n  labels: {app: gw\n',
  ),
  'unclosed flow sequence': gatewayDeployment().replace('        image: auto\n', '        args: [proxy, router\n        image: auto\n'),
  'bad indentation': gatewayDeployment().replace('  namespace: istio-system\n', '   namespace: istio-system\n'),
  'tab indentation': gatewayDeployment().replace('  namespace: istio-system\n', '\tnamespace: istio-system\n'),
  'unclosed quote': gatewayDeployment().replace('value: "0"', 'value: "0'),
};

describe('invalid YAML: document number, line:column, caret excerpt, exit 1', () => {
  for (const [name, broken] of Object.entries(brokenDeployment)) {
    it(`${name}, in a document a rule reads (default mode)`, () => {
      const result = runCli([], stream(configMap('first'), broken));
      expectCleanFailure(result);
      expect(result.stderr).toMatch(/^error: document 2 at line \d+:\d+: /m);
      expect(result.stderr).toMatch(CARET);
      expect(result.stderr).toMatch(/^fix: /m);
    });

    it(`${name}, in a document no rule reads, under --validate`, () => {
      const plain = broken
        .replaceAll(SYSCTL, 'kernel.shm_rmid_forced')
        .replaceAll('istio-proxy', 'app')
        .replace('inject.istio.io/templates', 'example.com/x');
      expect(runCli([], plain).status, 'no rule reads it, so the default mode passes it through').toBe(0);
      const result = runCli(['--validate'], stream(configMap('first'), plain));
      expectCleanFailure(result);
      expect(result.stderr).toMatch(/^error: document 2 at line \d+:\d+: /m);
      expect(result.stderr).toMatch(CARET);
    });
  }

  it('the line:column points into the whole input, not into the document', () => {
    const result = runCli([], stream(configMap('a'), configMap('b'), brokenDeployment['tab indentation']));
    expectCleanFailure(result);
    // two ConfigMaps of 6 lines, each after its "---", come first: the tab is on line 20
    expect(result.stderr).toMatch(/^error: document 3 at line 20:1: .*[Tt]ab/m);
    expect(result.stderr).toMatch(/^20 \| \tnamespace: istio-system$/m);
  });

  it('a broken document that no rule reads passes through byte for byte (default mode)', () => {
    const input = stream(configMap('a'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n', gatewayDeployment());
    const result = runCli(['--report', 'none'], input);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      stream(configMap('a'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n', gatewayDeploymentFixed()),
    );
  });
});

describe('a document that is a scalar or a sequence: error naming the document, exit 1', () => {
  const cases = {
    scalar: 'just some text\n',
    'a sequence': '- apiVersion: v1\n  kind: ConfigMap\n',
    'a block scalar': '|\n  text\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`${name}, under --validate`, () => {
      const result = runCli(['--validate'], stream(configMap('a'), text));
      expectCleanFailure(result);
      expect(result.stderr).toMatch(/^error: document 2 at line \d+:\d+: the document is (a scalar|a sequence)/m);
    });
  }

  it('a sequence a rule reads, in the default mode', () => {
    const result = runCli([], stream(configMap('a'), `- name: ${SYSCTL}\n  value: "0"\n`));
    expectCleanFailure(result);
    expect(result.stderr).toMatch(/^error: document 2 at line 9:1: the document is a sequence/m);
  });
});

describe('duplicate keys: error naming the key and its line, exit 1', () => {
  it('in a block mapping', () => {
    const doubled = gatewayDeployment().replace('  namespace: istio-system\n', '  namespace: istio-system\n  name: again\n');
    const result = runCli([], doubled);
    expectCleanFailure(result);
    expect(result.stderr).toMatch(/^error: document 1 at line 6:3: invalid YAML: duplicate key "name"/m);
  });

  it('in a flow mapping, under --validate', () => {
    const result = runCli(['--validate'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, name: b}\n');
    expectCleanFailure(result);
    expect(result.stderr).toMatch(/^error: document 1 at line 3:\d+: invalid YAML: duplicate key "name"/m);
  });

  it("in JSON, after thousands of keys (our linear check, not yaml's quadratic one): the key named once, at its line", () => {
    const data = Array.from({ length: 5000 }, (_, i) => `    "k${i}": "v"`).join(',\n');
    const result = runCli(
      ['--validate'],
      `{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {"name": "a"},\n  "data": {\n${data},\n    "k17": "again"\n  }\n}\n`,
    );
    expectCleanFailure(result);
    expect(result.stderr).toMatch(/^error: document 1 at line 5006:5: invalid YAML: duplicate key "k17" in a mapping/m);
  });
});

function aliasBomb(levels = 12): string {
  const lines = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: bomb',
    '  annotations:',
    `    reads: ${SYSCTL}`,
    'data:',
    '  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  ];
  for (let i = 1; i < levels; i++) lines.push(`  l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

describe('alias bomb (billion laughs): an error, bounded memory, exit 1', () => {
  it('the transform refuses it (after 100 alias expansions, never expanding it)', () => {
    expect(() => transform(aliasBomb(), {})).toThrow(/alias bomb/);
  });

  it('the CLI refuses it with a 64 MB heap (bounded memory), in a mapping-key variant too', () => {
    const mapBomb =
      aliasBomb(3) +
      Array.from(
        { length: 10 },
        (_, i) => `  m${i}: &m${i} {${Array.from({ length: 9 }, (_, j) => `k${j}: ${i === 0 ? 'lol' : `*m${i - 1}`}`).join(', ')}}`,
      ).join('\n') +
      '\n';
    for (const input of [aliasBomb(), mapBomb]) {
      const result = spawnSync(process.execPath, ['--max-old-space-size=64', POST_RENDER], { input, encoding: 'utf8', timeout: 10_000 });
      expect(result.stdout).toBe('');
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^error: document 1 at line \d+:\d+: the document expands YAML aliases too often/m);
      expect(result.stderr).not.toMatch(STACK_TRACE);
    }
  });

  it('under --validate, in a document no rule reads', () => {
    const result = runCli(['--validate'], aliasBomb().replace(SYSCTL, 'nothing'));
    expectCleanFailure(result);
    expect(result.stderr).toContain('alias bomb');
  });
});

describe('nesting 100,000 levels deep: an error, not a crash, exit 1', () => {
  const depth = 100_000;
  const nestings = {
    'flow sequences': `${'['.repeat(depth)}${']'.repeat(depth)}`,
    'flow mappings': `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`,
    'compact block sequences': `\n  ${'- '.repeat(depth)}leaf`,
  };
  for (const [name, value] of Object.entries(nestings)) {
    it(`${name}, in a document a rule reads and under --validate`, () => {
      for (const [args, marker] of [
        [[], SYSCTL],
        [['--validate'], 'plain'],
      ] as const) {
        const result = runCli(args, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${marker}\ndata:\n  deep: ${value}\n`);
        expectCleanFailure(result);
        expect(result.stderr).toMatch(/^error: document 1 .*nests too deeply/m);
        expect(result.stderr).not.toMatch(/Maximum call stack|RangeError/);
      }
    });
  }

  it('just below the parser limit, the edit that follows cannot overflow either', () => {
    // Depths the parser still reads but a re-parse deeper in the call stack might not: the
    // transform refuses them up front instead of failing inside a rule.
    for (const depth of [200, 500, 700, 800, 900, 1200, 1800]) {
      const input = gatewayDeployment().replace(
        '        image: auto\n',
        `        image: auto\n        deep: ${'['.repeat(depth)}${']'.repeat(depth)}\n`,
      );
      try {
        const result = transform(input, { config: { runAsRoot: true } });
        expect(result.changes.length).toBeGreaterThan(0);
      } catch (error) {
        expect((error as Error).name, `depth ${depth}: ${(error as Error).message}`).toBe('UserError');
        expect((error as Error).message).toMatch(/nests too deeply/);
      }
    }
  });

  it('in a --config file', () => {
    const file = path.join(scratch, 'deep-config.yaml');
    writeFileSync(file, `apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nspec: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    const result = runCli(['--config', file], configMap('a'));
    expectCleanFailure(result);
    expect(result.stderr).toContain(file);
  });
});

describe('binary data, NUL bytes, invalid UTF-8: "not UTF-8 text", exit 1', () => {
  const inputs: Record<string, Buffer> = {
    'a NUL byte': Buffer.from(`${configMap('a')}  nul: "\u0000"\n`),
    'invalid UTF-8 (a lone 0xFF)': Buffer.concat([Buffer.from(configMap('a')), Buffer.from([0xff, 0x0a])]),
    'an overlong encoding': Buffer.concat([Buffer.from('a: '), Buffer.from([0xc0, 0xaf]), Buffer.from('\n')]),
    'an encoded surrogate (CESU-8)': Buffer.concat([Buffer.from('a: '), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\n')]),
    'a truncated multi-byte sequence at the end': Buffer.concat([Buffer.from('a: caf'), Buffer.from([0xc3])]),
    'UTF-16 with its BOM': Buffer.from(`\ufeff${configMap('a')}`, 'utf16le'),
    'a PNG image': Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'),
    'an ELF binary header': Buffer.from('7f454c4602010100000000000000000002003e00', 'hex'),
    'a gzip stream': Buffer.from('1f8b08000000000000034b4c4a0600c241243503000000', 'hex'),
  };
  for (const [name, bytes] of Object.entries(inputs)) {
    it(name, () => {
      const result = runCli([], bytes);
      expectCleanFailure(result);
      expect(result.stderr).toMatch(/^error: the input is not UTF-8 text/m);
    });
  }

  it('the message says where a control character is', () => {
    const result = runCli([], Buffer.from(`${configMap('a')}---\nx: "\u0007"\n`));
    expectCleanFailure(result);
    expect(result.stderr).toMatch(/control character U\+0007 on line 8/);
  });
});

describe('UTF-8 BOM: accepted, output keeps it', () => {
  it('untouched and edited streams', () => {
    const untouched = `\ufeff${configMap('a')}`;
    expect(runCli(['--report', 'none'], untouched).stdoutBytes.equals(Buffer.from(untouched))).toBe(true);
    const edited = runCli(['--report', 'none'], `\ufeff${gatewayDeployment()}`);
    expect(edited.status).toBe(0);
    expect(edited.stdoutBytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    expect(edited.stdout).toBe(`\ufeff${gatewayDeploymentFixed()}`);
  });

  it('with an options ConfigMap added before the first document', () => {
    const input = `\ufeff${gateway()}`;
    const result = transform(input, {});
    expect(result.documents.out).toBe(2);
    expect(result.text.startsWith('\ufeff')).toBe(true);
    expect(result.text.indexOf('\ufeff', 1)).toBe(-1);
    expect(streamViolations(input, result)).toEqual([]);
  });
});

describe('CRLF line endings: untouched documents byte for byte, edited ones keep CRLF', () => {
  it('a stream with untouched, edited and added documents', () => {
    const input = toCrlf(stream(configMap('a'), gatewayDeployment(), service(), gateway()));
    const result = runCli(['--report', 'none'], input);
    expect(result.status).toBe(0);
    expect(isPureCrlf(result.stdout)).toBe(true);
    expect(result.stdout).toContain(toCrlf(`---\n${configMap('a')}---\n`));
    expect(result.stdout).toContain(toCrlf(gatewayDeploymentFixed()));
    expect(result.stdout).toContain(toCrlf(service()));
    expect(streamViolations(input, transform(input, {}))).toEqual([]);
  });

  it('mixed line endings: each document keeps its own', () => {
    const input = `${toCrlf(stream(configMap('a')))}${stream(gatewayDeployment())}${toCrlf(stream(gatewayDeployment('second')))}`;
    const result = runCli(['--report', 'none'], input);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `${toCrlf(stream(configMap('a')))}${stream(gatewayDeploymentFixed())}${toCrlf(stream(gatewayDeploymentFixed('second')))}`,
    );
  });
});

describe('empty and marker-only streams: accepted, preserved byte for byte', () => {
  const inputs = {
    'empty input': '',
    'whitespace only': ' \n\n\t\n  ',
    'comments only': '# a comment\n# another\n',
    '"---" only': '---\n',
    'several "---"': '---\n---\n---\n',
    '"..." end markers': `${configMap('a')}...\n---\n${configMap('b')}...\n`,
    'empty documents between separators': `---\n---\n${configMap('a')}---\n\n---\n# only a comment\n---\n`,
    'no trailing newline': configMap('a').trimEnd(),
    'a "---" carrying a comment': '--- # nothing here\n',
    'a %YAML directive': `%YAML 1.1\n---\n${configMap('a')}`,
    'CRLF separators only': '---\r\n---\r\n',
    '"..." before the first document': `...\n${configMap('a')}`,
  };
  for (const [name, input] of Object.entries(inputs)) {
    it(name, () => {
      const result = runCli(['--report', 'none'], input);
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(input);
      expect(runCli(['--report', 'none', '--validate'], input).stdout).toBe(input);
    });
  }

  it('a stream that starts with "..." and a bare document a rule edits', () => {
    const result = runCli(['--report', 'none'], `...\n${gatewayDeployment()}`);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`...\n${gatewayDeploymentFixed()}`);
  });

  it('"..." markers and empty documents around an edited document', () => {
    const input = `---\n---\n${gatewayDeployment()}...\n---\n# comment\n`;
    const result = runCli(['--report', 'none'], input);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`---\n---\n${gatewayDeploymentFixed()}...\n---\n# comment\n`);
  });
});

describe('anchors, aliases and merge keys: handled correctly or a clear error, never a silently wrong edit', () => {
  it('anchors and aliases away from the edit are kept and still resolve', () => {
    const input = `${gatewayDeployment().replace('      labels:\n', '      labels: &labels\n')}  extraLabels: *labels\n`;
    const result = runCli(['--report', 'none'], input);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${gatewayDeploymentFixed().replace('      labels:\n', '      labels: &labels\n')}  extraLabels: *labels\n`);
    const [doc] = parseAllDocuments(result.stdout);
    expect(doc?.errors).toEqual([]);
    const js = doc?.toJS() as { spec: { extraLabels: unknown } };
    expect(js.spec.extraLabels).toEqual({ app: 'istio-ingressgateway' });
  });

  it('an alias where a rule must edit: a clear error naming the alias', () => {
    const input = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gw\n  annotations:\n    pod: &pod\n      securityContext:\n        sysctls:\n        - name: ${SYSCTL}\n          value: "0"\nspec:\n  template:\n    spec: *pod\n`;
    const result = runCli([], input);
    expectCleanFailure(result);
    expect(result.stderr).toMatch(/^error: document 1 at line 13:11: "spec" is a YAML alias \(\*pod\)/m);
  });

  it('an alias with no anchor before it: says so (it is no alias bomb)', () => {
    for (const [args, text] of [
      [[], `${gatewayDeployment()}  extra: *labels\n`],
      [['--validate'], `${configMap('a')}  b: *later\n  c: &later 1\n`],
    ] as const) {
      const result = runCli(args, text);
      expectCleanFailure(result);
      expect(result.stderr).toMatch(
        /^error: document 1 at line \d+:\d+: an alias refers to no anchor defined before it: \*(labels|later)$/m,
      );
      expect(result.stderr).not.toMatch(/alias bomb/);
    }
  });

  it('a merge key (<<) that brings the sysctl into a pod securityContext: a clear error, not a silent pass', () => {
    const input = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gw\n  annotations:\n    base: &base\n      sysctls:\n      - name: ${SYSCTL}\n        value: "0"\nspec:\n  template:\n    spec:\n      securityContext:\n        <<: *base\n`;
    const result = runCli([], input);
    expectCleanFailure(result);
    expect(result.stderr).toMatch(/merge key \(<<\)/);
  });

  /** The transform's result, or undefined when it refused the input as the user's (a UserError); any other error fails. */
  const transformedOrRefused = (input: string): TransformResult | undefined => {
    try {
      return transform(input, {});
    } catch (error) {
      expect((error as Error).name).toBe('UserError');
      return undefined;
    }
  };

  // Removing or replacing a node that carries an anchor would leave its aliases dangling: refused.
  it('an anchored securityContext that the edit empties keeps its anchor (or is refused)', () => {
    const input = gatewayDeployment().replace('      securityContext:\n', '      securityContext: &sc\n').trimEnd() + '\n  copy: *sc\n';
    const result = transformedOrRefused(input);
    if (!result) return;
    const [doc] = parseAllDocuments(result.text);
    expect(doc?.errors).toEqual([]);
    expect(() => doc?.toJS()).not.toThrow();
  });

  it('an anchored sysctls list that the edit removes keeps its anchor (or is refused)', () => {
    const input =
      gatewayDeployment()
        .replace('      securityContext:\n        sysctls:\n', '      securityContext:\n        runAsNonRoot: true\n        sysctls: &s\n')
        .trimEnd() + '\n  copy: *s\n';
    const result = transformedOrRefused(input);
    if (!result) return;
    const [doc] = parseAllDocuments(result.text);
    expect(() => doc?.toJS()).not.toThrow();
  });

  // A sysctl entry written as an alias (`- *unpriv`) is refused, never silently kept.
  it('a sysctl entry that is an alias is removed or refused, never silently kept', () => {
    const input = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gw\n  annotations:\n    unpriv: &unpriv {name: ${SYSCTL}, value: "0"}\nspec:\n  template:\n    spec:\n      securityContext:\n        sysctls:\n        - *unpriv\n`;
    const result = transformedOrRefused(input);
    if (!result) return;
    expect(result.changes.length).toBeGreaterThan(0);
  });
});

describe('odd but valid shapes in documents a rule reads', () => {
  it('a Gateway whose metadata is not a mapping (`metadata:` alone, a complex key after it)', () => {
    // found by the property test: TypeError "map.items is not iterable" (internal error)
    const input = `${gateway().replace('metadata:\n  name: gw\n', 'metadata:\n?   name: gw\n')}`;
    const result = transform(input, {});
    expect(streamViolations(input, result)).toEqual([]);
    for (const metadata of ['metadata: null\n', 'metadata: []\n', 'metadata: text\n']) {
      const other = gateway().replace('metadata:\n  name: gw\n  namespace: default\n', metadata);
      expect(() => transform(other, {})).not.toThrow();
    }
  });

  // An alias inside an existing options ConfigMap's data.deployment (a YAML string): the error
  // names the ConfigMap's document and the line of the string, not the first Gateway's.
  it('an error inside an options ConfigMap data.deployment names that document and line', () => {
    const optionsConfigMap =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: asm-kube-gateway-options\n  namespace: default\ndata:\n  deployment: |\n    &a spec: *a\n';
    const input = stream(gateway(), optionsConfigMap);
    const result = runCli([], input);
    expectCleanFailure(result);
    const line = input.split('\n').findIndex((text) => text.includes('deployment: |')) + 1;
    expect(result.stderr).toMatch(new RegExp(`^error: document 2 at line ${line}:\\d+: in data\\.deployment: `, 'm'));
    expect(result.stderr).toMatch(/YAML alias/);
  });
});

describe('an edit never puts invalid YAML on stdout', () => {
  // A comment line indented deeper than the key that follows it makes yaml end the securityContext
  // node after the next line's indentation; emptying it then also removed `containers:` and
  // emitted a broken Pod (found by the property test, at exit 0 in the default mode).
  const commentAfterSysctls = (indentSeq: boolean): string => {
    const dash = indentSeq ? '  ' : '';
    return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n    sysctls:\n    ${dash}- name: ${SYSCTL}\n    ${dash}  value: "0"\n    ${dash}  # a comment deeper than the next key\n  containers:\n  ${dash}- name: app\n  ${dash}  image: x\n`;
  };

  it('the run fails cleanly rather than emit it', () => {
    for (const indentSeq of [false, true]) {
      const result = runCli([], commentAfterSysctls(indentSeq));
      if (result.status === 0) {
        const [doc] = parseAllDocuments(result.stdout);
        expect(doc?.errors).toEqual([]);
        expect((doc?.toJS() as { spec: { containers?: unknown } }).spec.containers).toBeDefined();
      } else {
        expect(result.status).toBe(1);
        expect(result.stdout).toBe('');
      }
    }
  });

  // A node's range can end after the indentation of the line that follows it (when a deeper
  // comment closes the node); endOfLastLine steps back over it so the next key is kept.
  it('emptying a securityContext whose sysctls end with a deeper comment keeps the next key', () => {
    for (const indentSeq of [false, true]) {
      const result = transform(commentAfterSysctls(indentSeq), {});
      expect(result.text).toContain('  containers:\n');
      expect(result.text).toContain('  securityContext: {}\n');
    }
  });
});

describe('what the tool cannot do, it says', () => {
  // An injector ConfigMap whose data.config is not valid YAML is an error naming it: skipping it
  // would leave the sysctl in every gateway template (found by the property test).
  it('an injector ConfigMap whose data.config does not parse gets a warning or an error', () => {
    const config = `templates:\n  gateway: |\n    spec:\n      securityContext:\n        sysctls:\n        - name: ${SYSCTL}\n          value: "0"\n\tbroken: tab\n`;
    const injector = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio-sidecar-injector\n  namespace: istio-system\ndata:\n  config: ${JSON.stringify(config)}\n`;
    let result;
    try {
      result = transform(injector, {});
    } catch (error) {
      expect((error as Error).name).toBe('UserError');
      return;
    }
    expect(
      result.warnings
        .filter((warning) => warning.severity === 'warning')
        .map((warning) => warning.message)
        .join('\n'),
    ).toMatch(/data\.config/);
  });
});

describe('kind: List and *List kinds: items transformed, wrapper kept', () => {
  const indent = (text: string): string => text.replace(/^(?=.)/gm, '  ').replace(/^  /, '- ');
  for (const kind of ['List', 'DeploymentList']) {
    it(kind, () => {
      const wrap = (items: string[]): string =>
        `apiVersion: v1\nkind: ${kind}\nmetadata:\n  resourceVersion: ""\nitems:\n${items.map(indent).join('')}`;
      const input = wrap([configMap('a'), gatewayDeployment(), gatewayDeployment('two')]);
      const result = runCli(['--report', 'json'], input);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(wrap([configMap('a'), gatewayDeploymentFixed(), gatewayDeploymentFixed('two')]));
      const report = JSON.parse(result.stderr) as { changes: { path: string }[] };
      expect(report.changes.map((change) => change.path)).toEqual([
        'items[1].spec.template.spec.securityContext.sysctls',
        'items[2].spec.template.spec.securityContext.sysctls',
      ]);
    });
  }
});

describe('stdin is a terminal: usage on stderr, exit 2, no waiting', () => {
  it('post-render with a terminal on stdin', () => {
    // a run that waited for input would only end when the terminal is closed after 60 s
    const result = runCliWithTtyStdin([], 60);
    expect(result.timedOut, 'the CLI waited for input on a terminal').toBe(false);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no input/);
    expect(result.stderr).toMatch(/Usage: gateway-compat/);
    if (result.separateStreams) expect(result.stdout).toBe('');
  });
});

describe('input above the size limit: a clear error before parsing', () => {
  it('--max-input-size', () => {
    const input = `${configMap('a')}---\n${'x: [unclosed\n'.repeat(200)}`;
    const result = runCli(['--max-input-size', '1KB', '--validate'], input);
    expectCleanFailure(result);
    expect(result.stderr).toMatch(/^error: the input is (\d+ bytes, more|larger) than the limit of 1024 bytes/m);
    expect(result.stderr).toContain('--max-input-size');
    expect(result.stderr).not.toMatch(/invalid YAML/);
    expect(runCli(['--max-input-size', '10KB', '--report', 'none'], configMap('a')).stdout).toBe(configMap('a'));
  });

  // stdin is read chunk by chunk and refused as soon as it passes the limit (src/hosts/stdio.ts),
  // so an oversized input never costs its own size in memory.
  it('an oversized stdin is refused once the limit is passed, without reading it all', async () => {
    const child = spawn(process.execPath, [POST_RENDER, '--max-input-size', '1MB'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.on('error', () => undefined);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let written = 0;
    while (child.exitCode === null && written < 300 * chunk.length) {
      if (!child.stdin.write(chunk)) {
        const waited = [
          new Promise((resolve) => child.stdin.once('drain', resolve)),
          exited,
          new Promise((resolve) => setTimeout(resolve, 1000)),
        ];
        await Promise.race(waited);
      }
      written += chunk.length;
    }
    child.stdin.end();
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/larger than the limit of 1048576 bytes/);
    expect(written, 'the CLI read far past its limit before refusing').toBeLessThan(50 * chunk.length);
  }, 60_000);

  it('spec.maxInputBytes in a config file', () => {
    const file = path.join(scratch, 'small-limit.yaml');
    writeFileSync(file, 'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nspec:\n  maxInputBytes: 100\n');
    const result = runCli(['--config', file], configMap('a'.repeat(200)));
    expectCleanFailure(result);
    expect(result.stderr).toMatch(/(more|larger) than the limit of 100 bytes/);
  });

  it('a size that is not a size is a usage error', () => {
    const result = runCli(['--max-input-size', 'lots'], configMap('a'));
    expectCleanFailure(result, 2);
    expect(result.stderr).toMatch(/"lots" is not a size/);
  });
});

describe('--gateway-template and --config files: missing, a directory, binary, too large', () => {
  const files = (): Record<string, string> => {
    const dir = path.join(scratch, 'inputs');
    mkdirSync(dir, { recursive: true });
    const binary = path.join(dir, 'binary.bin');
    writeFileSync(binary, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    const large = path.join(dir, 'large.yaml');
    writeFileSync(large, '');
    truncateSync(large, 17 * 1024 * 1024);
    const dangling = path.join(dir, 'dangling.yaml');
    if (!lstatSync(dangling, { throwIfNoEntry: false })) symlinkSync(path.join(dir, 'nowhere', 'file.yaml'), dangling);
    return { missing: path.join(dir, 'missing.yaml'), 'a directory': dir, binary, 'too large': large, 'a dangling symlink': dangling };
  };
  for (const flag of ['--gateway-template', '--config']) {
    for (const [name, expected] of Object.entries({
      missing: /no such file/,
      'a directory': /is a directory/,
      binary: /not UTF-8 text/,
      'too large': /more than the limit/,
      'a dangling symlink': /no such file/,
    })) {
      it(`${flag} ${name}: error naming the file, exit 1`, () => {
        const file = files()[name]!;
        const result = runCli([flag, file], configMap('a'));
        expectCleanFailure(result);
        expect(result.stderr).toContain(`${flag} ${file}`);
        expect(result.stderr).toMatch(expected);
      });
    }
    it(`${flag} without a value: usage error, exit 2`, () => {
      expectCleanFailure(runCli([flag], configMap('a')), 2);
    });
  }
});

describe('config that is valid YAML with wrong types or unknown keys: error naming the path, exit 1', () => {
  const write = (name: string, text: string): string => {
    const file = path.join(scratch, name);
    writeFileSync(file, text);
    return file;
  };
  it('wrong types and unknown keys, all reported at once', () => {
    const file = write(
      'wrong.yaml',
      'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nspec:\n  netBindService: "yes"\n  sysctls:\n    remove: net.ipv4.ip_unprivileged_port_start\n  gatewayApi:\n    optionsConfigmap: other\n  colour: blue\n',
    );
    const result = runCli(['--config', file], configMap('a'));
    expectCleanFailure(result);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(/spec\.netBindService must be boolean/);
    expect(result.stderr).toMatch(/spec\.sysctls\.remove must be array/);
    expect(result.stderr).toMatch(/unknown key "spec\.gatewayApi\.optionsConfigmap" \(did you mean "optionsConfigMap"\?\)/);
    expect(result.stderr).toMatch(/unknown key "spec\.colour"/);
  });

  it('wrong kind, a list, a scalar, broken YAML', () => {
    for (const [name, text, message] of [
      ['kind.yaml', 'apiVersion: gateway-compat.io/v1alpha1\nkind: Gatewaycompat\nspec: {}\n', /kind/],
      ['list.yaml', '- a\n- b\n', /expected a GatewayCompat object/],
      ['scalar.yaml', 'hello\n', /expected a GatewayCompat object/],
      ['broken.yaml', 'spec: {a: 1\n', /not valid YAML or JSON/],
      ['duplicate.yaml', 'apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nkind: GatewayCompat\n', /not valid YAML or JSON/],
    ] as const) {
      const file = write(name, text);
      const result = runCli(['--config', file], configMap('a'));
      expectCleanFailure(result);
      expect(result.stderr).toContain(file);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('KRM functionConfig (both forms): error naming the path, exit 1', () => {
  const resourceList = (functionConfig: string): string =>
    `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\nfunctionConfig:\n${functionConfig.replace(/^(?=.)/gm, '  ')}`;

  it('a GatewayCompat object with a wrong type and an unknown key', () => {
    const result = runCli(
      [],
      resourceList('apiVersion: gateway-compat.io/v1alpha1\nkind: GatewayCompat\nspec:\n  netBindService: "yes"\n  colour: blue\n'),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    const all = `${result.stdout}\n${result.stderr}`;
    expect(all).toMatch(/spec\.netBindService must be boolean/);
    expect(all).toMatch(/unknown key "spec\.colour"/);
  });

  it('a ResourceList that is not valid YAML: position and caret; one nested 100,000 deep; an alias bomb in functionConfig', () => {
    const broken = runCli([], resourceList('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fn\n'));
    expectCleanFailure(broken);
    expect(broken.stderr).toMatch(/^error: document 1 at line \d+:\d+: the ResourceList on stdin is not valid YAML/m);
    expect(broken.stderr).toMatch(CARET);
    const deep = runCli([], resourceList(`apiVersion: v1\nkind: ConfigMap\ndata: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`));
    expectCleanFailure(deep);
    expect(deep.stderr).toMatch(/nests too deeply/);
    const bomb = runCli([], resourceList(aliasBomb()));
    expectCleanFailure(bomb);
    expect(bomb.stderr).toMatch(/alias bomb/);
  });

  it('a ConfigMap with an unknown key and a wrong value', () => {
    const result = runCli(
      [],
      resourceList('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n  netBindServce: "true"\n'),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(`${result.stdout}\n${result.stderr}`).toMatch(/unknown key "data\.netBindServce" \(did you mean "netBindService"\?\)/);
  });
});

describe('stdout closed early: exits non-zero quietly', () => {
  it('post-render < big.yaml | head -c 100', () => {
    const big = path.join(scratch, 'big.yaml');
    const documents = Array.from({ length: 20_000 }, (_, i) => `---\n${configMap(`filler-${i}`, 'x'.repeat(700))}`);
    writeFileSync(big, stream(gatewayDeployment()) + documents.join(''));
    const result = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" "${POST_RENDER}" < "${big}" 2>"${big}.err" | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`],
      { encoding: 'utf8' },
    );
    const status = Number(result.stdout.trim());
    const stderr = readFileSync(`${big}.err`, 'utf8');
    expect(status).not.toBe(0);
    expect(status).toBeLessThan(128);
    expect(stderr).not.toMatch(STACK_TRACE);
    expect(stderr).not.toMatch(/EPIPE|internal error/);
  });
});

describe('an internal bug: "internal error, please report", the document, exit 1, nothing on stdout', () => {
  // The real CLI entry (src/cli.ts's main(), which the launcher runs) with one rule module replaced by a
  // broken one through vitest's module mocking, so no backdoor ships in the product. stdin comes
  // from readStdin (src/input/stdin.ts), mocked too: the worker's own stdin must not be read.
  async function runEntry(
    argv: string[],
    input: string,
    brokenApply: () => never,
  ): Promise<{ stdout: string; stderr: string; exitCode: number | string | undefined }> {
    vi.resetModules();
    vi.doMock('../../src/input/stdin.js', async (importOriginal) => ({
      ...(await importOriginal<typeof import('../../src/input/stdin.js')>()),
      readStdin: async () => input,
    }));
    // --write/--check look at stdin for a host feeding it; the worker's own stdin is a pipe that never ends
    vi.doMock('../../src/hosts/host-detection.js', async (importOriginal) => ({
      ...(await importOriginal<typeof import('../../src/hosts/host-detection.js')>()),
      stdinHoldsContent: () => false,
    }));
    vi.doMock('../../src/rules/sysctls/apply.js', async (importOriginal) => {
      const original = await importOriginal<typeof import('../../src/rules/sysctls/apply.js')>();
      return { ...original, apply: brokenApply };
    });
    let stdout = '';
    let stderr = '';
    // The CLI writes with write(2) through these two (src/hosts/stdio.ts), not process.stdout/stderr.
    vi.doMock('../../src/hosts/stdio.js', async (importOriginal) => ({
      ...(await importOriginal<typeof import('../../src/hosts/stdio.js')>()),
      writeStdout: (text: string) => void (stdout += text),
      writeStderr: (text: string) => void (stderr += text),
    }));
    const saved = { argv: process.argv, exitCode: process.exitCode };
    process.argv = [process.argv[0]!, POST_RENDER, ...argv];
    let exitCode: number | string | undefined;
    try {
      await (await import('../../src/cli.js')).main(argv);
      exitCode = process.exitCode;
    } finally {
      process.argv = saved.argv;
      process.exitCode = saved.exitCode;
      vi.doUnmock('../../src/hosts/stdio.js');
      vi.doUnmock('../../src/input/stdin.js');
      vi.doUnmock('../../src/rules/sysctls/apply.js');
      vi.resetModules();
    }
    return { stdout, stderr, exitCode };
  }

  it('in --write mode: the file is left as it was', async () => {
    const dir = mkdtempSync(path.join(scratch, 'internal-'));
    const file = path.join(dir, 'gateway.yaml');
    writeFileSync(file, stream(configMap('a'), gatewayDeployment()));
    const result = await runEntry(['--write', file], '', () => {
      throw new TypeError('x is not a function');
    });
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^gateway-compat: internal error while processing document 2, please report it.*TypeError: x is not a function/m,
    );
    expect(readFileSync(file, 'utf8')).toBe(stream(configMap('a'), gatewayDeployment()));
    expect(readdirSync(dir)).toEqual(['gateway.yaml']);
  });

  it('a rule that throws a TypeError on document 2', async () => {
    const result = await runEntry(['--report', 'text'], stream(configMap('a'), gatewayDeployment()), () => {
      throw new TypeError("Cannot read properties of undefined (reading 'items')");
    });
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^gateway-compat: internal error while processing document 2, please report it/m);
    expect(result.stderr).toContain("TypeError: Cannot read properties of undefined (reading 'items')");
    expect(result.stderr).not.toMatch(STACK_TRACE);
  });

  it('a stack overflow inside a rule', async () => {
    const result = await runEntry([], gatewayDeployment(), () => {
      const recurse = (n: number): number => recurse(n + 1) + 1;
      recurse(0);
      throw new Error('unreachable');
    });
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /internal error while processing document 1, please report it.*RangeError: Maximum call stack size exceeded/,
    );
  });

  it('something thrown that is not an Error (null, a string)', async () => {
    for (const thrown of [null, undefined, 'a string']) {
      const result = await runEntry([], gatewayDeployment(), () => {
        throw thrown;
      });
      expect(result.stdout).toBe('');
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/^gateway-compat: internal error.*please report it/m);
    }
  });
});

describe('--write faults: files untouched, exit 1, nothing on stdout', () => {
  const fixture = (dir: string, name: string, text = gatewayDeployment()): string => {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const leftovers = (dir: string): string[] => readdirSync(dir).filter((name) => name.includes('.gateway-compat-'));

  it('a file in a read-only folder (the CLI runs as an unprivileged user when the tests run as root)', () => {
    const dir = mkdtempSync(path.join(scratch, 'readonly-'));
    const file = fixture(dir, 'gateway.yaml');
    const other = fixture(path.join(scratch, 'writable'), 'other.yaml');
    chmodSync(dir, 0o555);
    chmodSync(path.dirname(other), 0o777);
    chmodSync(other, 0o666);
    const root = process.getuid?.() === 0;
    // Root ignores permission bits; run the CLI as nobody (uid 65534) through setpriv.
    const command = root ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
    if (root && spawnSync('sh', ['-c', 'command -v setpriv']).status !== 0) {
      throw new Error(
        'setpriv is needed to run the CLI as an unprivileged user when the tests run as root: apt-get install -y util-linux (Debian ships it in util-linux)',
      );
    }
    const result = spawnSync(command[0]!, [...command.slice(1), POST_RENDER, '--write', other, file], { encoding: 'utf8', cwd: REPO_ROOT });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/permission denied; no file was changed/);
    expect(result.stderr).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe(gatewayDeployment());
    expect(readFileSync(other, 'utf8'), 'no file is written when one of them cannot be').toBe(gatewayDeployment());
    expect(leftovers(dir)).toEqual([]);
    expect(leftovers(path.dirname(other))).toEqual([]);
    chmodSync(dir, 0o755);
  });

  it('a path that is a folder, a vanished file, a dangling symlink', () => {
    const dir = mkdtempSync(path.join(scratch, 'paths-'));
    const good = fixture(dir, 'good.yaml');
    mkdirSync(path.join(dir, 'folder.yaml'));
    symlinkSync(path.join(dir, 'gone', 'x.yaml'), path.join(dir, 'dangling.yaml'));
    for (const [bad, message] of [
      [path.join(dir, 'folder.yaml'), /not a regular file/],
      [path.join(dir, 'vanished.yaml'), /no such file/],
      [path.join(dir, 'dangling.yaml'), /no such file/],
    ] as const) {
      const result = runCli(['--write', good, bad], undefined);
      expectCleanFailure(result);
      expect(result.stderr).toContain(bad);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/no file was changed/);
      expect(readFileSync(good, 'utf8')).toBe(gatewayDeployment());
    }
    expect(leftovers(dir)).toEqual([]);
  });

  // The temporary file `.<name>.gateway-compat-<12 hex>.tmp` is 33 bytes longer than the file's
  // own name; for names near NAME_MAX (255 bytes) the name part is shortened.
  for (const [what, name] of [
    ['a 240-character name', `${'x'.repeat(235)}.yaml`],
    ['a 255-byte name of 2-byte characters', `${'é'.repeat(125)}.yaml`],
  ] as const) {
    it(`a file with ${what} can be fixed with --write, and leaves nothing behind`, () => {
      const dir = mkdtempSync(path.join(scratch, 'long-'));
      const file = fixture(dir, name);
      const result = runCli(['--write', '--report', 'none', file], undefined);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(gatewayDeploymentFixed());
      expect(readdirSync(dir)).toEqual([name]);
    });
  }

  interface KilledWrite {
    caught: boolean;
    endedBy: NodeJS.Signals | null;
    original: string;
    after: string;
    leftBehind: string[];
  }

  /**
   * Starts --write on a big file and, the moment its temporary file appears (inotify through
   * fs.watch), stops the process (SIGSTOP) with the new content half written, sends `signal` and
   * lets it go on (SIGCONT). A run that finished before it was caught is tried again with a bigger
   * file; never caught at all is a failure, not a pass.
   */
  async function killDuringWrite(signal: NodeJS.Signals): Promise<KilledWrite> {
    for (const copies of [6, 12, 24]) {
      const run = await attemptKillDuringWrite(signal, copies);
      if (run.caught) return run;
    }
    throw new Error(
      `--write always finished before its temporary file could be caught (even with 24 x 10 MB); the ${signal} case proved nothing`,
    );
  }

  async function attemptKillDuringWrite(signal: NodeJS.Signals, copies: number): Promise<KilledWrite> {
    const dir = mkdtempSync(path.join(scratch, `${signal}-`));
    // One document to fix and copies x 10 MB of filler: writing and flushing it takes a while.
    const filler = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: filler\ndata:\n  blob: |\n${`    ${'x'.repeat(95)}\n`.repeat(100_000)}`;
    const original = stream(gatewayDeployment(), ...Array.from({ length: copies }, () => filler));
    const file = fixture(dir, 'manifests.yaml', original);
    const child = spawn(process.execPath, [POST_RENDER, '--write', '--report', 'none', file], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    let caught = false;
    const watcher = watch(dir, () => {
      if (caught || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGSTOP');
      // stopped: if the temporary file is still there, the new content is being written
      if (leftovers(dir).length === 0) {
        child.kill('SIGCONT');
        return;
      }
      caught = true;
      watcher.close();
      child.kill(signal);
      if (signal !== 'SIGKILL') child.kill('SIGCONT');
    });
    const endedBy = await exited;
    watcher.close();
    return { caught, endedBy, original, after: readFileSync(file, 'utf8'), leftBehind: leftovers(dir) };
  }

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGKILL'] as const) {
    it(`${signal} while the new content is being written: the file keeps its old content`, async () => {
      const run = await killDuringWrite(signal);
      expect(run.endedBy).toBe(signal);
      expect(run.after.length).toBe(run.original.length);
      expect(run.after === run.original).toBe(true);
    }, 240_000);
  }

  // SIGKILL cannot be helped: its temporary file stays (the target is intact, above).
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} during --write leaves no temporary file behind, and the process dies of it`, async () => {
      const run = await killDuringWrite(signal);
      expect(run.endedBy).toBe(signal);
      expect(run.leftBehind).toEqual([]);
      expect(run.after === run.original).toBe(true);
    }, 240_000);
  }
});

describe('the transform result itself: every successful run keeps the stream invariants', () => {
  it('a mixed stream with an added ConfigMap', () => {
    const input = stream(configMap('a'), gateway(), gatewayDeployment(), service());
    const result = transform(input, {});
    expect(result.documents).toEqual({ in: 4, out: 5 });
    expect(streamViolations(input, result)).toEqual([]);
    expect(transform(result.text, {}).text).toBe(result.text);
  });
});
