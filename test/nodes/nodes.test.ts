import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runNodesCommand, type CommandIo } from '../../src/nodes/command.js';
import { isOlderThan, parseKernelVersion, FIRST_KERNEL_WITH_UNPRIVILEGED_PORT_START } from '../../src/nodes/kernel-version.js';
import { assessNode } from '../../src/nodes/node-check.js';
import { parseKubeletVersion, parseRuntime } from '../../src/nodes/node-software.js';

const fixturePath = (name: string): string => fileURLToPath(new URL(`../fixtures/nodes/${name}`, import.meta.url));
const readFixture = (name: string): Promise<string> => readFile(fixturePath(name), 'utf8');

const HINT = 'kubectl get nodes -o json | gateway-compat nodes';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  stdinReads: number;
}

/** Runs the command against in-memory streams; `files` stands in for the file system. */
async function run(
  args: string[],
  input: { stdin?: string; stdinError?: Error; files?: Record<string, string>; stdinIsTTY?: boolean } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const stdin = vi.fn(async () => {
    if (input.stdinError) throw input.stdinError;
    return input.stdin ?? '';
  });
  const io: CommandIo = {
    stdin,
    readFile: async (path) => {
      const text = input.files?.[path];
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return text;
    },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stdinIsTTY: input.stdinIsTTY ?? false,
  };
  const code = await runNodesCommand(args, io);
  return { code, stdout, stderr, stdinReads: stdin.mock.calls.length };
}

/** A minimal List as kubectl prints it, with only the fields this command reads. */
function nodeList(nodes: Array<{ name: string; kernel?: unknown; os?: string; operatingSystem?: string }>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    metadata: { resourceVersion: '' },
    items: nodes.map((node) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node.name },
      status: {
        nodeInfo: {
          ...(node.kernel === undefined ? {} : { kernelVersion: node.kernel }),
          osImage: node.os ?? 'Ubuntu 22.04.5 LTS',
          operatingSystem: node.operatingSystem ?? 'linux',
        },
      },
    })),
  });
}

describe('parseKernelVersion', () => {
  it.each([
    ['3.10.0-1160.el7.x86_64', 3, 10, 0],
    ['3.10.0-1160.119.1.el7.x86_64', 3, 10, 0],
    ['4.18.0-553.el8_10.x86_64', 4, 18, 0],
    ['5.15.0-1057-azure', 5, 15, 0],
    ['6.1.0-13-amd64', 6, 1, 0],
    ['4.11.0', 4, 11, 0],
    ['4.9.0-8-amd64', 4, 9, 0],
    ['4.10.17', 4, 10, 17],
    ['5.4.0-1109-aws+', 5, 4, 0],
    ['6.8.0-1017-gke', 6, 8, 0],
    ['5.10.225-213.878.amzn2.x86_64', 5, 10, 225],
    ['6.1.112+', 6, 1, 112],
    ['5.14.0-427.37.1.el9_4.x86_64', 5, 14, 0],
    ['4.11', 4, 11, undefined],
    ['4.4.0-210-generic', 4, 4, 0],
    ['3.2.0-4-amd64', 3, 2, 0],
    ['2.6.32-754.35.1.el6.x86_64', 2, 6, 32],
    ['4.19.0-27-cloud-amd64', 4, 19, 0],
    ['4.11.0-rc1', 4, 11, 0],
    ['6.6.32~rc1', 6, 6, 32],
    ['10.0.17763.6414', 10, 0, 17763],
    ['  5.15.0-122-generic\n', 5, 15, 0],
  ])('reads %j as %i.%i (patch %s)', (release, major, minor, patch) => {
    expect(parseKernelVersion(release)).toEqual({ major, minor, patch });
  });

  it.each([
    '',
    '   ',
    'unknown',
    '<none>',
    '4',
    '4.',
    '.11',
    '4.x',
    '4.11abc',
    '4.1x.0',
    'v4.11.0',
    'linux-4.11.0',
    'Linux 5.15.0',
    '99999999999999999999.1',
  ])('refuses %j', (release) => {
    expect(parseKernelVersion(release)).toBeUndefined();
  });
});

describe('isOlderThan 4.11', () => {
  const older = (release: string): boolean => {
    const version = parseKernelVersion(release);
    if (version === undefined) throw new Error(`test string ${release} did not parse`);
    return isOlderThan(version, FIRST_KERNEL_WITH_UNPRIVILEGED_PORT_START);
  };

  it.each(['3.10.0-1160.el7.x86_64', '4.9.0-8-amd64', '4.10.17', '4.1.0', '3.99.0', '2.6.32', '0.11'])(
    '%s is older (needs the fix)',
    (release) => expect(older(release)).toBe(true),
  );

  it.each([
    '4.11.0',
    '4.11',
    '4.18.0-553.el8_10.x86_64',
    '4.100.0',
    '5.0.0',
    '5.4.0-1109-aws+',
    '5.15.0-1057-azure',
    '6.1.0-13-amd64',
    '6.8.0-1017-gke',
    '10.0.0',
  ])('%s is not older', (release) => expect(older(release)).toBe(false));
});

describe('assessNode', () => {
  it('does not judge a Windows node by its NT version number', () => {
    const assessment = assessNode({
      name: 'win-1',
      kernelVersion: '3.1.0',
      osImage: 'Windows Server 2019 Datacenter',
      operatingSystem: 'windows',
      containerRuntimeVersion: 'containerd://2.0.5',
      kubeletVersion: 'v1.20.4',
    });
    expect(assessment.needsFix).toBe(false);
    expect(assessment.reason).toContain('windows');
  });

  it('explains an unreadable kernel string and a missing one differently', () => {
    const base = { name: 'n', osImage: undefined, operatingSystem: 'linux', containerRuntimeVersion: undefined, kubeletVersion: undefined };
    expect(assessNode({ ...base, kernelVersion: 'custom-build' })).toMatchObject({
      needsFix: null,
      reason: expect.stringContaining('"custom-build"'),
    });
    expect(assessNode({ ...base, kernelVersion: undefined })).toMatchObject({
      needsFix: null,
      reason: 'status.nodeInfo.kernelVersion is missing',
    });
  });
});

describe('gateway-compat nodes on the recorded sample', () => {
  it('the sample looks like kubectl get nodes -o json with mixed kernels', async () => {
    const list = JSON.parse(await readFixture('kubectl-get-nodes.json'));
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items.length).toBeGreaterThanOrEqual(5);
    for (const node of list.items) {
      expect(node.kind).toBe('Node');
      expect(typeof node.metadata.name).toBe('string');
      expect(Object.keys(node.status.nodeInfo)).toEqual(
        expect.arrayContaining([
          'kernelVersion',
          'osImage',
          'containerRuntimeVersion',
          'kubeletVersion',
          'architecture',
          'operatingSystem',
        ]),
      );
    }
  });

  it('prints the golden table and summary, and exits 1 because CentOS 7 and Debian 9 nodes need the fix', async () => {
    const result = await run([], { stdin: await readFixture('kubectl-get-nodes.json') });
    expect(result.stdout).toBe(await readFixture('expected-table.txt'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
  });

  it('gives the same table for the -o yaml form of the sample', async () => {
    const result = await run([], { stdin: await readFixture('kubectl-get-nodes.yaml') });
    expect(result.stdout).toBe(await readFixture('expected-table.txt'));
    expect(result.code).toBe(1);
  });

  it('reads --file from disk and does not touch stdin', async () => {
    const path = fixturePath('kubectl-get-nodes.json');
    let stdout = '';
    const stdin = vi.fn(async () => '');
    const code = await runNodesCommand(['--file', path], {
      stdin,
      readFile: (file) => readFile(file, 'utf8'),
      stdout: (text) => {
        stdout += text;
      },
      stderr: () => {},
      // A terminal on stdin must not matter when --file is given.
      stdinIsTTY: true,
    });
    expect(code).toBe(1);
    expect(stdout).toBe(await readFixture('expected-table.txt'));
    expect(stdin).not.toHaveBeenCalled();
  });

  it.each([['--file=nodes.yaml'], ['-f', 'nodes.yaml']])('accepts %s', async (...args) => {
    const result = await run(args, { files: { 'nodes.yaml': await readFixture('kubectl-get-nodes.yaml') } });
    expect(result.stdout).toBe(await readFixture('expected-table.txt'));
    expect(result.stdinReads).toBe(0);
  });

  it('--json prints one entry per node and the counts', async () => {
    const result = await run(['--json'], { stdin: await readFixture('kubectl-get-nodes.json') });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual(['nodes', 'summary']);
    expect(report.summary).toEqual({ total: 6, needFix: 3, unknown: 0, oldKubelet: 0 });
    expect(report.nodes.map((node: Record<string, unknown>) => [node.name, node.kernelVersion, node.needsFix])).toEqual([
      ['cp-1.k8s.corp.example', '5.14.0-427.37.1.el9_4.x86_64', false],
      ['worker-c7-01.k8s.corp.example', '3.10.0-1160.119.1.el7.x86_64', true],
      ['worker-c7-02.k8s.corp.example', '3.10.0-1160.108.1.el7.x86_64', true],
      ['worker-deb9-01.k8s.corp.example', '4.9.0-19-amd64', true],
      ['worker-r8-01.k8s.corp.example', '4.18.0-553.16.1.el8_10.x86_64', false],
      ['worker-u22-01.k8s.corp.example', '5.15.0-122-generic', false],
    ]);
    expect(report.nodes[1]).toEqual({
      name: 'worker-c7-01.k8s.corp.example',
      kernelVersion: '3.10.0-1160.119.1.el7.x86_64',
      osImage: 'CentOS Linux 7 (Core)',
      containerRuntimeVersion: 'containerd://1.6.33',
      kubeletVersion: 'v1.28.14',
      needsFix: true,
      reason: 'kernel 3.10 is older than 4.11 and lacks net.ipv4.ip_unprivileged_port_start',
      notes: [
        {
          id: 'kubelet-cgroup-v1-on-upgrade',
          message:
            'kernel 3.10 is older than 5.8, the oldest Kubernetes supports for cgroup v2, so this node most likely runs cgroup v1: kubelet 1.35 and later refuse to start on it by default, so an upgrade of this kubelet (v1.28.14) needs failCgroupV1: false in its KubeletConfiguration',
        },
      ],
    });
  });
});

describe('gateway-compat nodes verdicts and exit codes', () => {
  it('exits 0 and says so when every kernel is 4.11 or newer', async () => {
    const result = await run([], {
      stdin: nodeList([
        { name: 'a', kernel: '4.11.0' },
        { name: 'b', kernel: '6.8.0-1017-gke' },
      ]),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 of 2 nodes run a kernel older than 4.11.\n');
    expect(result.stdout).not.toContain('needs fix');
  });

  it('uses singular wording for one node that needs the fix', async () => {
    const result = await run([], { stdin: nodeList([{ name: 'a', kernel: '4.10.17' }]) });
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').at(-2)).toBe('1 of 1 node runs a kernel older than 4.11 and needs gateway-compat.');
  });

  it('shows unknown kernels, names them on stderr, and keeps exit 0 when nothing else needs the fix', async () => {
    const result = await run([], {
      stdin: nodeList([{ name: 'ok-node', kernel: '5.15.0-1057-azure' }, { name: 'no-kernel' }, { name: 'odd-kernel', kernel: 'custom' }]),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^no-kernel +<none> +Ubuntu 22\.04\.5 LTS +<none> +<none> +unknown$/m);
    expect(result.stdout).toMatch(/^odd-kernel +custom +Ubuntu 22\.04\.5 LTS +<none> +<none> +unknown$/m);
    expect(result.stdout).toContain('0 of 3 nodes run a kernel older than 4.11; 2 could not be judged.\n');
    expect(result.stderr).toContain('2 nodes could not be judged');
    expect(result.stderr).toContain('  no-kernel: status.nodeInfo.kernelVersion is missing\n');
    expect(result.stderr).toContain('  odd-kernel: cannot read a major.minor version from kernelVersion "custom"\n');
    expect(result.stderr).not.toContain('ok-node');
  });

  it('keeps the summary grammatical for one node that does not need the fix', async () => {
    const result = await run([], { stdin: nodeList([{ name: 'a', kernel: 'weird' }]) });
    expect(result.stdout).toContain('\n0 of 1 node runs a kernel older than 4.11; 1 could not be judged.\n');
  });

  it('still exits 1 when unknown kernels sit beside one that needs the fix', async () => {
    const result = await run(['--json'], {
      stdin: nodeList([
        { name: 'old', kernel: '3.10.0-1160.el7.x86_64' },
        { name: 'blank', kernel: '' },
      ]),
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.summary).toEqual({ total: 2, needFix: 1, unknown: 1, oldKubelet: 0 });
    expect(report.nodes[1]).toMatchObject({ name: 'blank', kernelVersion: null, needsFix: null });
    expect(result.stderr).toContain('blank');
  });

  it('accepts a single Node object', async () => {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'solo' },
      status: { nodeInfo: { kernelVersion: '4.9.0-8-amd64', osImage: 'Debian GNU/Linux 9 (stretch)', operatingSystem: 'linux' } },
    };
    const result = await run([], { stdin: JSON.stringify(node) });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^solo +4\.9\.0-8-amd64 +Debian GNU\/Linux 9 \(stretch\) +<none> +<none> +needs fix$/m);
  });

  it('reads hand-written YAML and keeps an unquoted 4.20 as 4.20, not the number 4.2', async () => {
    const yaml = [
      'apiVersion: v1',
      'kind: NodeList',
      'items:',
      '- metadata: {name: yaml-old}',
      '  status:',
      '    nodeInfo:',
      '      kernelVersion: 4.10',
      '      osImage: Debian',
      '- metadata: {name: yaml-new}',
      '  status:',
      '    nodeInfo:',
      '      kernelVersion: 4.20',
      '      osImage: Debian',
      '',
    ].join('\n');
    const result = await run(['--json'], { stdin: yaml });
    const report = JSON.parse(result.stdout);
    expect(report.nodes.map((node: Record<string, unknown>) => [node.name, node.kernelVersion, node.needsFix])).toEqual([
      ['yaml-old', '4.10', true],
      ['yaml-new', '4.20', false],
    ]);
    expect(result.code).toBe(1);
  });

  it('joins several YAML documents and skips an empty trailing one', async () => {
    const first = 'kind: Node\nmetadata: {name: one}\nstatus: {nodeInfo: {kernelVersion: 5.4.0-1109-aws+}}\n';
    const second = 'kind: Node\nmetadata: {name: two}\nstatus: {nodeInfo: {kernelVersion: 3.10.0-957.el7.x86_64}}\n';
    const result = await run(['--json'], { stdin: `${first}---\n${second}---\n` });
    expect(JSON.parse(result.stdout).summary).toEqual({ total: 2, needFix: 1, unknown: 0, oldKubelet: 0 });
  });

  it('prints no table for an empty node list and exits 0', async () => {
    const result = await run([], { stdin: '{"apiVersion":"v1","kind":"List","items":[]}' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('No nodes found in the input.\n');
  });

  it('replaces control characters from the cluster so they cannot break the table', async () => {
    const result = await run([], { stdin: nodeList([{ name: 'evil\u001b[2Jname\nx', kernel: '5.4.0' }]) });
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).toContain('evil\uFFFD[2Jname\uFFFDx');
  });
});

describe('gateway-compat nodes bad input (exit 2)', () => {
  it.each([
    ['not JSON or YAML', '{"kind": "List", "items": [', 'the input is not valid JSON or YAML'],
    ['empty input', '', 'the input is empty'],
    ['only whitespace', '  \n\n', 'the input is empty'],
    ['only a YAML comment', '# nothing here\n', 'holds no JSON or YAML document'],
    [
      'kubectl table output',
      'NAME     STATUS   ROLES    AGE   VERSION\nnode-1   Ready    <none>   3d    v1.28.14\n',
      'looks like the table printed by `kubectl get nodes`',
    ],
    ['plain text', 'hello there', 'plain text'],
    ['a bare array', '[{"kind":"Node"}]', 'bare list'],
    ['a number', '42', 'plain text'],
    ['null', 'null', 'the input is null'],
    ['no items field', '{"apiVersion":"v1","kind":"List","metadata":{}}', 'no "items" field'],
    ['an object without kind or items', '{"metadata":{"name":"x"}}', 'no "items" field'],
    ['items not a list', '{"kind":"List","items":{"a":1}}', '"items" is not a list'],
    ['a pod list', '{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"p"}}]}', 'items[0] is a Pod, not a Node'],
    ['a non-object item', '{"kind":"NodeList","items":["node-1"]}', 'items[0] is not an object'],
    ['another kind', '{"kind":"Deployment","metadata":{"name":"d"}}', 'the input is a Deployment, not a Node or a List of Nodes'],
  ])('%s', async (_label, stdin, problem) => {
    const result = await run([], { stdin });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^gateway-compat nodes: cannot use stdin: /);
    expect(result.stderr).toContain(problem);
    expect(result.stderr).toContain(HINT);
  });

  it('names the document that is wrong when several are given', async () => {
    const result = await run([], { stdin: 'kind: Node\nmetadata: {name: a}\n---\nkind: Service\n' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('document 2: the input is a Service');
  });

  it('reports an unreadable --file', async () => {
    const result = await run(['--file', 'missing.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot read missing.json: ENOENT: no such file or directory, open 'missing.json'");
    expect(result.stderr).toContain(HINT);
    expect(result.stdinReads).toBe(0);
  });

  it('reports a failing stdin', async () => {
    const result = await run([], { stdinError: new Error('EIO: i/o error, read') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read stdin: EIO: i/o error, read');
  });

  it('does not wait on a terminal: prints usage and exits 2 without reading stdin', async () => {
    const result = await run([], { stdinIsTTY: true, stdin: nodeList([{ name: 'a', kernel: '3.10.0' }]) });
    expect(result.code).toBe(2);
    expect(result.stdinReads).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('stdin is a terminal and --file was not given');
    expect(result.stderr).toContain(HINT);
    expect(result.stderr).toContain('Usage: ');
  });
});

describe('gateway-compat nodes options', () => {
  it('--help prints usage with an example on stdout and exits 0 without reading input', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await run([flag], { stdinIsTTY: true });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: kubectl get nodes -o json \| gateway-compat nodes/);
      expect(result.stdout).toContain('Examples:\n  kubectl get nodes -o json | gateway-compat nodes\n');
      expect(result.stdout).toContain('does not change the exit code');
      expect(result.stderr).toBe('');
      expect(result.stdinReads).toBe(0);
    }
  });

  it.each([
    [['--wide'], 'unknown option --wide'],
    [['-o', 'json'], 'unknown option -o'],
    [['nodes.json'], 'unexpected argument nodes.json; pass a file with --file nodes.json'],
    [['--file'], '--file needs a path'],
    [['--file='], '--file needs a path'],
    [['-f', 'a.json', '--file', 'b.json'], '--file given more than once'],
    [['--pods'], '--pods needs a path'],
    [['--pods', 'a.json', '--pods', 'b.json'], '--pods given more than once'],
  ])('%j exits 2 with usage', async (args, problem) => {
    const result = await run(args, { stdin: nodeList([{ name: 'a', kernel: '5.4.0' }]) });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`gateway-compat nodes: ${problem}\n`);
    expect(result.stderr).toContain('Usage: ');
    expect(result.stdinReads).toBe(0);
  });
});

// A recorded sample of a cluster mixing kernels (3.10 to 6.8), runtimes (containerd 1.6/1.7/2.x,
// k3s's containerd, Docker, CRI-O) and kubelets (1.21 to 1.35), with the gateway pods of
// `kubectl get pods -A -o json` on them: Helm gateways, a Gateway API gateway, a hostNetwork one,
// an unscheduled one, and two pods that are not gateways (CoreDNS, a sidecar-injected app).
describe('gateway-compat nodes on a cluster of mixed runtimes and kubelets', () => {
  const mixed = (): Promise<string> => readFixture('mixed-runtimes.json');
  const pods = async (): Promise<Record<string, string>> => ({ 'pods.json': await readFixture('mixed-runtimes-pods.json') });

  it('prints the golden table, the node settings, the gateway pods by node, and exits 1', async () => {
    const result = await run(['--pods', 'pods.json'], { stdin: await mixed(), files: await pods() });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(await readFixture('expected-mixed-runtimes.txt'));
  });

  it('a kubelet older than 1.22 needs the fix on a new kernel; Windows gets no Linux advice', async () => {
    const report = JSON.parse((await run(['--json'], { stdin: await mixed() })).stdout);
    const byName = new Map<string, Record<string, unknown>>(report.nodes.map((node: Record<string, unknown>) => [node.name, node]));
    expect(byName.get('rhel8-old-kubelet')).toMatchObject({
      needsFix: true,
      reason: expect.stringContaining('kubelet v1.21.14 is older than 1.22 and rejects pods that set net.ipv4.ip_unprivileged_port_start'),
    });
    expect(byName.get('win-1')).toMatchObject({ needsFix: false, notes: [] });
    expect(report.summary).toEqual({ total: 8, needFix: 3, unknown: 0, oldKubelet: 1 });
    const noteIds = (name: string) => (byName.get(name)!['notes'] as Array<{ id: string }>).map((note) => note.id);
    expect(noteIds('c7-containerd2')).toEqual(['containerd-refuses-old-kernel', 'kubelet-cgroup-v1']);
    expect(noteIds('c7-containerd17')).toEqual(['kubelet-cgroup-v1-on-upgrade']);
    expect(noteIds('cp-1')).toEqual(['containerd-sets-sysctl']);
    expect(noteIds('k3s-agent')).toEqual(['containerd-sets-sysctl']);
    expect(noteIds('crio-worker')).toEqual([]);
    expect(noteIds('docker-worker')).toEqual(['kubelet-cgroup-v1-on-upgrade']);
    expect(report).not.toHaveProperty('otherGatewayPods');
  });

  it('--pods in --json puts each gateway pod under its node and the unscheduled one apart', async () => {
    const report = JSON.parse((await run(['--json', '--pods', 'pods.json'], { stdin: await mixed(), files: await pods() })).stdout);
    const podsOn = (name: string) =>
      report.nodes
        .find((node: { name: string }) => node.name === name)
        .gatewayPods.map((pod: { name: string; phase: string; reason: string | null }) => [pod.name, pod.phase, pod.reason]);
    expect(podsOn('c7-containerd2')).toEqual([['istio-ingressgateway-7c9d8f6b5-q4kzt', 'Pending', 'ContainerCreating']]);
    expect(podsOn('rhel8-old-kubelet')).toEqual([['shop-gateway-istio-5d8f7b9c6-k2j4h', 'Failed', 'SysctlForbidden']]);
    expect(podsOn('crio-worker')).toEqual([]);
    expect(report.otherGatewayPods).toEqual([
      {
        namespace: 'istio-egress',
        name: 'istio-egressgateway-8d7c6b5f4-w3z6y',
        node: null,
        phase: 'Pending',
        reason: null,
        setsSysctl: true,
        hostNetwork: false,
      },
    ]);
    const all = report.nodes.flatMap((node: { gatewayPods: Array<{ name: string }> }) => node.gatewayPods.map((pod) => pod.name));
    expect(all).not.toContain('coredns-7db6d8ff4d-8x7lp');
    expect(all).not.toContain('cart-5c7b8d9f6-h4k8m');
  });

  it.each([
    ['a file that is missing', {}, /cannot read --pods pods\.json: ENOENT/],
    [
      'a node list given as pods',
      { 'pods.json': nodeList([{ name: 'a', kernel: '5.4.0' }]) },
      /cannot use --pods pods\.json: items\[0\] is a Node, not a Pod/,
    ],
    ['the table of kubectl get pods', { 'pods.json': 'NAMESPACE   NAME   READY\n' }, /looks like the table printed by `kubectl get pods`/],
  ])('--pods with %s exits 2 with nothing on stdout', async (_name, files, message) => {
    const result = await run(['--pods', 'pods.json'], { stdin: await mixed(), files: files as Record<string, string> });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('kubectl get pods -A -o json > pods.json');
  });

  it('reads containerd, CRI-O and kubelet version strings as the kubelet reports them', () => {
    expect(parseRuntime('containerd://2.0.5-k3s2')).toMatchObject({ name: 'containerd', version: { major: 2, minor: 0 } });
    expect(parseRuntime('cri-o://1.30.4')).toMatchObject({ name: 'cri-o', version: { major: 1, minor: 30 } });
    expect(parseRuntime('docker://20.10.7')).toMatchObject({ name: 'docker', version: { major: 20, minor: 10 } });
    expect(parseRuntime('containerd')).toBeUndefined();
    expect(parseKubeletVersion('v1.33.4+k3s1')).toMatchObject({ major: 1, minor: 33 });
    expect(parseKubeletVersion('v1.29.6-eks-1de2ab1')).toMatchObject({ major: 1, minor: 29 });
    expect(parseKubeletVersion('unknown')).toBeUndefined();
  });
});
