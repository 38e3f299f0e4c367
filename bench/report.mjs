// Turns measurements into the Markdown table, the target verdicts and bench/results.md.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

const MB = 2 ** 20;

/** Machine facts for the report; `load` is the 1-minute load average when the run started (noise hint). */
export function machine(load) {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch { /* not Linux */ }
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout?.trim();
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit: git || 'unknown',
    load: load.toFixed(2),
  };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const secs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const mem = (kb) => (kb == null ? 'n/a' : `${(kb / 1024).toFixed(0)} MB`);
export const size = (bytes) => (bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${(bytes / 1024).toFixed(0)} KB`);

/**
 * Summary of one (input, peer) cell. `runs` are measure() results; `status` is 'not run', 'timeout',
 * 'failed' or undefined (ok).
 */
export function summarize(cell) {
  const ok = cell.runs.filter((r) => !r.timedOut);
  if (!ok.length || cell.status) return { ...cell, median: null };
  const ms = ok.map((r) => r.ms);
  const rss = ok.map((r) => r.rssKB).filter((x) => x != null);
  return { ...cell, median: median(ms), min: Math.min(...ms), max: Math.max(...ms), rssKB: rss.length ? Math.max(...rss) : null,
    outBytes: ok[0].outBytes };
}

function timeCell(s, timeoutMs) {
  if (s.status === 'timeout') return `> ${timeoutMs / 1000} s (timeout)`;
  if (s.status) return s.status;
  return s.runs.length > 1 ? `${secs(s.median)} (${secs(s.min)}–${secs(s.max)})` : secs(s.median);
}

/** rows: [{ input: {label, bytes, documents}, cells: [summary per peer] }] */
export function table(rows, peers, timeoutMs) {
  const lines = [
    '| Input | Command | Median (min–max) | vs gateway-compat | Peak RSS | Output |',
    '|---|---|---|---|---|---|',
  ];
  for (const { input, cells } of rows) {
    const gc = cells.find((c) => c.peer === 'gc');
    cells.forEach((c, i) => {
      const label = i === 0 ? `${input.label} (${size(input.bytes)}${input.documents ? `, ${input.documents} docs` : ''})` : '';
      const ratio = c.peer === 'gc' || c.median == null || !gc?.median ? '' : `${(c.median / gc.median).toFixed(1)}×`;
      const out = c.median == null ? '' : size(c.outBytes);
      lines.push(`| ${label} | ${peers.find((p) => p.id === c.peer).label} | ${timeCell(c, timeoutMs)} | ${ratio} | ${c.median == null ? '' : mem(c.rssKB)} | ${out} |`);
    });
  }
  return lines.join('\n');
}

/** The four targets, each { name, met: true|false|null (not measured), detail }. */
export function targets(rows, startup, timeoutMs) {
  const cell = (label, peer) => rows.find((r) => r.input.label === label)?.cells.find((c) => c.peer === peer);
  const ratio = (label, peer) => {
    const gc = cell(label, 'gc');
    const other = cell(label, peer);
    if (!gc?.median) return null;
    // A peer that timed out is at least timeout / gc faster: a lower bound, still a valid verdict.
    if (other?.status === 'timeout') return { x: timeoutMs / gc.median, bound: true };
    return other?.median ? { x: other.median / gc.median } : null;
  };
  // A lower bound below the goal says nothing either way.
  const verdict = (r, goal) => (!r ? null : r.x >= goal ? true : r.bound ? null : false);
  const show = (r) => (r ? `${r.bound ? '≥ ' : ''}${r.x.toFixed(1)}×` : 'not measured');
  const result = [];

  const k = ratio('1MB', 'kustomize');
  result.push({ name: 'at 1 MB, gateway-compat ≥ 30× faster than kubectl kustomize', met: verdict(k, 30), detail: show(k) });

  const y = ratio('10MB', 'yaml');
  result.push({ name: 'at 10 MB, gateway-compat ≥ 10× faster than the yaml round trip', met: verdict(y, 10), detail: show(y) });

  const g10 = cell('10MB', 'gc');
  const g100 = cell('100MB', 'gc');
  const lin = g10?.median && g100?.median ? g100.median / g10.median : null;
  result.push({ name: 'linear: 100 MB time ≤ 12× the 10 MB time', met: lin ? lin <= 12 : null,
    detail: lin ? `${lin.toFixed(1)}× (${secs(g100.median)} / ${secs(g10.median)})` : 'not measured' });

  // Memory budget at every input gateway-compat ran on: 3× input + 100 MB.
  const mems = rows.map((r) => ({ r, c: r.cells.find((c) => c.peer === 'gc') })).filter(({ c }) => c?.rssKB != null);
  const worst = mems.map(({ r, c }) => ({ label: r.input.label, use: c.rssKB * 1024, budget: 3 * r.input.bytes + 100 * MB }))
    .sort((a, b) => b.use / b.budget - a.use / a.budget)[0];
  result.push({ name: 'peak memory ≤ 3× input + 100 MB (every input)', met: worst ? worst.use <= worst.budget : null,
    detail: worst ? `worst: ${worst.label} ${size(worst.use)} of ${size(worst.budget)} allowed` : 'not measured (no GNU time)' });

  const s = startup && startup.gc.median / startup.node.median;
  result.push({ name: 'start-up with empty input ≤ 1.5× `node -e 0`', met: s ? s <= 1.5 : null,
    detail: s ? `${s.toFixed(2)}× (${secs(startup.gc.median)} vs ${secs(startup.node.median)})` : 'not measured' });

  return result;
}

export function targetLines(list) {
  return list.map((t) => (t.met == null ? `- not measured: ${t.name}`
    : `- ${t.met ? '✅ met' : '❌ not met'}: ${t.name} — ${t.detail}`)).join('\n');
}

export function markdown({ info, seed, command, cmd, standIn, table: tbl, targets: tlist, startup, notes, tools }) {
  return `# gateway-compat benchmark

${standIn ? `> **The gateway-compat command was \`${cmd.join(' ')}\`, a stand-in: these are not gateway-compat's numbers.**\n\n` : ''}\
- Machine: ${info.cpu}, ${info.cores} cores, ${info.memory} RAM
- Node: ${info.node}; ${tools}
- Load average (1 min) when the run started: ${info.load} on ${info.cores} cores
- Date: ${info.date}; commit ${info.commit}
- gateway-compat command: \`${cmd.join(' ')}\`
- Reproduce: \`${command}\`

Inputs: generated Helm umbrella-chart streams (\`bench/generate.mjs\`, seed ${seed}; 1 MB = 2^20 bytes) and the
largest real files of the corpus. Each command reads the input file on stdin and writes to a pipe the harness
drains; commands alternate within each repetition. Ratios are the peer's median over gateway-compat's.
kubectl kustomize applies a strategic-merge patch (\`sysctls: null\`) to Deployments labelled \`istio\`;
it does not edit injection templates or add options ConfigMaps, so gateway-compat does more work per input.

${tbl}

Start-up, empty input: gateway-compat ${startup ? secs(startup.gc.median) : 'n/a'}, \`node -e 0\` ${startup ? secs(startup.node.median) : 'n/a'}.

## Targets

${targetLines(tlist)}
${notes.length ? `\n## Notes\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}
`;
}
