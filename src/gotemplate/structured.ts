// Templates written in flow or JSON style (`{"spec": {"securityContext": {"sysctls": [...]}}}`,
// one line or many): the line-based reading (levels.ts) sees no block structure in them, but when
// the text has no Go action outside a quoted string it is plain YAML, so it is edited as a parsed
// document with the same text-preserving node edits the manifests get. Used only where the
// line-based edit found nothing to do.
import { isMap, type YAMLMap, type YAMLSeq } from 'yaml';
import { EditableDocument } from '../yaml/editable-document.js';
import { findPair, mapIn, mergePatches, removeSeqItems, replaceValueInline, seqAt, stringAt, type Desired } from '../yaml/node-edits.js';
import { isNamedSysctl } from '../kube/sysctl-names.js';
import type { TemplateEditResult } from './types.js';

/** Where a template's pod spec sits: a pod overlay (`gateway`) or a whole Deployment (kube-gateway, agentgateway). */
const POD_SPEC_PATHS = [['spec'], ['spec', 'template', 'spec']] as const;

function parsed(text: string): EditableDocument | undefined {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    const ed = new EditableDocument(text, 0, 0);
    return ed.doc.errors.length === 0 && isMap(ed.doc.contents) ? ed : undefined;
  } catch {
    return undefined;
  }
}

function podSpecs(ed: EditableDocument): YAMLMap[] {
  const root = ed.doc.contents as YAMLMap;
  return POD_SPEC_PATHS.map((path) => mapIn(root, [...path])).filter(
    (spec): spec is YAMLMap => spec !== undefined && (spec.has('containers') || spec.has('securityContext')),
  );
}

export function removeSysctlsStructured(text: string, names: readonly string[]): TemplateEditResult {
  const ed = parsed(text);
  if (!ed) return { text, edits: [] };
  const edits: TemplateEditResult['edits'] = [];
  for (const spec of podSpecs(ed)) {
    const securityContext = mapIn(spec, ['securityContext']);
    const pair = securityContext && findPair(securityContext, 'sysctls');
    const sysctls = securityContext && seqAt(securityContext, 'sysctls');
    if (!pair || !sysctls) continue;
    const named = (item: unknown): boolean => isMap(item) && isNamedSysctl(stringAt(item, 'name'), names);
    const doomed = (sysctls as YAMLSeq).items.filter(named);
    if (doomed.length === 0) continue;
    for (const item of doomed) edits.push({ line: 1, message: `removed sysctl ${stringAt(item as YAMLMap, 'name')}` });
    // An emptied list stays `[]`, so the overlay still replaces the pod's list.
    ed.apply(doomed.length === sysctls.items.length ? replaceValueInline(ed, pair, '[]') : removeSeqItems(ed, sysctls, named));
    break;
  }
  return edits.length > 0 ? { text: ed.source, edits } : { text, edits };
}

export function grantStructured(text: string, container: string, wanted: Desired): TemplateEditResult {
  const ed = parsed(text);
  if (!ed) return { text, edits: [] };
  for (const spec of podSpecs(ed)) {
    const containers = seqAt(spec, 'containers');
    const target = containers?.items.find((item): item is YAMLMap => isMap(item) && stringAt(item, 'name') === container);
    if (!target) continue;
    const patches = mergePatches(ed, target, { securityContext: wanted });
    if (patches.length === 0) return { text, edits: [] };
    ed.apply(patches);
    return { text: ed.source, edits: [{ line: 1, message: `${container}: securityContext granted` }] };
  }
  return { text, edits: [] };
}
