// The grant inside one istio-proxy securityContext: `capabilities.add` holding NET_BIND_SERVICE
// exactly once, and/or the root settings, written in the block or flow form the securityContext
// already uses, and on every Go branch of it.
import { detectStyle, type Style } from './detect-style.js';
import { fillStep } from './fill-branches.js';
import { parseFlowMap, renderFlowMap, setFlowEntry, withFlowItemOnce } from './flow.js';
import { bodyLevel, entriesNamed, entriesOf, type EntryNode } from './levels.js';
import { pad } from './lines.js';
import { firstStep, replaceValueStep, type Step, type View } from './steps.js';
import type { ProxyPrivileges } from './types.js';

const NET_BIND_SERVICE = 'NET_BIND_SERVICE';
/** `runAsNonRoot: true` would make the kubelet refuse a uid-0 container (DOMAIN.md section 4). */
const ROOT_SETTINGS: ReadonlyArray<readonly [key: string, value: string]> = [
  ['runAsUser', '0'],
  ['runAsGroup', '0'],
  ['runAsNonRoot', 'false'],
];

function scalarStep(view: View, entry: EntryNode, key: string, value: string): Step | undefined {
  const line = view.info[entry.line]!;
  // A value spread over more lines (or rendered by an action) is not one we can rewrite in place.
  if (entry.end !== entry.line || line.value === value) return undefined;
  const was = line.value === '' ? 'empty' : line.value;
  return replaceValueStep(view, entry.line, value, `istio-proxy: securityContext.${key} set to ${value} (was ${was})`);
}

function freshCapabilities(col: number, style: Style): string[] {
  return [`${pad(col)}capabilities:`, `${pad(col + style.step)}add:`, `${pad(col + style.step + style.dashOffset)}- ${NET_BIND_SERVICE}`];
}

export function freshSecurityContext(col: number, style: Style, privileges: ProxyPrivileges): string[] {
  const inner = col + style.step;
  const lines = [`${pad(col)}securityContext:`];
  if (privileges.netBindService) lines.push(...freshCapabilities(inner, style));
  if (privileges.runAsRoot) lines.push(...ROOT_SETTINGS.map(([key, value]) => `${pad(inner)}${key}: ${value}`));
  return lines;
}

function grantFlowCapabilities(value: string): string | undefined {
  const entries = parseFlowMap(value);
  if (!entries) return undefined;
  const add = entries.find((entry) => entry.key === 'add');
  const newAdd = withFlowItemOnce(add ? add.value : '[]', NET_BIND_SERVICE);
  if (newAdd === undefined) return undefined;
  return setFlowEntry(entries, 'add', newAdd) ? renderFlowMap(entries) : value;
}

function grantFlowSecurityContext(value: string, privileges: ProxyPrivileges): string | undefined {
  const entries = parseFlowMap(value);
  if (!entries) return undefined;
  let changed = false;
  if (privileges.netBindService) {
    const capabilities = entries.find((entry) => entry.key === 'capabilities');
    const newCapabilities = grantFlowCapabilities(capabilities ? capabilities.value : '{}');
    if (newCapabilities === undefined) return undefined;
    changed = setFlowEntry(entries, 'capabilities', newCapabilities) || changed;
  }
  if (privileges.runAsRoot) {
    for (const [key, setting] of ROOT_SETTINGS) changed = setFlowEntry(entries, key, setting) || changed;
  }
  return changed ? renderFlowMap(entries) : value;
}

function flowValueStep(view: View, index: number, newValue: string | undefined, what: string): Step | undefined {
  const line = view.info[index]!;
  if (newValue === undefined || newValue === line.value) return undefined;
  return replaceValueStep(view, index, newValue, `istio-proxy: ${what} (was ${line.value})`);
}

function addListStep(view: View, add: EntryNode, style: Style): Step | undefined {
  const head = view.info[add.line]!;
  if (head.value !== '') {
    const newValue = head.value.startsWith('[') || head.value === 'null' ? withFlowItemOnce(head.value, NET_BIND_SERVICE) : undefined;
    return flowValueStep(view, add.line, newValue, `capabilities.add now holds ${NET_BIND_SERVICE} once`);
  }
  const list = bodyLevel(view.info, add, 'list', head.keyCol + style.dashOffset);
  if (!list) return undefined;
  const direct = list.nodes.filter((node): node is EntryNode => node.kind === 'entry' && node.key === NET_BIND_SERVICE);
  const duplicate = direct[1];
  if (duplicate) {
    return {
      at: duplicate.line,
      remove: duplicate.end - duplicate.line + 1,
      insert: [],
      anchor: duplicate.line,
      message: `istio-proxy: removed a duplicate ${NET_BIND_SERVICE} from capabilities.add`,
    };
  }
  return fillStep(view, list, {
    key: NET_BIND_SERVICE,
    fresh: (col) => [`${pad(col)}- ${NET_BIND_SERVICE}`],
    what: `${NET_BIND_SERVICE} to securityContext.capabilities.add`,
    blocks: () => true,
  });
}

function capabilitiesStep(view: View, capabilities: EntryNode, style: Style): Step | undefined {
  const head = view.info[capabilities.line]!;
  if (head.value !== '') {
    return flowValueStep(view, capabilities.line, grantFlowCapabilities(head.value), `${NET_BIND_SERVICE} added to capabilities`);
  }
  const body = bodyLevel(view.info, capabilities, 'map', head.keyCol + style.step);
  if (!body) return undefined;
  const localStyle = detectStyle(view.info, [[capabilities.line, capabilities.end]]);
  const dashOffset = entriesOf(body).some((entry) => view.info[entry.line]!.value === '') ? localStyle.dashOffset : style.dashOffset;
  // Keep the look of the sibling `drop: [ALL]` when it is written as a flow list.
  const flowLists = entriesOf(body).some((entry) => view.info[entry.line]!.value.startsWith('['));
  const step = fillStep(view, body, {
    key: 'add',
    fresh: (col) =>
      flowLists ? [`${pad(col)}add: [${NET_BIND_SERVICE}]`] : [`${pad(col)}add:`, `${pad(col + dashOffset)}- ${NET_BIND_SERVICE}`],
    what: `${NET_BIND_SERVICE} to securityContext.capabilities.add`,
    blocks: () => true,
  });
  if (step) return step;
  for (const add of entriesNamed(body, 'add')) {
    const addStep = addListStep(view, add, { ...style, dashOffset });
    if (addStep) return addStep;
  }
  return undefined;
}

export function securityContextStep(view: View, securityContext: EntryNode, style: Style, privileges: ProxyPrivileges): Step | undefined {
  const head = view.info[securityContext.line]!;
  if (head.value !== '') {
    return flowValueStep(view, securityContext.line, grantFlowSecurityContext(head.value, privileges), 'securityContext granted');
  }
  const body = bodyLevel(view.info, securityContext, 'map', head.keyCol + style.step);
  if (!body) return undefined;
  const localStyle: Style = { ...style, step: body.col > head.keyCol ? body.col - head.keyCol : style.step };
  if (privileges.netBindService) {
    const step =
      fillStep(view, body, {
        key: 'capabilities',
        fresh: (col) => freshCapabilities(col, localStyle),
        what: `securityContext.capabilities.add: [${NET_BIND_SERVICE}]`,
        blocks: () => true,
      }) ?? firstStep(entriesNamed(body, 'capabilities'), (entry) => capabilitiesStep(view, entry, localStyle));
    if (step) return step;
  }
  if (privileges.runAsRoot) {
    for (const [key, value] of ROOT_SETTINGS) {
      const step =
        firstStep(entriesNamed(body, key), (entry) => scalarStep(view, entry, key, value)) ??
        fillStep(view, body, {
          key,
          fresh: (col) => [`${pad(col)}${key}: ${value}`],
          what: `securityContext.${key}: ${value}`,
          blocks: () => true,
        });
      if (step) return step;
    }
  }
  return undefined;
}
