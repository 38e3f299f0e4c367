// Which Kubernetes object a matched message is about, read from the pasted text around it: the
// message itself (`for pod "x"`, `pods "x-" is forbidden`, istiod's `for node pod.namespace`),
// the OBJECT column of `kubectl get events`, or the Name:/Namespace: header of `kubectl describe`.
// Nothing is inferred that the text does not say.

export interface NamedResource {
  /** Pod, ReplicaSet, ...; undefined when the text gives a name but not its kind */
  kind: string | undefined;
  namespace: string | undefined;
  name: string;
  /** the node the text says the pod was assigned to */
  node?: string;
}

// DNS subdomain names, plus the trailing '-' of a generateName prefix (`pods "gw-5d4f-" is forbidden`).
const NAME = String.raw`[a-z0-9](?:[-a-z0-9.]*[a-z0-9-])?`;
const IN_MESSAGE: ReadonlyArray<{ pattern: RegExp; kind: string }> = [
  { pattern: new RegExp(String.raw`sandbox container for pod "(${NAME})"`), kind: 'Pod' },
  { pattern: new RegExp(String.raw`pods "(${NAME})" is forbidden`), kind: 'Pod' },
  { pattern: new RegExp(String.raw`\bpod: (${NAME}?)\. Forbidden sysctls`), kind: 'Pod' },
];
// kubectl get events prints the object as kind/name, the kind in lower case.
const EVENT_OBJECT = new RegExp(String.raw`(?:^|\s)(pod|replicaset|deployment|daemonset|statefulset|job)/(${NAME})(?=\s)`);
const EVENT_KINDS: Record<string, string> = {
  pod: 'Pod',
  replicaset: 'ReplicaSet',
  deployment: 'Deployment',
  daemonset: 'DaemonSet',
  statefulset: 'StatefulSet',
  job: 'Job',
};
const ISTIOD_NODE = new RegExp(String.raw`for node (${NAME})\.([a-z0-9-]+) as it is`);
const ASSIGNED = new RegExp(String.raw`Successfully assigned ([a-z0-9-]+)/(${NAME}) to (\S+)`);

export interface TextIndex {
  lines: readonly string[];
  /** offset of each line's first character */
  lineStarts: readonly number[];
}

export function indexLines(text: string): TextIndex {
  const lines = text.split(/\r?\n/);
  const lineStarts: number[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    lineStarts.push(offset);
    offset += line.length + 1;
  }
  return { lines, lineStarts };
}

/** 0-based line of an offset in the text. */
export function lineAt(index: TextIndex, offset: number): number {
  let low = 0;
  let high = index.lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (index.lineStarts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The resource named for a match that spans the given lines (0-based, inclusive). */
export function resourceFor(index: TextIndex, firstLine: number, lastLine: number, matched: string): NamedResource | undefined {
  const istiod = ISTIOD_NODE.exec(matched);
  if (istiod) return { kind: 'Pod', namespace: istiod[2], name: istiod[1]! };
  const around = index.lines.slice(firstLine, lastLine + 1).join(' ');
  for (const { pattern, kind } of IN_MESSAGE) {
    const found = pattern.exec(around);
    if (found) return withAssignment(index, { kind, namespace: describedNamespace(index, firstLine), name: found[1]! });
  }
  const eventObject = EVENT_OBJECT.exec(index.lines[firstLine] ?? '');
  if (eventObject) {
    return { kind: EVENT_KINDS[eventObject[1]!], namespace: eventNamespace(index, firstLine), name: eventObject[2]! };
  }
  const described = describedObject(index, firstLine);
  return described && withAssignment(index, described);
}

/** `kubectl get events -A` puts the namespace first; the header line says whether it did. */
function eventNamespace(index: TextIndex, line: number): string | undefined {
  for (let at = line - 1; at >= 0; at -= 1) {
    const text = index.lines[at]!;
    if (/^NAMESPACE\s+LAST SEEN\s/.test(text)) return /^(\S+)/.exec(index.lines[line]!)?.[1];
    if (/^LAST SEEN\s/.test(text)) return undefined;
  }
  return undefined;
}

/** The Name:/Namespace: header of the `kubectl describe` block a line belongs to. */
function describedObject(index: TextIndex, line: number): NamedResource | undefined {
  const header = describeHeaderAbove(index, line);
  if (header === undefined) return undefined;
  const name = /^Name:\s+(\S+)/.exec(index.lines[header]!)?.[1];
  if (name === undefined) return undefined;
  let kind: string | undefined;
  // describe does not print the kind; a pod's block is the one with a Node: and a Containers: section.
  for (let at = header + 1; at < line; at += 1) {
    if (/^Name:\s/.test(index.lines[at]!)) break;
    if (/^(?:Node|Containers):/.test(index.lines[at]!)) kind = 'Pod';
  }
  return { kind, namespace: describedNamespace(index, line), name };
}

function describeHeaderAbove(index: TextIndex, line: number): number | undefined {
  for (let at = line; at >= 0; at -= 1) if (/^Name:\s+\S/.test(index.lines[at]!)) return at;
  return undefined;
}

function describedNamespace(index: TextIndex, line: number): string | undefined {
  const header = describeHeaderAbove(index, line);
  if (header === undefined) return undefined;
  for (let at = header + 1; at < Math.min(index.lines.length, header + 4); at += 1) {
    const namespace = /^Namespace:\s+(\S+)/.exec(index.lines[at]!)?.[1];
    if (namespace !== undefined) return namespace;
  }
  return undefined;
}

/** The scheduler's `Successfully assigned ns/pod to node` event gives the namespace and the node. */
function withAssignment(index: TextIndex, resource: NamedResource): NamedResource {
  for (const text of index.lines) {
    const assigned = ASSIGNED.exec(text);
    if (!assigned || !namesMatch(assigned[2]!, resource.name)) continue;
    return { ...resource, namespace: resource.namespace ?? assigned[1], node: assigned[3]! };
  }
  return resource;
}

/** A generateName prefix (`gw-5d4f-`) names every pod it creates. */
function namesMatch(podName: string, named: string): boolean {
  return named.endsWith('-') ? podName.startsWith(named) : podName === named;
}

export function describeNamed(resource: NamedResource): string {
  const kind = resource.kind === undefined ? '' : `${resource.kind.toLowerCase()} `;
  const where = resource.namespace === undefined ? resource.name : `${resource.namespace}/${resource.name}`;
  return `${kind}${where}${resource.node === undefined ? '' : ` on node ${resource.node}`}`;
}
