// The commands compared with gateway-compat, and an untimed check that each one's output is a sane
// stream (same documents in, same documents out, the gateway sysctl gone), so a fast number cannot come
// from doing less work.
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
export const KUBECTL = '/usr/bin/kubectl';
export const SYSCTL = 'net.ipv4.ip_unprivileged_port_start';

// The usual "kustomize as Helm post-renderer" recipe: the rendered stream becomes a resource, and a
// strategic-merge patch targets the gateway Deployments. They carry the `istio` label (gateway chart's
// selector label; app Deployments do not). `sysctls: null` deletes the list; unlike a JSON6902 `remove`
// it does not fail on a gateway Deployment that has no sysctl (the corpus files have those).
const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- all.yaml
patches:
- target:
    kind: Deployment
    labelSelector: istio
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: any-gateway
    spec:
      template:
        spec:
          securityContext:
            sysctls: null
`;

// Kustomization dirs still on disk; removed on exit too, in case a run is interrupted.
const dirs = new Set();
process.on('exit', () => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * Peers in table order. `prepare(input)` returns how to run the peer on that input: argv, the stdin file
 * and a cleanup (work done outside the timed region, such as writing the kustomization directory).
 * Which peers run on which input is the input's `peers` list (bench/run.mjs). `okCodes`: exit statuses
 * that are a success (`--check` exits 1 when a file would change, which it does here).
 */
export function peers({ cmd, helm }) {
  const onStdin = (argv) => (input) => ({ argv, stdin: input.file, cleanup() {} });
  const none = (argv) => ({ argv, stdin: '/dev/null', cleanup() {} });
  // Helm runs the post-renderer as an executable (found like a command: a relative path is made absolute)
  // with its own arguments.
  const postRenderer = [
    cmd[0].includes('/') ? path.resolve(BENCH, '..', cmd[0]) : cmd[0],
    ...cmd.slice(1).flatMap((a) => ['--post-renderer-args', a]),
  ];
  const helmTemplate = (input) => [helm, 'template', input.release, input.chart, '--namespace', input.namespace];
  return [
    { id: 'gc', label: 'gateway-compat', prepare: onStdin(cmd) },
    {
      id: 'check',
      label: 'gateway-compat --check FILE...',
      okCodes: [0, 1],
      prepare: (input) => none([...cmd, '--check', ...input.files]),
    },
    { id: 'node', label: 'node -e 0 (start-up floor)', prepare: () => none([process.execPath, '-e', '0']) },
    { id: 'helm', label: 'helm template', available: !!helm && existsSync(helm), prepare: (input) => none(helmTemplate(input)) },
    {
      id: 'helm-gc',
      label: 'helm template --post-renderer gateway-compat',
      available: !!helm && existsSync(helm),
      prepare: (input) => none([...helmTemplate(input), '--post-renderer', ...postRenderer]),
    },
    {
      id: 'kustomize',
      label: 'kubectl kustomize',
      available: existsSync(KUBECTL),
      prepare(input) {
        // Copying the stream in is what the recipe's `cat > all.yaml` does; cheap next to kustomize itself.
        const dir = mkdtempSync(path.join(tmpdir(), 'gc-kustomize-'));
        dirs.add(dir);
        copyFileSync(input.file, path.join(dir, 'all.yaml'));
        writeFileSync(path.join(dir, 'kustomization.yaml'), KUSTOMIZATION);
        return {
          argv: [KUBECTL, 'kustomize', dir],
          stdin: '/dev/null',
          cleanup: () => {
            rmSync(dir, { recursive: true, force: true });
            dirs.delete(dir);
          },
        };
      },
    },
    { id: 'yaml', label: 'yaml round trip', prepare: onStdin([process.execPath, path.join(BENCH, 'yaml-roundtrip.mjs')]) },
    { id: 'cat', label: 'cat (I/O floor)', prepare: onStdin(['cat']) },
  ];
}

const idOf = (o) => `${o?.kind}/${o?.metadata?.namespace ?? ''}/${o?.metadata?.name}`;
const podSysctls = (o) => o?.spec?.template?.spec?.securityContext?.sysctls ?? [];

/**
 * Compares an output stream with its input. Returns a list of problems (empty when sane):
 * parse errors, documents lost, the gateway sysctl still set on a workload, other sysctls dropped.
 * Documents added (gateway-compat's options ConfigMaps) are fine.
 */
export function checkStream(inputText, outputText) {
  const parse = (text) => {
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [];
    const bad = list.find((d) => d.errors.length);
    if (bad) throw new Error(`output does not parse: ${bad.errors[0].message.split('\n')[0]}`);
    return new Map(
      list
        .map((d) => d.toJS())
        .filter(Boolean)
        .map((o) => [idOf(o), o]),
    );
  };
  let before, after;
  try {
    before = parse(inputText);
    after = parse(outputText);
  } catch (e) {
    return [e.message];
  }
  const problems = [];
  const lost = [...before.keys()].filter((id) => !after.has(id));
  if (lost.length) problems.push(`${lost.length} documents missing (e.g. ${lost[0]})`);
  let kept = 0;
  let dropped = 0;
  for (const [id, o] of after) {
    const names = podSysctls(o).map((s) => s.name);
    if (names.includes(SYSCTL)) kept++;
    const had = podSysctls(before.get(id))
      .map((s) => s.name)
      .filter((n) => n !== SYSCTL);
    if (had.some((n) => !names.includes(n))) dropped++;
  }
  if (kept) problems.push(`${SYSCTL} still set on ${kept} workloads`);
  if (dropped) problems.push(`other sysctls dropped from ${dropped} workloads`);
  return problems;
}
