// Rule `sysctls`, its edit: removes the named sysctls (by default net.ipv4.ip_unprivileged_port_start,
// which kernels before 4.11 lack) from every pod template in the stream.
import { isAlias, isMap, type Node, type YAMLMap } from 'yaml';
import type { EditableDocument } from '../../yaml/editable-document.js';
import {
  findPair,
  mapAt,
  removePair,
  removeSeqItems,
  replaceValueInline,
  seqAt,
  stringAt,
  UnsupportedYamlError,
} from '../../yaml/node-edits.js';
import { objectsIn, podTemplateOf, type KubeObject } from '../../kube/objects.js';
import type { ApplyToDocument, RuleContext } from '../rule.js';
import type { Patch } from '../../yaml/source-text.js';
import { isNamedSysctl } from '../../kube/sysctl-names.js';
import { objectPath } from '../../kube/objects.js';

function sysctlName(item: unknown): string | undefined {
  return isMap(item) ? stringAt(item as YAMLMap, 'name') : undefined;
}

/**
 * Text edits cannot follow YAML anchors and aliases: removing an anchored node leaves its aliases
 * dangling, and an entry that is an alias would be silently kept. Refuse them with a clear error.
 */
function refuseAnchorsAndAliases(items: readonly Node[], names: readonly string[]): void {
  for (const item of items) {
    if (isAlias(item)) {
      throw new UnsupportedYamlError(
        `a sysctls entry is a YAML alias (*${item.source}); gateway-compat cannot tell whether it is one to remove without following it. Write the entry out`,
        item.range?.[0] ?? 0,
      );
    }
    if (isNamedSysctl(sysctlName(item), names)) refuseAnchored(item);
  }
}

function refuseAnchored(node: Node): void {
  if ('anchor' in node && node.anchor) {
    throw new UnsupportedYamlError(
      `this node carries the YAML anchor &${node.anchor}, and removing it would leave its aliases dangling. Write the aliased copies out instead of using the anchor`,
      node.range?.[0] ?? 0,
    );
  }
}

/** The patches that take the named sysctls out of one object's pod template. */
function removalPatches(ed: EditableDocument, object: KubeObject, ctx: RuleContext): Patch[] {
  const pod = podTemplateOf(object);
  const securityContextPair = pod && findPair(pod.spec, 'securityContext');
  const securityContext = pod && mapAt(pod.spec, 'securityContext');
  const sysctls = securityContext && seqAt(securityContext, 'sysctls');
  if (!pod || !securityContextPair || !securityContext || !sysctls) return [];
  const names = ctx.config.sysctls.remove;
  refuseAnchorsAndAliases(sysctls.items as Node[], names);
  const removed = sysctls.items.map(sysctlName).filter((name): name is string => isNamedSysctl(name, names));
  if (removed.length === 0) return [];

  const path = `${objectPath(object)}${pod.specPath}.securityContext.sysctls`;
  for (const name of removed) {
    ctx.change({ resource: object.id, rule: 'sysctls', path, message: `removed sysctl ${name} from ${path}` }, ed);
  }
  if (removed.length < sysctls.items.length) {
    return removeSeqItems(ed, sysctls, (item) => isNamedSysctl(sysctlName(item), names));
  }
  refuseAnchored(securityContext.items.length === 1 ? securityContext : sysctls);
  // An empty securityContext must stay a mapping: `securityContext:` alone reads as null.
  if (securityContext.items.length === 1) return replaceValueInline(ed, securityContextPair, '{}');
  return removePair(ed, securityContext, findPair(securityContext, 'sysctls')!);
}

export const apply: ApplyToDocument = (ed, ctx) => {
  // Each object's pod template is its own part of the text, so all patches go in at once.
  ed.apply(objectsIn(ed.doc).flatMap((object) => (ctx.isSelected(object.id) ? removalPatches(ed, object, ctx) : [])));
};
