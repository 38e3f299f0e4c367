// Granting the istio-proxy container NET_BIND_SERVICE and/or root in a template: find each
// istio-proxy container and take the next step there until none is left. Each step is planned on
// a fresh reading of the template, so a securityContext one step adds is filled in by later ones.
import { classifyLines, type LineInfo } from './classify-lines.js';
import { detectStyle } from './detect-style.js';
import { fillStep } from './fill-branches.js';
import { freshSecurityContext, securityContextStep } from './grant-security-context.js';
import { blockListsUnder, entriesNamed, entriesOf, itemField, itemMapping, type EntryNode, type Level } from './levels.js';
import { joinLines, splitLines, type LineDoc } from './lines.js';
import { applyStep, firstStep, originalLineNumber, type Step, type View } from './steps.js';
import type { ProxyPrivileges, TemplateEdit, TemplateEditResult } from './types.js';

const PROXY_CONTAINER = 'istio-proxy';
/** A fixed point is reached in a few dozen steps; this only guards against a bug looping forever. */
const MAX_PRIVILEGE_STEPS = 1000;

interface ContainerItem {
  item: EntryNode;
  mapping: Level;
}

function proxyContainers(info: readonly LineInfo[], containerName: string): ContainerItem[] {
  return blockListsUnder(info, ['containers', 'initContainers']).flatMap(({ list }) =>
    entriesOf(list).flatMap((item) => {
      if (itemField(info, item, 'name') !== containerName) return [];
      const mapping = itemMapping(info, item);
      return mapping ? [{ item, mapping }] : [];
    }),
  );
}

function containerStep(view: View, container: ContainerItem, privileges: ProxyPrivileges): Step | undefined {
  const { item, mapping } = container;
  const style = detectStyle(view.info, [
    [item.line, item.end],
    [0, view.info.length - 1],
  ]);
  // Container-level actions like `{{with .Values.global.imagePullPolicy}}imagePullPolicy: ...{{end}}`
  // are common and harmless; only one that may print a securityContext stops us adding ours.
  const mayPrintSecurityContext = (line: number): boolean => /securitycontext/i.test(view.texts[line] ?? '');
  return (
    fillStep(view, mapping, {
      key: 'securityContext',
      fresh: (col) => freshSecurityContext(col, style, privileges),
      what: 'a securityContext',
      blocks: mayPrintSecurityContext,
    }) ?? firstStep(entriesNamed(mapping, 'securityContext'), (entry) => securityContextStep(view, entry, style, privileges))
  );
}

function nextPrivilegeStep(doc: LineDoc, privileges: ProxyPrivileges, containerName: string): Step | undefined {
  const texts = doc.lines.map((line) => line.text);
  const view: View = { info: classifyLines(texts), texts };
  return firstStep(proxyContainers(view.info, containerName), (container) => containerStep(view, container, privileges));
}

/**
 * Grants the gateway container (`istio-proxy`, or `agentgateway` in that template) `NET_BIND_SERVICE`
 * and/or root in every Go branch of its securityContext, adding a securityContext when it has none.
 * Other containers are left alone.
 */
export function grantProxyPrivilegesInTemplate(
  text: string,
  privileges: ProxyPrivileges,
  containerName = PROXY_CONTAINER,
): TemplateEditResult {
  if (!privileges.netBindService && !privileges.runAsRoot) return { text, edits: [] };
  if (!text.includes(containerName)) return { text, edits: [] };
  const doc = splitLines(text);
  const edits: TemplateEdit[] = [];
  for (let count = 0; ; count++) {
    if (count >= MAX_PRIVILEGE_STEPS) throw new Error('granting istio-proxy privileges did not settle');
    const step = nextPrivilegeStep(doc, privileges, containerName);
    if (!step) break;
    edits.push({
      line: originalLineNumber(doc, step.anchor),
      message: containerName === PROXY_CONTAINER ? step.message : step.message.replace(/^istio-proxy:/, `${containerName}:`),
    });
    applyStep(doc, step);
  }
  return edits.length === 0 ? { text, edits } : { text: joinLines(doc), edits };
}
