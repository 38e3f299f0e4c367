#!/usr/bin/env node
// `npm run bench`: gateway-compat against `node -e 0`, kubectl kustomize, a yaml round trip and cat, on
// generated streams of both generator modes (an umbrella chart; many small flow-style documents), the
// real istiod and gateway chart renders, `helm template` with and without gateway-compat as its
// post-renderer, `--check` over 1,000 files against the same bytes as one stream, and the largest real
// corpus files. Prints a Markdown table and the targets, and writes bench/results.md.
//
//   node bench/run.mjs [--sizes 1MB,3MB,10MB,100MB] [--flow-sizes 1MB,10MB,100MB] [--json-sizes 7.5MB] [--check-files 1000]
//                      [--reps 5] [--cmd "bin/gateway-compat.mjs"] [--kustomize-timeout 120] [--seed 1]
//                      [--no-corpus] [--no-renders] [--out bench/results.md] [--quick]
//
// Targets are reported, not asserted: the exit status is 0 unless a command fails, produces no output
// for a non-empty input, or the kustomize recipe stops doing the edit it is compared on.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { ensureFiles, ensureStream, parseSize, OUT_DIR } from './generate.mjs';
import { capture, hasGnuTime, measure } from './measure.mjs';
import { checkStream, KUBECTL, peers as allPeers } from './peers.mjs';
import { machine, markdown, median, secs, size, summarize, table, targetLines, targets } from './report.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
// The shared corpus beside the clone (as in CI and the tests), read in place.
const CORPUS = path.resolve(ROOT, '../shared/corpus');
const CORPUS_FILES = [
  'third-party-rendered/net-istio/istio-kind-no-mesh/istio.yaml',
  'istio/rendered-istioctl/1.27.0/all_on.golden-show-in-gh-pull-request.yaml',
];
const CHARTS = path.join(CORPUS, 'istio/helm-charts');
// The charts users install, rendered with their default values as `helm install` would.
const RENDERS = [
  { id: 'istiod', release: 'istiod', namespace: 'istio-system' },
  { id: 'gateway', release: 'istio-ingressgateway', namespace: 'istio-ingress' },
];
const HELM = path.join(ROOT, '.tools/bin/helm3'); // node scripts/install-tools.mjs
// Run the one-file CLI itself, as Helm, kpt and pre-commit do.
const DEFAULT_CMD = 'bin/gateway-compat.mjs';

const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1MB,3MB,10MB,100MB' },
    'flow-sizes': { type: 'string', default: '1MB,10MB,100MB' },
    'json-sizes': { type: 'string', default: '7.5MB' },
    'check-files': { type: 'string', default: '1000' },
    reps: { type: 'string', default: '5' },
    cmd: { type: 'string', default: DEFAULT_CMD },
    'kustomize-timeout': { type: 'string', default: '120' },
    seed: { type: 'string', default: '1' },
    'no-corpus': { type: 'boolean', default: false },
    'no-renders': { type: 'boolean', default: false },
    out: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
// --quick (CI): tiny inputs, one repetition, no corpus files, results kept out of the tree.
if (opt.quick) {
  Object.assign(opt, {
    sizes: opt.sizes === '1MB,3MB,10MB,100MB' ? '256KB' : opt.sizes,
    'flow-sizes': opt['flow-sizes'] === '1MB,10MB,100MB' ? '256KB' : opt['flow-sizes'],
    'json-sizes': opt['json-sizes'] === '7.5MB' ? '256KB' : opt['json-sizes'],
    'check-files': opt['check-files'] === '1000' ? '100' : opt['check-files'],
    reps: '1',
    'no-corpus': true,
  });
}
const reps = Number(opt.reps);
const timeoutMs = Number(opt['kustomize-timeout']) * 1000;
const seed = Number(opt.seed);
const checkFiles = Number(opt['check-files']);
const outFile = path.resolve(opt.out ?? (opt.quick ? path.join(OUT_DIR, 'results-quick.md') : path.join(BENCH, 'results.md')));
// Same node binary for gateway-compat, the yaml round trip and the `node -e 0` baseline.
const cmd = opt.cmd
  .trim()
  .split(/\s+/)
  .map((a, i) => (i === 0 && a === 'node' ? process.execPath : a));
const peers = allPeers({ cmd, helm: HELM });
if (opt.cmd !== DEFAULT_CMD) peers.find((p) => p.id === 'gc').label = `gateway-compat (stand-in: ${opt.cmd})`;
const peerOf = (id) => peers.find((p) => p.id === id);
// kustomize is superlinear in documents; above these sizes it is reported as not run.
const KUSTOMIZE_MAX = { helm: parseSize('10MB'), flow: parseSize('1MB'), corpus: Infinity };
let failed = false;
const loadAtStart = os.loadavg()[0]; // other work on the machine skews timings; the report says how much

function fail(message) {
  failed = true;
  console.error(`FAIL: ${message}`);
}

const sizesOf = (list) =>
  list
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
const latestChartVersion = () => {
  const versions = existsSync(CHARTS) ? readdirSync(CHARTS).filter((v) => /^\d+\.\d+\.\d+$/.test(v)) : [];
  const key = (v) => v.split('.').map(Number);
  return versions
    .sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    })
    .pop();
};

/** Renders a chart of the corpus once (untimed) into bench/out/, for the post-render rows. */
function ensureRender(version, render) {
  const file = path.join(OUT_DIR, `render-${render.id}-${version}.yaml`);
  if (!existsSync(file)) {
    const r = capture(peerOf('helm').prepare({ ...render, chart: path.join(CHARTS, version, render.id) }).argv);
    if (r.code !== 0 || !r.stdout) throw new Error(`helm template ${render.id} ${version} failed: ${r.stderr.trim()}`);
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(`${file}.tmp`, r.stdout);
    renameSync(`${file}.tmp`, file);
  }
  return file;
}

// ---- inputs: each names the peers that run on it; `id` is what the targets look up ---------------------
const STREAM_PEERS = ['gc', 'kustomize', 'yaml', 'cat'];
const inputs = [];
// One `kubectl get -o json` List (a single JSON document): gateway-compat and the I/O floor only (the yaml
// round trip takes tens of seconds on it, kustomize is no JSON List reader).
const JSON_PEERS = ['gc', 'cat'];
const addStream = (mode, label) => {
  const { file, documents } = ensureStream(parseSize(label), seed, label, mode);
  const bytes = statSync(file).size;
  inputs.push({
    id: `${mode}:${label}`,
    kind: mode,
    label: mode === 'helm' ? label : `${mode} ${label}`,
    file,
    bytes,
    documents,
    peers: mode === 'json' ? JSON_PEERS : STREAM_PEERS,
  });
};
for (const label of sizesOf(opt.sizes)) addStream('helm', label);
for (const label of sizesOf(opt['flow-sizes'])) addStream('flow', label);
for (const label of sizesOf(opt['json-sizes'])) addStream('json', label);
if (!opt['no-renders']) {
  const version = latestChartVersion();
  if (!version) fail(`no Istio charts under ${CHARTS} (the shared corpus belongs beside the repository)`);
  else if (!peerOf('helm').available) fail(`no Helm at ${HELM}: run "node scripts/install-tools.mjs"`);
  else {
    for (const render of RENDERS) {
      const file = ensureRender(version, render);
      const documents = readFileSync(file, 'utf8').match(/^---$/gm)?.length;
      inputs.push({
        id: `render:${render.id}`,
        kind: 'render',
        label: `${render.id} chart render (${version})`,
        file,
        bytes: statSync(file).size,
        documents,
        peers: ['node', 'gc', 'yaml', 'cat'],
        small: true,
      });
      inputs.push({
        id: `helm:${render.id}`,
        kind: 'helm-template',
        label: `helm template ${render.id} (${version})`,
        ...render,
        chart: path.join(CHARTS, version, render.id),
        file: '/dev/null',
        bytes: statSync(file).size,
        peers: ['helm', 'helm-gc'],
        small: true,
      });
    }
  }
}
if (checkFiles > 0) {
  // Small flow-style files, as in a monorepo of per-service manifests.
  const label = opt.quick ? '256KB' : '1MB';
  const { file, documents } = ensureStream(parseSize(label), seed, label, 'flow');
  inputs.push({
    id: 'check',
    kind: 'check',
    label: `${checkFiles} files (flow ${label} split)`,
    file,
    files: ensureFiles(file, checkFiles),
    bytes: statSync(file).size,
    documents,
    peers: ['gc', 'check'],
  });
}
if (!opt['no-corpus']) {
  for (const rel of CORPUS_FILES) {
    const file = path.join(CORPUS, rel);
    if (existsSync(file))
      inputs.push({
        id: `corpus:${rel}`,
        kind: 'corpus',
        label: `corpus: ${path.basename(file)}`,
        file,
        bytes: statSync(file).size,
        peers: STREAM_PEERS,
      });
  }
}
if (!existsSync(path.resolve(ROOT, cmd[1] ?? cmd[0])) && opt.cmd === DEFAULT_CMD) {
  console.error(`note: ${cmd[1]} does not exist yet; try --cmd cat to exercise the harness with a stand-in.`);
}

// ---- untimed check, once: do gateway-compat and the kustomize recipe really edit the stream? ----------
// On small streams of both modes (both have gateway Deployments, see generate.mjs): well under a second.
const notes = [];
for (const mode of ['helm', 'flow']) {
  const first = { label: `${mode} 256KB`, ...ensureStream(parseSize('256KB'), seed, '256KB', mode) };
  const inputText = readFileSync(first.file, 'utf8');
  for (const peer of peers.filter((p) => p.id === 'gc' || (p.id === 'kustomize' && p.available))) {
    const run = peer.prepare(first);
    const r = capture(run.argv, { stdin: run.stdin, cwd: ROOT });
    run.cleanup();
    const problems = r.code === 0 ? checkStream(inputText, r.stdout) : [`exit ${r.code}: ${r.stderr.trim().split('\n').pop()}`];
    if (!problems.length) continue;
    const msg = `${peer.label} output check on ${first.label}: ${problems.join('; ')}`;
    // A broken recipe would make the comparison dishonest; a stand-in for gateway-compat is expected to fail it.
    if (peer.id === 'kustomize') fail(msg);
    else notes.push(`${msg}${opt.cmd === DEFAULT_CMD ? '' : ' (expected with a stand-in command)'}`);
  }
}

// ---- start-up: empty input through gateway-compat versus `node -e 0` ----------------------------------
const startupReps = opt.quick ? 3 : Math.max(10, 2 * reps);
const start = { gc: [], node: [] };
for (let i = 0; i < startupReps; i++) {
  for (const [key, argv] of [
    ['gc', cmd],
    ['node', [process.execPath, '-e', '0']],
  ]) {
    const r = await measure(argv, { cwd: ROOT });
    if (r.code !== 0) fail(`${argv.join(' ')} on empty input exited ${r.code ?? r.signal}: ${r.stderr.trim()}`);
    else start[key].push(r.ms);
  }
}
const startup = start.gc.length && start.node.length ? { gc: { median: median(start.gc) }, node: { median: median(start.node) } } : null;

// ---- main loop: per input, repetitions; within a repetition every peer runs once (alternating) -------
const rows = [];
for (const input of inputs) {
  // 100 MB runs are long; runs of small inputs are dominated by start-up noise, so they get more.
  const n = input.bytes > parseSize('32MB') ? Math.min(reps, 2) : input.small && !opt.quick ? Math.max(reps, 11) : reps;
  const inputPeers = input.peers.map(peerOf);
  if (input.file !== '/dev/null') await measure(['cat'], { stdin: input.file }); // warm the page cache
  for (const file of input.files ?? []) await measure(['cat'], { stdin: file });
  const cells = inputPeers.map((p) => ({
    peer: p.id,
    runs: [],
    status:
      p.available === false
        ? `n/a (no ${p.id === 'kustomize' ? 'kubectl' : 'helm'})`
        : p.id === 'kustomize' && input.bytes > KUSTOMIZE_MAX[input.kind] * 1.05
          ? 'not run'
          : undefined,
  }));
  console.error(`${input.label} (${size(input.bytes)}): ${n} repetition(s)`);
  for (let rep = 0; rep < n; rep++) {
    // Rotate the starting peer so no command always runs first (cache, CPU frequency effects).
    for (let k = 0; k < inputPeers.length; k++) {
      const i = (k + rep) % inputPeers.length;
      const cell = cells[i];
      const peer = inputPeers[i];
      if (cell.status) continue;
      const run = peer.prepare(input);
      const r = await measure(run.argv, { stdin: run.stdin, cwd: ROOT, timeoutMs: peer.id === 'kustomize' ? timeoutMs : 0 });
      run.cleanup();
      cell.runs.push(r);
      if (r.timedOut)
        cell.status = 'timeout'; // never wait for it again on this input
      else if (!(peer.okCodes ?? [0]).includes(r.code) || r.signal) {
        cell.status = 'failed';
        fail(`${peer.label} on ${input.label} exited ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      } else if (r.outBytes === 0 && input.bytes > 0 && peer.id !== 'node') {
        cell.status = 'failed';
        fail(`${peer.label} on ${input.label} wrote nothing`);
      }
    }
  }
  rows.push({ input, cells: cells.map(summarize) });
}

// ---- report ------------------------------------------------------------------------------------------
const info = machine(loadAtStart);
const kubectlVersion = existsSync(KUBECTL) ? capture([KUBECTL, 'version', '--client']).stdout.match(/Kustomize Version: (\S+)/)?.[1] : null;
const tools = `kustomize ${kubectlVersion ?? 'n/a'} (kubectl); peak RSS ${hasGnuTime ? 'from GNU time' : 'n/a (no GNU time)'}`;
const tbl = table(rows, peers, timeoutMs);
const tlist = targets(rows, startup, timeoutMs);
const command = `node bench/run.mjs ${process.argv
  .slice(2)
  .map((a) => (/\s/.test(a) ? JSON.stringify(a) : a))
  .join(' ')}`.trim();
writeFileSync(
  outFile,
  markdown({
    info,
    seed,
    command,
    cmd: opt.cmd.trim().split(/\s+/),
    standIn: opt.cmd !== DEFAULT_CMD,
    table: tbl,
    targets: tlist,
    startup,
    notes,
    tools,
  }),
);
const startupLine = startup ? `gateway-compat ${secs(startup.gc.median)}, node -e 0 ${secs(startup.node.median)}` : 'n/a';
console.log(`${tbl}\n\nStart-up (empty input): ${startupLine}\n\n${targetLines(tlist)}`);
for (const n of notes) console.log(`note: ${n}`);
console.log(`\nwritten: ${path.relative(process.cwd(), outFile)}`);
process.exitCode = failed ? 1 : 0;
