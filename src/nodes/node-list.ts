// Turns the text of `kubectl get nodes -o json|yaml` into the few facts the verdict needs,
// or explains precisely why the text is not a node list.
import { parseAllDocuments, visit, type Document } from 'yaml';

/** What one Node says about itself that matters here; fields are undefined when the Node omits them. */
export interface NodeFacts {
  name: string;
  kernelVersion: string | undefined;
  osImage: string | undefined;
  operatingSystem: string | undefined;
  containerRuntimeVersion: string | undefined;
  kubeletVersion: string | undefined;
}

/** Input that cannot be read as nodes. The message says what is wrong; the caller adds how to get valid input. */
export class NodeInputError extends Error {
  override name = 'NodeInputError';
}

/** Accepts a List/NodeList of Nodes or a single Node, as JSON or YAML (several YAML documents are concatenated). */
export function readNodeList(text: string): NodeFacts[] {
  return readObjectList(text, 'Node').map(factsOf);
}

/** The objects of one kind in `kubectl get <kind> -o json|yaml` output: a List, a <Kind>List or one object. */
export function readObjectList(text: string, kind: string): Array<Record<string, unknown>> {
  if (text.trim() === '') throw new NodeInputError('the input is empty');
  const documents = parseAllDocuments(text);
  // parseAllDocuments returns an EmptyStream (not an array) for input that is only comments.
  const parsed = Array.isArray(documents) ? documents.map(documentValue) : [];
  // A stray `---` (e.g. at the end of concatenated YAML) yields an empty document; skip those, not a lone null.
  const values = parsed.length > 1 ? parsed.filter((value) => value != null) : parsed;
  if (values.length === 0) throw new NodeInputError('the input holds no JSON or YAML document');
  return values.flatMap((value, index) => objectsOf(value, kind, values.length > 1 ? `document ${index + 1}: ` : ''));
}

function documentValue(document: Document.Parsed): unknown {
  const [firstError] = document.errors;
  if (firstError) {
    // The library's message continues with a multi-line source excerpt; its first line names the problem and position.
    const summary = firstError.message.split('\n')[0]?.replace(/:$/, '') ?? firstError.message;
    throw new NodeInputError(`the input is not valid JSON or YAML (${summary})`);
  }
  // A plain YAML scalar such as `kernelVersion: 4.20` would become the number 4.2 and be judged
  // as kernel 4.2. Only string fields are read here, so every number keeps its source text.
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && node.source !== undefined) node.value = node.source;
    },
  });
  try {
    return document.toJS();
  } catch (error) {
    // yaml stops an alias bomb (billion laughs) while expanding it: bad input, not a bug
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new NodeInputError('the input expands YAML aliases too often (an alias bomb); kubectl get nodes never writes aliases');
    }
    throw error;
  }
}

function objectsOf(value: unknown, wanted: string, where: string): Array<Record<string, unknown>> {
  if (!isRecord(value)) throw new NodeInputError(`${where}${describeNonObject(value, wanted)}`);
  const kind = value['kind'];
  if (kind === wanted) return [value];
  if (kind !== undefined && kind !== 'List' && kind !== `${wanted}List`) {
    throw new NodeInputError(`${where}the input is a ${String(kind)}, not a ${wanted} or a List of ${wanted}s`);
  }
  const items = value['items'];
  if (items === undefined) throw new NodeInputError(`${where}the input has no "items" field, so it is not a ${wanted.toLowerCase()} list`);
  if (!Array.isArray(items)) throw new NodeInputError(`${where}"items" is not a list`);
  return items.map((item: unknown, index) => {
    if (!isRecord(item)) throw new NodeInputError(`${where}items[${index}] is not an object`);
    const itemKind = item['kind'];
    // kubectl always sets kind on list items; a missing kind is tolerated, a different one is a wrong command.
    if (itemKind !== undefined && itemKind !== wanted) {
      throw new NodeInputError(`${where}items[${index}] is a ${String(itemKind)}, not a ${wanted}`);
    }
    return item;
  });
}

function factsOf(node: Record<string, unknown>): NodeFacts {
  const metadata = recordAt(node, 'metadata');
  const nodeInfo = recordAt(recordAt(node, 'status'), 'nodeInfo');
  return {
    // A Node without a name is malformed but its kernel can still be judged, so it is shown rather than rejected.
    name: stringAt(metadata, 'name') ?? '<no name>',
    kernelVersion: stringAt(nodeInfo, 'kernelVersion'),
    osImage: stringAt(nodeInfo, 'osImage'),
    operatingSystem: stringAt(nodeInfo, 'operatingSystem'),
    containerRuntimeVersion: stringAt(nodeInfo, 'containerRuntimeVersion'),
    kubeletVersion: stringAt(nodeInfo, 'kubeletVersion'),
  };
}

function describeNonObject(value: unknown, kind: string): string {
  if (typeof value === 'string') {
    // The most likely mistake: piping the default table output of `kubectl get nodes`.
    if (/^(?:NAMESPACE|NAME)\s/.test(value))
      return `the input looks like the table printed by \`kubectl get ${kind.toLowerCase()}s\`, not its JSON or YAML`;
    return 'the input is plain text, not a JSON or YAML object';
  }
  if (Array.isArray(value)) return `the input is a bare list; expected a ${kind} List object with an "items" field`;
  return `the input is ${value === null ? 'null' : `a ${typeof value}`}, not a JSON or YAML object`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function recordAt(parent: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const child = parent?.[key];
  return isRecord(child) ? child : undefined;
}

export function stringAt(parent: Record<string, unknown> | undefined, key: string): string | undefined {
  const child = parent?.[key];
  return typeof child === 'string' && child !== '' ? child : undefined;
}
