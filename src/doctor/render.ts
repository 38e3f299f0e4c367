// A diagnosis for people (an ordered list with a command for each step) and for scripts (JSON).
import type { Diagnosis } from './diagnose.js';

export function renderText(diagnosis: Diagnosis): string {
  const lines: string[] = [];
  if (diagnosis.sysctlMatters) {
    lines.push('Why net.ipv4.ip_unprivileged_port_start must go here:');
    for (const evidence of diagnosis.sysctlEvidence) lines.push(`  - ${evidence}`);
  } else {
    lines.push(
      `No node needs gateway-compat: every one of the ${diagnosis.nodes.length} nodes has a kernel of 4.11 or later and a kubelet of 1.22 or later, and no event or hostNetwork gateway pod says otherwise.`,
    );
  }
  const notes = diagnosis.nodes.filter((node) => node.needsFix === true && node.notes.length > 0);
  if (notes.length > 0) {
    lines.push('', 'Node settings to keep on the nodes that need it:');
    for (const node of notes) for (const note of node.notes) lines.push(`  - ${node.name}: ${note.message}`);
  }
  lines.push('');
  if (diagnosis.blockers.length === 0) {
    lines.push('Nothing stands between this cluster and running gateways.');
  } else {
    lines.push('What stands between this cluster and running gateways, in the order to fix it:');
    diagnosis.blockers.forEach((blocker, index) => {
      lines.push('', `${index + 1}. ${blocker.title} [${blocker.step}]`);
      for (const detail of blocker.details) lines.push(`   - ${detail}`);
      lines.push(`   fix: ${blocker.fix}`);
    });
  }
  // Cluster data is printed as it came; control characters would drive the terminal.
  return `${lines.join('\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '\uFFFD')}\n`;
}

export function renderJson(diagnosis: Diagnosis): string {
  return `${JSON.stringify(
    {
      clear: diagnosis.blockers.length === 0,
      sysctlMatters: diagnosis.sysctlMatters,
      sysctlEvidence: diagnosis.sysctlEvidence,
      blockers: diagnosis.blockers,
      nodes: diagnosis.nodes.map((node) => ({ name: node.name, needsFix: node.needsFix, reason: node.reason, notes: node.notes })),
      gatewayPods: diagnosis.gatewayPods,
    },
    null,
    2,
  )}\n`;
}
