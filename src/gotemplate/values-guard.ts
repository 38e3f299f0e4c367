// Which branch of a `{{- if .Values.<path> }} ... {{- else }} ... {{- end }}` block a template
// renders, when the values it will see are known. Istio 1.20.8, 1.21.4+, 1.22.2+ and 1.23+ guard
// the gateway sysctl with `if .Values.gateways.securityContext`: once that value is set (and holds
// no sysctl), the `else` branch with the sysctl is dead text, and editing it would be a change that
// changes nothing. This reads the template only as whole lines, like the edits do.
import { classifyLines } from './classify-lines.js';
import { splitLines } from './lines.js';

/**
 * The template's text with every block guarded by `if .Values.<valuePath>` (a line of its own)
 * replaced by the branch the value selects: the `if` branch when `truthy`, else the `else`
 * branch. Undefined when such a block is not written one control per line, so the caller cannot
 * tell which lines render.
 */
export function renderedBranchText(text: string, valuePath: string, truthy: boolean): string | undefined {
  const lines = splitLines(text).lines.map((line) => line.text);
  const info = classifyLines(lines);
  const guard = new RegExp(`^\\{\\{-?\\s*if\\s+\\.Values\\.${valuePath.replace(/\./g, '\\.')}\\s*-?\\}\\}$`);
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!guard.test(line.trim())) {
      kept.push(line);
      continue;
    }
    // Find this block's `else` and `end` at its own depth.
    let depth = 0;
    let elseLine = -1;
    let endLine = -1;
    for (let j = i + 1; j < lines.length && endLine < 0; j++) {
      const controls = info[j]?.kind === 'directive' ? (info[j]?.controls ?? []) : [];
      if (controls.length > 1 && controls.some((control) => control !== 'open' && control !== 'end')) return undefined;
      for (const control of controls) {
        if (control === 'open') depth++;
        else if (control === 'end' && depth > 0) depth--;
        else if (control === 'end') endLine = j;
        else if (depth === 0 && control === 'else') elseLine = j;
        else if (depth === 0) return undefined; // `else if`: not a two-way switch
      }
    }
    if (endLine < 0) return undefined;
    const [from, to] = truthy ? [i + 1, elseLine < 0 ? endLine : elseLine] : [elseLine < 0 ? endLine : elseLine + 1, endLine];
    kept.push(...lines.slice(from, to));
    i = endLine;
  }
  return kept.join('\n');
}
