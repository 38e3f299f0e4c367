// Formats assessments for people (table, summary, stderr note) and for scripts (JSON).
import { FIRST_KERNEL_WITH_UNPRIVILEGED_PORT_START, formatMajorMinor } from './kernel-version.js';
import { describePod, type GatewayPod } from './gateway-pods.js';
import { verdictOf, type NodeAssessment, type NodeSummary } from './node-check.js';

const FIRST_FIXED = formatMajorMinor(FIRST_KERNEL_WITH_UNPRIVILEGED_PORT_START);
// kubectl's printers separate columns by three spaces; matching it keeps the output familiar.
const COLUMN_GAP = '   ';
// kubectl prints this for an absent value.
const ABSENT = '<none>';

export function renderTable(assessments: readonly NodeAssessment[]): string {
  const rows = [
    ['NODE', 'KERNEL', 'OS IMAGE', 'RUNTIME', 'KUBELET', 'VERDICT'],
    ...assessments.map((assessment) => [
      assessment.name,
      assessment.kernelVersion ?? ABSENT,
      assessment.osImage ?? ABSENT,
      assessment.containerRuntimeVersion ?? ABSENT,
      assessment.kubeletVersion ?? ABSENT,
      verdictOf(assessment),
    ]),
  ].map((row) => row.map(printable));
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => displayWidth(row[column] ?? ''))));
  return rows
    .map((row) =>
      row
        // The last column is not padded, so lines carry no trailing spaces.
        .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - displayWidth(cell))))
        .join(COLUMN_GAP),
    )
    .map((line) => `${line}\n`)
    .join('');
}

export function renderSummary(summary: NodeSummary): string {
  if (summary.total === 0) return 'No nodes found in the input.\n';
  // The verb follows the count in front of it ("1 of 5 nodes runs"), and "0 of 1 node" reads as singular too.
  const one = summary.needFix === 1 || summary.total === 1;
  const nodes = summary.total === 1 ? 'node' : 'nodes';
  const oldKernels = summary.needFix - summary.oldKubelet;
  let sentence: string;
  if (summary.oldKubelet === 0) {
    sentence = `${summary.needFix} of ${summary.total} ${nodes} ${one ? 'runs' : 'run'} a kernel older than ${FIRST_FIXED}`;
    if (summary.needFix > 0) sentence += ` and ${one ? 'needs' : 'need'} gateway-compat`;
  } else {
    // Some nodes need the fix for their kubelet, whatever their kernel: say both causes.
    sentence = `${summary.needFix} of ${summary.total} ${nodes} ${one ? 'needs' : 'need'} gateway-compat (${summary.oldKubelet} for a kubelet older than 1.22${oldKernels > 0 ? `, ${oldKernels} for a kernel older than ${FIRST_FIXED} only` : ''})`;
  }
  if (summary.unknown > 0) sentence += `; ${summary.unknown} could not be judged`;
  return `${sentence}.\n`;
}

/** Names the nodes whose verdict is unknown, so an operator can check them by hand; undefined when there are none. */
export function renderUnknownNote(assessments: readonly NodeAssessment[]): string | undefined {
  const unknown = assessments.filter((assessment) => assessment.needsFix === null);
  if (unknown.length === 0) return undefined;
  const heading =
    unknown.length === 1
      ? '1 node could not be judged; it does not count toward the exit code:'
      : `${unknown.length} nodes could not be judged; they do not count toward the exit code:`;
  const lines = unknown.map((assessment) => `  ${printable(assessment.name)}: ${printable(assessment.reason)}`);
  const advice = `Check with \`uname -r\` on the node: a kernel older than ${FIRST_FIXED} needs gateway-compat.`;
  return `gateway-compat nodes: ${heading}\n${lines.join('\n')}\n${advice}\n`;
}

/** Notes about node settings, one block a node; undefined when no node has any. */
export function renderNotes(assessments: readonly NodeAssessment[]): string | undefined {
  const noted = assessments.filter((assessment) => assessment.notes.length > 0);
  if (noted.length === 0) return undefined;
  const lines = noted.flatMap((assessment) => [
    `  ${printable(assessment.name)}:`,
    ...assessment.notes.map((note) => `    - ${printable(note.message)}`),
  ]);
  return `Node settings:\n${lines.join('\n')}\n`;
}

/** Gateway pods by node: pods on nodes that need the fix first, then the rest, then unscheduled ones. */
export function renderPods(assessments: readonly NodeAssessment[], pods: readonly GatewayPod[]): string {
  if (pods.length === 0) return 'Gateway pods: none in the pod list.\n';
  const verdicts = new Map(assessments.map((assessment) => [assessment.name, verdictOf(assessment)]));
  const nodes = [...new Set(pods.map((pod) => pod.node))].sort((a, b) => rank(a) - rank(b) || String(a).localeCompare(String(b)));
  function rank(node: string | undefined): number {
    if (node === undefined) return 3;
    const verdict = verdicts.get(node);
    return verdict === 'needs fix' ? 0 : verdict === undefined || verdict === 'unknown' ? 1 : 2;
  }
  const blocks = nodes.map((node) => {
    const heading = node === undefined ? '  not scheduled:' : `  ${printable(node)} (${verdicts.get(node) ?? 'not in the node list'}):`;
    const lines = pods.filter((pod) => pod.node === node).map((pod) => `    ${printable(describePod(pod))}`);
    return [heading, ...lines].join('\n');
  });
  return `Gateway pods:\n${blocks.join('\n')}\n`;
}

export function renderJson(assessments: readonly NodeAssessment[], summary: NodeSummary, pods?: readonly GatewayPod[]): string {
  const nodes = assessments.map((assessment) => ({
    name: assessment.name,
    // null rather than an omitted key, so every entry has the same shape for jq and friends.
    kernelVersion: assessment.kernelVersion ?? null,
    osImage: assessment.osImage ?? null,
    containerRuntimeVersion: assessment.containerRuntimeVersion ?? null,
    kubeletVersion: assessment.kubeletVersion ?? null,
    needsFix: assessment.needsFix,
    reason: assessment.reason,
    notes: assessment.notes,
    ...(pods === undefined ? {} : { gatewayPods: pods.filter((pod) => pod.node === assessment.name).map(podJson) }),
  }));
  const { total, needFix, unknown, oldKubelet } = summary;
  const listed = new Set(assessments.map((assessment) => assessment.name));
  const elsewhere =
    pods === undefined ? {} : { otherGatewayPods: pods.filter((pod) => pod.node === undefined || !listed.has(pod.node)).map(podJson) };
  return `${JSON.stringify({ nodes, ...elsewhere, summary: { total, needFix, unknown, oldKubelet } }, null, 2)}\n`;
}

function podJson(pod: GatewayPod) {
  return {
    namespace: pod.namespace ?? null,
    name: pod.name,
    node: pod.node ?? null,
    phase: pod.phase ?? null,
    reason: pod.reason ?? null,
    setsSysctl: pod.setsSysctl,
    hostNetwork: pod.hostNetwork,
  };
}

// Node fields come from the cluster; a control character (newline, escape) would break the
// table or drive the terminal, so it is shown as U+FFFD instead.
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
}

// Counts code points rather than UTF-16 units so names outside the BMP do not skew alignment.
function displayWidth(text: string): number {
  return [...text].length;
}
