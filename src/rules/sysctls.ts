// Rule `sysctls`: removes the named sysctls (by default net.ipv4.ip_unprivileged_port_start,
// which kernels before 4.11 lack) from every pod template in the stream.
import { isMap, type YAMLMap } from 'yaml';
import type { Config } from '../config.js';
import type { EditableDocument } from '../edit/editable-document.js';
import { findPair, mapAt, removePair, removeSeqItems, replaceValueInline, seqAt, stringAt } from '../edit/node-edits.js';
import { objectsIn, podTemplateOf, type KubeObject } from '../kube/objects.js';
import type { DocumentRule, RuleContext } from './rule.js';
import { objectPath } from './edit-loop.js';
import type { Patch } from '../edit/source-text.js';

function sysctlName(item: unknown): string | undefined {
  return isMap(item) ? stringAt(item as YAMLMap, 'name') : undefined;
}

/** The patches that take the named sysctls out of one object's pod template. */
function removalPatches(ed: EditableDocument, object: KubeObject, ctx: RuleContext): Patch[] {
  const pod = podTemplateOf(object);
  const securityContextPair = pod && findPair(pod.spec, 'securityContext');
  const securityContext = pod && mapAt(pod.spec, 'securityContext');
  const sysctls = securityContext && seqAt(securityContext, 'sysctls');
  if (!pod || !securityContextPair || !securityContext || !sysctls) return [];
  const names = ctx.config.sysctls.remove;
  const removed = sysctls.items.map(sysctlName).filter((name): name is string => !!name && names.includes(name));
  if (removed.length === 0) return [];

  const path = `${objectPath(object)}${pod.specPath}.securityContext.sysctls`;
  for (const name of removed) {
    ctx.change({ resource: object.id, rule: 'sysctls', path, message: `removed sysctl ${name} from ${path}` }, ed);
  }
  if (removed.length < sysctls.items.length) {
    return removeSeqItems(ed, sysctls, (item) => names.includes(sysctlName(item) ?? ''));
  }
  // An empty securityContext must stay a mapping: `securityContext:` alone reads as null.
  if (securityContext.items.length === 1) return replaceValueInline(ed, securityContextPair, '{}');
  return removePair(ed, securityContext, findPair(securityContext, 'sysctls')!);
}

export const sysctlsRule: DocumentRule = {
  id: 'sysctls',
  isEnabled: (config: Config) => config.sysctls.enabled && config.sysctls.remove.length > 0,
  mightApply: (text: string, config: Config) => config.sysctls.remove.some((name) => text.includes(name)),
  apply(ed, ctx) {
    // Each object's pod template is its own part of the text, so all patches go in at once.
    ed.apply(objectsIn(ed.doc).flatMap((object) => (ctx.isSelected(object.id) ? removalPatches(ed, object, ctx) : [])));
  },
};
