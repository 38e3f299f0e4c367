#!/usr/bin/env node
// `npm run bench`: gateway-compat against kubectl kustomize, a yaml round trip and cat, on generated
// Helm streams and the largest real corpus files. Prints a Markdown table and writes bench/results.md.
//
//   node bench/run.mjs [--sizes 1MB,3MB,10MB,100MB] [--reps 5] [--cmd "bin/post-render"]
//                      [--kustomize-timeout 120] [--seed 1] [--no-corpus] [--out bench/results.md] [--quick]
//
// Targets are reported, not asserted: the exit status is 0 unless a command fails, produces no output
// for a non-empty input, or the kustomize recipe stops doing the edit it is compared on.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { ensureStream, parseSize, OUT_DIR } from './generate.mjs';
import { capture, hasGnuTime, measure } from './measure.mjs';
import { checkStream, KUBECTL, peers as allPeers } from './peers.mjs';
import { machine, markdown, median, secs, size, summarize, table, targetLines, targets } from './report.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const CORPUS = '/work/shared/corpus';
const CORPUS_FILES = [
  'third-party-rendered/net-istio/istio-kind-no-mesh/istio.yaml',
  'istio/rendered-istioctl/1.27.0/all_on.golden-show-in-gh-pull-request.yaml',
];
// Run the launcher itself, as Helm, kpt and pre-commit do (its shebang sets Node's memory flags).
const DEFAULT_CMD = 'bin/post-render';

const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1MB,3MB,10MB,100MB' },
    reps: { type: 'string', default: '5' },
    cmd: { type: 'string', default: DEFAULT_CMD },
    'kustomize-timeout': { type: 'string', default: '120' },
    seed: { type: 'string', default: '1' },
    'no-corpus': { type: 'boolean', default: false },
    out: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
// --quick (CI): one tiny input, one repetition, no corpus, results kept out of the tree.
if (opt.quick) Object.assign(opt, { sizes: opt.sizes === '1MB,3MB,10MB,100MB' ? '256KB' : opt.sizes, reps: '1', 'no-corpus': true });
const reps = Number(opt.reps);
const timeoutMs = Number(opt['kustomize-timeout']) * 1000;
const seed = Number(opt.seed);
const outFile = path.resolve(opt.out ?? (opt.quick ? path.join(OUT_DIR, 'results-quick.md') : path.join(BENCH, 'results.md')));
// Same node binary for gateway-compat, the yaml round trip and the `node -e 0` baseline.
const cmd = opt.cmd.trim().split(/\s+/).map((a, i) => (i === 0 && a === 'node' ? process.execPath : a));
const peers = allPeers({ cmd });
if (opt.cmd !== DEFAULT_CMD) peers[0].label = `gateway-compat (stand-in: ${opt.cmd})`;
const KUSTOMIZE_MAX = parseSize('10MB'); // kustomize is superlinear; above this it is reported as not run
let failed = false;
const loadAtStart = os.loadavg()[0]; // other work on the machine skews timings; the report says how much

function fail(message) {
  failed = true;
  console.error(`FAIL: ${message}`);
}

// ---- inputs -----------------------------------------------------------------------------------------
const inputs = [];
for (const label of opt.sizes.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean)) {
  const { file, documents } = ensureStream(parseSize(label), seed, label);
  inputs.push({ label, file, bytes: statSync(file).size, documents });
}
if (!opt['no-corpus']) {
  for (const rel of CORPUS_FILES) {
    const file = path.join(CORPUS, rel);
    if (existsSync(file)) inputs.push({ label: `corpus: ${path.basename(file)}`, file, bytes: statSync(file).size });
  }
}
if (!existsSync(path.resolve(ROOT, cmd[1] ?? cmd[0])) && opt.cmd === DEFAULT_CMD) {
  console.error(`note: ${cmd[1]} does not exist yet; try --cmd cat to exercise the harness with a stand-in.`);
}

// ---- untimed check, once: do gateway-compat and the kustomize recipe really edit the stream? ----------
// On a small stream (it has gateway Deployments, see generate.mjs) so the check costs well under a second.
const notes = [];
{
  const first = { label: '256KB', ...ensureStream(parseSize('256KB'), seed, '256KB') };
  const inputText = readFileSync(first.file, 'utf8');
  for (const peer of peers.filter((p) => p.id === 'gc' || (p.id === 'kustomize' && p.available))) {
    const run = peer.prepare(first.file);
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
  for (const [key, argv] of [['gc', cmd], ['node', [process.execPath, '-e', '0']]]) {
    const r = await measure(argv, { cwd: ROOT });
    if (r.code !== 0) fail(`${argv.join(' ')} on empty input exited ${r.code ?? r.signal}: ${r.stderr.trim()}`);
    else start[key].push(r.ms);
  }
}
const startup = start.gc.length && start.node.length ? { gc: { median: median(start.gc) }, node: { median: median(start.node) } } : null;

// ---- main loop: per input, repetitions; within a repetition every peer runs once (alternating) -------
const rows = [];
for (const input of inputs) {
  const n = input.bytes > parseSize('32MB') ? Math.min(reps, 2) : reps; // 100 MB runs are long
  await measure(['cat'], { stdin: input.file }); // warm the page cache: no command is charged for the disk
  const cells = peers.map((p) => ({ peer: p.id, runs: [],
    status: p.id === 'kustomize' && !p.available ? 'n/a (no kubectl)'
      : p.id === 'kustomize' && input.bytes > KUSTOMIZE_MAX * 1.05 ? 'not run' : undefined }));
  console.error(`${input.label} (${size(input.bytes)}): ${n} repetition(s)`);
  for (let rep = 0; rep < n; rep++) {
    // Rotate the starting peer so no command always runs first (cache, CPU frequency effects).
    for (let k = 0; k < peers.length; k++) {
      const i = (k + rep) % peers.length;
      const cell = cells[i];
      if (cell.status) continue;
      const run = peers[i].prepare(input.file);
      const r = await measure(run.argv, { stdin: run.stdin, cwd: ROOT, timeoutMs: peers[i].id === 'kustomize' ? timeoutMs : 0 });
      run.cleanup();
      cell.runs.push(r);
      if (r.timedOut) cell.status = 'timeout'; // never wait for it again on this input
      else if (r.code !== 0 || r.signal) {
        cell.status = 'failed';
        fail(`${peers[i].label} on ${input.label} exited ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      } else if (r.outBytes === 0 && input.bytes > 0) {
        cell.status = 'failed';
        fail(`${peers[i].label} on ${input.label} wrote nothing`);
      }
    }
  }
  rows.push({ input, cells: cells.map(summarize) });
}

// ---- report ------------------------------------------------------------------------------------------
const info = machine(loadAtStart);
const kubectlVersion = existsSync(KUBECTL)
  ? capture([KUBECTL, 'version', '--client']).stdout.match(/Kustomize Version: (\S+)/)?.[1] : null;
const tools = `kustomize ${kubectlVersion ?? 'n/a'} (kubectl); peak RSS ${hasGnuTime ? 'from GNU time' : 'n/a (no GNU time)'}`;
const tbl = table(rows, peers, timeoutMs);
const tlist = targets(rows, startup, timeoutMs);
const command = `node bench/run.mjs ${process.argv.slice(2).map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`.trim();
writeFileSync(outFile, markdown({ info, seed, command, cmd: opt.cmd.trim().split(/\s+/), standIn: opt.cmd !== DEFAULT_CMD,
  table: tbl, targets: tlist, startup, notes, tools }));
const startupLine = startup ? `gateway-compat ${secs(startup.gc.median)}, node -e 0 ${secs(startup.node.median)}` : 'n/a';
console.log(`${tbl}\n\nStart-up (empty input): ${startupLine}\n\n${targetLines(tlist)}`);
for (const n of notes) console.log(`note: ${n}`);
console.log(`\nwritten: ${path.relative(process.cwd(), outFile)}`);
process.exitCode = failed ? 1 : 0;
