// Formats assessments for people (table, summary, stderr note) and for scripts (JSON).
import { FIRST_KERNEL_WITH_UNPRIVILEGED_PORT_START, formatMajorMinor } from './kernel-version.js';
import { verdictOf, type NodeAssessment, type NodeSummary } from './node-check.js';

const FIRST_FIXED = formatMajorMinor(FIRST_KERNEL_WITH_UNPRIVILEGED_PORT_START);
// kubectl's printers separate columns by three spaces; matching it keeps the output familiar.
const COLUMN_GAP = '   ';
// kubectl prints this for an absent value.
const ABSENT = '<none>';

export function renderTable(assessments: readonly NodeAssessment[]): string {
  const rows = [
    ['NODE', 'KERNEL', 'OS IMAGE', 'VERDICT'],
    ...assessments.map((assessment) => [
      assessment.name,
      assessment.kernelVersion ?? ABSENT,
      assessment.osImage ?? ABSENT,
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
  let sentence = `${summary.needFix} of ${summary.total} ${nodes} ${one ? 'runs' : 'run'} a kernel older than ${FIRST_FIXED}`;
  if (summary.needFix > 0) sentence += ` and ${one ? 'needs' : 'need'} gateway-compat`;
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
  return `post-render nodes: ${heading}\n${lines.join('\n')}\n${advice}\n`;
}

export function renderJson(assessments: readonly NodeAssessment[], summary: NodeSummary): string {
  const nodes = assessments.map((assessment) => ({
    name: assessment.name,
    // null rather than an omitted key, so every entry has the same shape for jq and friends.
    kernelVersion: assessment.kernelVersion ?? null,
    osImage: assessment.osImage ?? null,
    needsFix: assessment.needsFix,
    reason: assessment.reason,
  }));
  const { total, needFix, unknown } = summary;
  return `${JSON.stringify({ nodes, summary: { total, needFix, unknown } }, null, 2)}\n`;
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
