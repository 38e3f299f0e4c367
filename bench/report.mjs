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
  } catch {
    /* not Linux */
  }
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

export const secs = (ms) =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
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
  return {
    ...cell,
    median: median(ms),
    min: Math.min(...ms),
    max: Math.max(...ms),
    rssKB: rss.length ? Math.max(...rss) : null,
    outBytes: ok[0].outBytes,
  };
}

function timeCell(s, timeoutMs) {
  if (s.status === 'timeout') return `> ${timeoutMs / 1000} s (timeout)`;
  if (s.status) return s.status;
  return s.runs.length > 1 ? `${secs(s.median)} (${secs(s.min)}–${secs(s.max)})` : secs(s.median);
}

/** rows: [{ input: {label, bytes, documents}, cells: [summary per peer] }]; ratios are to the row's first command. */
export function table(rows, peers, timeoutMs) {
  const lines = ['| Input | Command | Median (min–max) | vs first | Peak RSS | Output |', '|---|---|---|---|---|---|'];
  for (const { input, cells } of rows) {
    const first = cells[0];
    cells.forEach((c, i) => {
      const label = i === 0 ? `${input.label} (${size(input.bytes)}${input.documents ? `, ${input.documents} docs` : ''})` : '';
      const ratio =
        i === 0 || c.median == null || !first?.median ? '' : `${(c.median / first.median).toFixed(c.median < first.median ? 2 : 1)}×`;
      const out = c.median == null ? '' : size(c.outBytes);
      lines.push(
        `| ${label} | ${peers.find((p) => p.id === c.peer).label} | ${timeCell(c, timeoutMs)} | ${ratio} | ${c.median == null ? '' : mem(c.rssKB)} | ${out} |`,
      );
    });
  }
  return lines.join('\n');
}

/** The targets of issue 16, each { name, met: true|false|null (not measured), detail }. */
export function targets(rows, startup, timeoutMs) {
  const cell = (id, peer) => rows.find((r) => r.input.id === id)?.cells.find((c) => c.peer === peer);
  // How many times slower `peer` is than `base` on one input (both measured in the same repetitions).
  const ratio = (id, peer, base = 'gc') => {
    const b = cell(id, base);
    const other = cell(id, peer);
    if (!b?.median) return null;
    // A peer that timed out is at least timeout / gc slower: a lower bound, still a valid verdict.
    if (other?.status === 'timeout') return { x: timeoutMs / b.median, bound: true, a: timeoutMs, b: b.median };
    return other?.median ? { x: other.median / b.median, a: other.median, b: b.median } : null;
  };
  // "at least `goal` times faster": a lower bound below the goal says nothing either way.
  const atLeast = (r, goal) => (!r ? null : r.x >= goal ? true : r.bound ? null : false);
  const atMost = (r, goal) => (!r ? null : r.x <= goal);
  const show = (r) => (r ? `${r.bound ? '≥ ' : ''}${r.x.toFixed(2)}× (${secs(r.a)} vs ${secs(r.b)})` : 'not measured');
  const result = [];
  const add = (name, met, r) => result.push({ name, met, detail: show(r) });

  for (const [id, goal] of [
    ['istiod', 1.5],
    ['gateway', 1.3],
  ]) {
    const r = ratio(`render:${id}`, 'gc', 'node');
    add(`${id} chart render: gateway-compat ≤ ${goal}× \`node -e 0\``, atMost(r, goal), r);
  }
  for (const mode of ['helm', 'flow']) {
    const r = ratio(`${mode}:10MB`, 'yaml');
    add(`${mode} 10 MB: gateway-compat ≥ 10× faster than the yaml round trip`, atLeast(r, 10), r);
  }
  for (const mode of ['helm', 'flow']) {
    const g10 = cell(`${mode}:10MB`, 'gc');
    const g100 = cell(`${mode}:100MB`, 'gc');
    const r = g10?.median && g100?.median ? { x: g100.median / g10.median, a: g100.median, b: g10.median } : null;
    add(`${mode} linear: 100 MB time ≤ 12× the 10 MB time`, atMost(r, 12), r);
  }
  // Memory budget at every stream of the mode gateway-compat ran on: 3× input + 100 MB.
  for (const mode of ['helm', 'flow', 'json']) {
    const mems = rows
      .filter((r) => r.input.kind === mode)
      .map((r) => ({ r, c: r.cells.find((c) => c.peer === 'gc') }))
      .filter(({ c }) => c?.rssKB != null);
    const worst = mems
      .map(({ r, c }) => ({ label: r.input.label, use: c.rssKB * 1024, budget: 3 * r.input.bytes + 100 * MB }))
      .sort((a, b) => b.use / b.budget - a.use / a.budget)[0];
    result.push({
      name: `${mode}: peak memory ≤ 3× input + 100 MB (every size)`,
      met: worst ? worst.use <= worst.budget : null,
      detail: worst ? `worst: ${worst.label} ${size(worst.use)} of ${size(worst.budget)} allowed` : 'not measured (no GNU time)',
    });
  }
  const k = ratio('helm:1MB', 'kustomize');
  add('helm 1 MB: gateway-compat ≥ 5× faster than kubectl kustomize', atLeast(k, 5), k);

  const s = startup && { x: startup.gc.median / startup.node.median, a: startup.gc.median, b: startup.node.median };
  add('start-up with empty input ≤ 1.3× `node -e 0`', atMost(s, 1.3), s);

  const c = ratio('check', 'check');
  add('`--check` over the files ≤ 1.5× the same bytes through stream mode', atMost(c, 1.5), c);

  for (const id of ['istiod', 'gateway']) {
    const h = ratio(`helm:${id}`, 'helm-gc', 'helm');
    if (h)
      result.push({
        name: `(reported) helm template ${id} with gateway-compat as post-renderer, over without`,
        met: 'info',
        detail: show(h),
      });
  }
  return result;
}

export function targetLines(list) {
  return list
    .map((t) =>
      t.met == null
        ? `- not measured: ${t.name}`
        : t.met === 'info'
          ? `- ${t.name}: ${t.detail}`
          : `- ${t.met ? '✅ met' : '❌ not met'}: ${t.name} — ${t.detail}`,
    )
    .join('\n');
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

Inputs: generated streams (\`bench/generate.mjs\`, seed ${seed}; 1 MB = 2^20 bytes) of two modes: "helm", an umbrella
chart (large ConfigMaps and Secrets, block style), and "flow", many small documents (~590 bytes) over 40 namespaces
with flow-style collections; the real istiod and gateway charts of the corpus rendered by \`helm template\`; the same
\`helm template\` with and without gateway-compat as post-renderer; \`--check\` over many small files against the
same bytes as one stream on stdin; the largest real files of the corpus. Each command reads its input on stdin (or
its files) and writes to a pipe the harness drains; commands alternate within each repetition. Ratios are a
command's median over the row's first command. kubectl kustomize applies a strategic-merge patch
(\`sysctls: null\`) to Deployments labelled \`istio\`; it does not edit injection templates or add options
ConfigMaps, so gateway-compat does more work per input.

${tbl}

Start-up, empty input: gateway-compat ${startup ? secs(startup.gc.median) : 'n/a'}, \`node -e 0\` ${startup ? secs(startup.node.median) : 'n/a'}.

## Targets

${targetLines(tlist)}
${notes.length ? `\n## Notes\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}
`;
}
