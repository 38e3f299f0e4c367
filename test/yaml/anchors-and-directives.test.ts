// Issue 11, item 6: never a stream that fails to parse, nor one in which an alias silently means
// something else. Text edits cannot follow YAML anchors, so an edit that would remove or change an
// anchored node some alias uses is refused (document, line:column of the anchor, the alias's line,
// how to write the copy out); an edit that leaves every alias as it was goes through. An options
// ConfigMap added in front of a document with a %YAML directive closes itself with `...`.
// Every successful output here is read back with aliases resolved, and run through the tool again.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { gateway, SYSCTL } from '../helpers/manifests.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';

/** A gateway Deployment: its pod securityContext lines, then its containers. */
function deployment(sysctls: string, containers: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: gw
  namespace: istio-system
spec:
  template:
    metadata:
      annotations:
        inject.istio.io/templates: gateway
    spec:
      securityContext:
${sysctls}      containers:
${containers}`;
}

const PROXY = '      - name: istio-proxy\n        image: auto\n';

/** Parses a whole stream the way kubectl does: every document, every alias resolved. */
function parsedWithAliases(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' }).map((doc) => {
    expect(doc.errors, 'the output parses').toEqual([]);
    return doc.toJS({ maxAliasCount: 100 });
  });
}

function expectRefusal(result: CliResult, anchor: string, at: string, aliasLine: number): void {
  expect(result.status, result.stderr).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(`error: document 1 at line ${at}: this edit would`);
  expect(result.stderr).toContain(`the node anchored &${anchor}, which the alias *${anchor} at line ${aliasLine}:`);
  expect(result.stderr).toMatch(new RegExp(`^fix: replace \\*${anchor} with a copy of the anchored content`, 'm'));
  expect(result.stderr).not.toMatch(/internal error/);
}

function expectGoodOutput(args: string[], input: string): CliResult {
  const result = runCli(args, input);
  expect(result.status, result.stderr).toBe(0);
  parsedWithAliases(result.stdout);
  const again = runCli(args, result.stdout);
  expect(again.status, again.stderr).toBe(0);
  expect(again.stdout, 'a second run changes nothing').toBe(result.stdout);
  return result;
}

describe('an edit never leaves an alias dangling or silently changed', () => {
  it('a removed sysctl entry holding an anchor an alias uses elsewhere is refused (was a dangling alias, exit 0)', () => {
    const input = deployment(
      `        sysctls:\n        - name: ${SYSCTL}\n          value: &zero "0"\n        - name: net.core.somaxconn\n          value: "1024"\n`,
      `${PROXY}        env:\n        - name: X\n          value: *zero\n`,
    );
    const result = runCli([], input);
    expectRefusal(result, 'zero', '15:18', 23);
    expect(result.stderr).toContain('the alias would be left without its anchor');
  });

  it('a removed sysctl entry that is itself anchored and aliased is refused', () => {
    const input = deployment(
      `        sysctls:\n        - &entry\n          name: ${SYSCTL}\n          value: "0"\n`,
      `${PROXY}        x-copy: *entry\n`,
    );
    const result = runCli([], input);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: document 1 at line 15:11: .*anchor &entry/m);
  });

  it('removing one item of an anchored list another field aliases is refused (the alias changed silently, exit 0)', () => {
    const input = deployment(
      `        sysctls: &list\n        - name: ${SYSCTL}\n          value: "0"\n        - name: net.core.somaxconn\n          value: "1024"\n`,
      `${PROXY}      - name: sidecar\n        image: x\n        x-sysctls: *list\n`,
    );
    const result = runCli([], input);
    expectRefusal(result, 'list', '13:18', 23);
    expect(result.stderr).toContain('the aliased copy would change with it, silently');
  });

  it('a grant into an anchored securityContext another container aliases is refused, at the line of the input (after an earlier edit moved it)', () => {
    const input = deployment(
      `        sysctls:\n        - name: ${SYSCTL}\n          value: "0"\n`,
      `${PROXY}        securityContext: &sc\n          runAsUser: 1337\n      - name: app\n        image: app\n        securityContext: *sc\n`,
    );
    expectRefusal(runCli(['--run-as-root'], input), 'sc', '19:26', 23);
  });

  it('anchors and aliases the edit does not touch are kept, and every alias resolves as before', () => {
    const input = deployment(
      `        sysctls:\n        - name: ${SYSCTL}\n          value: "0"\n        - name: net.core.somaxconn\n          value: &v "1024"\n`,
      `${PROXY}        env:\n        - name: SOMAXCONN\n          value: *v\n        - name: UNUSED\n          value: &unused x\n`,
    );
    const result = expectGoodOutput([], input);
    expect(result.stdout).not.toContain(SYSCTL);
    const [object] = parsedWithAliases(result.stdout) as { spec: { template: { spec: { containers: { env: { value: string }[] }[] } } } }[];
    expect(object?.spec.template.spec.containers[0]?.env[0]?.value).toBe('1024');
  });
});

describe('an added document is closed before a %YAML directive', () => {
  it('the options ConfigMap added before a Gateway whose document has a %YAML directive ends with `...`; the output parses and a second run equals the first (it failed)', () => {
    const input = `%YAML 1.1\n---\n${gateway('gw', 'istio', 'default')}`;
    const result = expectGoodOutput([], input);
    expect(result.stdout).toMatch(/sysctls: \[\]\n\.\.\.\n%YAML 1\.1\n---\napiVersion: gateway\.networking\.k8s\.io\/v1\n/);
    const kinds = (parsedWithAliases(result.stdout) as { kind: string }[]).map((doc) => doc.kind);
    expect(kinds).toEqual(['ConfigMap', 'Gateway']);
  });

  it('the same after an earlier document ended with `...`, comments and CRLF line ends included', () => {
    const input = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n...\n# the gateway\n%YAML 1.1\n---\n${gateway('gw', 'istio', 'default')}`;
    const result = expectGoodOutput([], input);
    expect((parsedWithAliases(result.stdout) as { metadata: { name: string } }[]).map((doc) => doc.metadata.name)).toEqual([
      'other',
      'asm-kube-gateway-options',
      'gw',
    ]);
    const crlf = expectGoodOutput([], input.replace(/\n/g, '\r\n'));
    expect(crlf.stdout).toContain('...\r\n%YAML 1.1\r\n');
    expect(parsedWithAliases(crlf.stdout)).toHaveLength(3);
  });
});
