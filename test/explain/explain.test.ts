// `explain`: every failure group is a golden case made from text quoted from a public thread
// (test/fixtures/explain/<case>/case.json names the thread and who posted it); text about other
// sysctls and other bind errors must come back as "nothing recognised". UPDATE_GOLDEN=1 rewrites
// the expected.txt files for review.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_PATTERNS } from '../../src/explain/patterns.js';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';
import { runCliWithTtyStdin } from '../helpers/tty.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/explain');

interface Case {
  source: string;
  quoted: string;
  groups: string[];
  exitCode: 0 | 1;
}

const cases = readdirSync(FIXTURES).map((name) => {
  const dir = path.join(FIXTURES, name);
  return { name, dir, spec: JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as Case };
});

interface ExplainJson {
  recognised: boolean;
  findings: Array<{
    group: string;
    resource: { kind: string | null; namespace: string | null; name: string; node: string | null } | null;
    ports: number[];
  }>;
  lookedFor: Array<{ group: string }>;
}

describe('explain golden cases (real error texts)', () => {
  for (const { name, dir, spec } of cases) {
    it(name, () => {
      const input = readFileSync(path.join(dir, 'input.txt'));
      const text = runCli(['explain'], input);
      expect(text.stderr).toBe('');
      expect(text.status).toBe(spec.exitCode);
      const expectedPath = path.join(dir, 'expected.txt');
      if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(expectedPath, text.stdout);
      expect(text.stdout).toBe(readFileSync(expectedPath, 'utf8'));

      const json = runCli(['explain', '--json', '--file', path.join(dir, 'input.txt')], undefined);
      expect(json.status).toBe(spec.exitCode);
      const parsed = JSON.parse(json.stdout) as ExplainJson;
      expect(parsed.findings.map((finding) => finding.group)).toEqual(spec.groups);
      expect(parsed.recognised).toBe(spec.groups.length > 0);
    });
  }

  it('every group of the table has a golden case, and every case names its public source', () => {
    const covered = new Set(cases.flatMap(({ spec }) => spec.groups));
    for (const pattern of ERROR_PATTERNS) expect(covered, pattern.id).toContain(pattern.id);
    for (const { name, spec } of cases) {
      expect(spec.source, name).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(?:issues|pull|blob)\//);
      expect(spec.quoted.length, name).toBeGreaterThan(20);
    }
    // Text about another sysctl or another bind error is there for each group that has a look-alike.
    expect(cases.filter(({ spec }) => spec.exitCode === 1).length).toBeGreaterThanOrEqual(4);
  });
});

describe('explain names the resource the text names', () => {
  const findings = (name: string) =>
    (JSON.parse(runCli(['explain', '--json', '--file', `test/fixtures/explain/${name}/input.txt`], undefined).stdout) as ExplainJson)
      .findings;

  it('from the scheduler event and the sandbox message (pod, namespace, node)', () => {
    expect(findings('kernel-events-table')[0]!.resource).toEqual({
      kind: 'Pod',
      namespace: 'testr',
      name: 'hedui-gateway-hedui-gateway-class-76796fcf9b-jnx7l',
      node: 'xiaolatiao1',
    });
  });

  it('from the header of kubectl describe pod', () => {
    expect(findings('describe-pod-header')[0]!.resource).toEqual({
      kind: 'Pod',
      namespace: 'istio-ingress',
      name: 'istio-ingressgateway-7c9d8f6b5-q4kzt',
      node: null,
    });
  });

  it('from the NAMESPACE and OBJECT columns of kubectl get events -A', () => {
    expect(findings('events-all-namespaces')[0]!.resource).toEqual({
      kind: 'Pod',
      namespace: 'istio-ingress',
      name: 'istio-ingressgateway-5f7d9c8b4-7lq2x',
      node: null,
    });
  });

  it("from istiod's node id (pod.namespace), with the port", () => {
    const [finding] = findings('istiod-skips-privileged-port');
    expect(finding!.resource).toEqual({
      kind: 'Pod',
      namespace: 'istio-system',
      name: 'internal-istio-ingressgateway-84cbdf4ffc-d4gz2',
      node: null,
    });
    expect(finding!.ports).toEqual([587]);
  });

  it('and names none when the text names none', () => {
    expect(findings('kernel-runc-1.3')[0]!.resource).toBeNull();
    expect(findings('envoy-cannot-bind')[0]!.ports).toEqual([80, 443]);
  });
});

describe('explain on mixed and damaged pastes', () => {
  const input = (name: string): string => readFileSync(path.join(FIXTURES, name, 'input.txt'), 'utf8');

  it('reports each group once per resource, in the order the text tells them', () => {
    const pasted = [
      input('istiod-skips-privileged-port'),
      input('kernel-events-table'),
      input('kernel-runc-1.2'),
      input('envoy-cannot-bind'),
    ].join('\n');
    const result = runCli(['explain', '--json'], pasted);
    expect(result.status).toBe(0);
    const groups = (JSON.parse(result.stdout) as ExplainJson).findings.map((finding) => finding.group);
    expect(groups).toEqual(['istiod-skips-privileged-port', 'kernel-too-old', 'kernel-too-old', 'envoy-cannot-bind']);
  });

  it('reads CRLF line endings, colour codes and messages wrapped at any space', () => {
    const wrapped = input('kernel-runc-1.3').replace(/ /g, (space, offset: number) => (offset % 7 === 0 ? '\r\n  ' : space));
    const coloured = `\u001b[31m${wrapped}\u001b[0m`;
    const result = runCli(['explain', '--json'], coloured);
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as ExplainJson).findings.map((finding) => finding.group)).toEqual(['kernel-too-old']);
  });

  it('never claims a port of 1024 or more, or a bind error that is not permission denied', () => {
    const text =
      "cannot bind '0.0.0.0:1024': Permission denied\ncannot bind '0.0.0.0:8443': Permission denied\ncannot bind '0.0.0.0:80': Address already in use\n";
    const result = runCli(['explain'], text);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^Nothing recognised\./);
  });

  it('says when the text names the sysctl in no known wording (a manifest, for instance)', () => {
    const manifest = 'securityContext:\n  sysctls:\n  - name: net.ipv4.ip_unprivileged_port_start\n    value: "0"\n';
    const result = runCli(['explain'], manifest);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('The text names net.ipv4.ip_unprivileged_port_start once, but in none of these wordings.');
    const json = JSON.parse(runCli(['explain', '--json'], manifest).stdout) as ExplainJson & { sysctlMentions: number };
    expect(json.recognised).toBe(false);
    expect(json.sysctlMentions).toBe(1);
    expect(json.lookedFor.map((entry) => entry.group)).toEqual(ERROR_PATTERNS.map((pattern) => pattern.id));
  });
});

describe('explain usage and bad input', () => {
  it('--help goes to stdout with exit 0 and documents the exit codes, without reading stdin', () => {
    for (const flag of ['--help', '-h']) {
      const result = runCli(['explain', flag], 'open /proc/sys/net/ipv4/ip_unprivileged_port_start: no such file or directory');
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^Usage: /);
      expect(result.stdout).toContain('Exit codes:\n  0  at least one error recognised\n  1  nothing recognised');
    }
  });

  it.each([
    [['--jsn'], /Unknown option '--jsn'/],
    [['some-file.txt'], /unexpected argument "some-file.txt"; pass a file with --file some-file.txt/],
    [['--file'], /--file/],
    [['--file', 'test/fixtures/explain/does-not-exist.txt'], /--file test\/fixtures\/explain\/does-not-exist.txt: no such file/],
    [['--file', 'test/fixtures/explain'], /is a directory/],
  ])('%j is refused with exit 2 and nothing on stdout', (args, message) => {
    const result = runCli(
      ['explain', ...args],
      'forbidden sysctl: "net.ipv4.ip_unprivileged_port_start" not allowed with host net enabled',
    );
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it.each([
    ['empty input', '', /the input is empty/],
    ['blank input', ' \n\n', /the input is empty/],
    ['binary input', Buffer.from([0x6f, 0x70, 0x65, 0x6e, 0x00, 0xff]), /not UTF-8 text/],
  ])('%s is refused with exit 2 and nothing on stdout', (_name, input, message) => {
    const result = runCli(['explain'], input);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('a terminal on stdin is a usage error, not a wait', () => {
    const result = runCliWithTtyStdin(['explain']);
    expect(result.timedOut).toBe(false);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no input: stdin is a terminal');
  });

  it('the top-level help lists the mode', () => {
    expect(runCli(['--help'], undefined).stdout).toContain('gateway-compat explain [--json] [--file PATH]');
    expect(existsSync(path.join(FIXTURES, 'kernel-runc-1.2', 'expected.txt'))).toBe(true);
  });
});
