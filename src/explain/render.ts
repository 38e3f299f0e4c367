// Findings for people (numbered blocks) and for scripts (JSON), and the "nothing recognised" answer.
import type { Explanation, Finding } from './match.js';
import { ERROR_PATTERNS, type FixedBy } from './patterns.js';
import { describeNamed } from './resource.js';

const VERDICT: Record<FixedBy, string> = {
  yes: 'yes',
  partly: 'partly',
  no: 'no, the fix lives elsewhere',
};

export function renderText(explanation: Explanation): string {
  const { findings } = explanation;
  if (findings.length === 0) return renderNothing(explanation);
  const blocks = findings.map((finding, number) => {
    const { pattern } = finding;
    const lines = [`${number + 1}. ${pattern.title} [${pattern.id}]`];
    if (finding.resource !== undefined) lines.push(`   resource: ${describeNamed(finding.resource)}`);
    const times = finding.occurrences > 1 ? ` (and ${finding.occurrences - 1} more)` : '';
    lines.push(`   seen:     line ${finding.line}${times}: ${finding.excerpt}`);
    if (finding.details.length > 0) lines.push(`   ports:    ${finding.details.join(', ')}`);
    lines.push(`   meaning:  ${pattern.meaning}`);
    lines.push(`   gateway-compat fixes it: ${VERDICT[pattern.fixedBy]}`);
    lines.push(`   fix:      ${pattern.fix}`);
    lines.push(`   sources:  ${pattern.sources.join(' ')}`);
    return lines.join('\n');
  });
  const count = findings.length === 1 ? '1 finding' : `${findings.length} findings`;
  return `${blocks.join('\n\n')}\n\n${count}.\n`;
}

function renderNothing(explanation: Explanation): string {
  const looked = ERROR_PATTERNS.map((pattern) => `  - ${pattern.title}: ${pattern.looksLike}`);
  const mentions =
    explanation.sysctlMentions === 0
      ? ''
      : `The text names net.ipv4.ip_unprivileged_port_start ${explanation.sysctlMentions === 1 ? 'once' : `${explanation.sysctlMentions} times`}, but in none of these wordings.\n`;
  return (
    'Nothing recognised. explain looked for these errors about net.ipv4.ip_unprivileged_port_start and low ports:\n' +
    `${looked.join('\n')}\n${mentions}` +
    'Paste the output of `kubectl describe pod <pod>`, `kubectl get events -n <namespace>`, or the gateway or istiod logs.\n'
  );
}

export function renderJson(explanation: Explanation): string {
  const findings = explanation.findings.map((finding: Finding) => ({
    group: finding.pattern.id,
    title: finding.pattern.title,
    // null rather than an omitted key, so every entry has the same shape for jq.
    resource:
      finding.resource === undefined
        ? null
        : {
            kind: finding.resource.kind ?? null,
            namespace: finding.resource.namespace ?? null,
            name: finding.resource.name,
            node: finding.resource.node ?? null,
          },
    line: finding.line,
    occurrences: finding.occurrences,
    excerpt: finding.excerpt,
    ports: finding.details.map(Number),
    meaning: finding.pattern.meaning,
    fixedByGatewayCompat: finding.pattern.fixedBy,
    fix: finding.pattern.fix,
    sources: finding.pattern.sources,
  }));
  const lookedFor = ERROR_PATTERNS.map((pattern) => ({ group: pattern.id, title: pattern.title, looksLike: pattern.looksLike }));
  return `${JSON.stringify({ recognised: findings.length > 0, findings, sysctlMentions: explanation.sysctlMentions, lookedFor }, null, 2)}\n`;
}
