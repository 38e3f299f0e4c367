// A bundle is what the documented one-liner writes: `kubectl get <type> -A -o json` for several
// types, one JSON value after another (or the same as YAML documents). This reads it into the
// objects of each kind doctor looks at; Lists are flattened, other kinds are ignored.
import { parseAllDocuments } from 'yaml';
import { UserError } from '../errors.js';
import { isRecord } from '../nodes/node-list.js';

export type KubeRecord = Record<string, unknown>;

export interface Bundle {
  nodes: KubeRecord[];
  pods: KubeRecord[];
  deployments: KubeRecord[];
  services: KubeRecord[];
  configMaps: KubeRecord[];
  events: KubeRecord[];
  gateways: KubeRecord[];
  istios: KubeRecord[];
  /** objects of kinds doctor does not read */
  ignored: number;
}

export const BUNDLE_COMMAND =
  'for r in nodes pods deployments services configmaps events gateways.gateway.networking.k8s.io istios.sailoperator.io; do kubectl get "$r" -A -o json 2>/dev/null; done > bundle.json';

const bad = (message: string): UserError => new UserError(`gateway-compat doctor: ${message}\nMake a bundle with:\n  ${BUNDLE_COMMAND}`, 2);

export function readBundle(text: string): Bundle {
  const values = text.trimStart().startsWith('{') ? jsonValues(text) : yamlValues(text);
  const bundle: Bundle = {
    nodes: [],
    pods: [],
    deployments: [],
    services: [],
    configMaps: [],
    events: [],
    gateways: [],
    istios: [],
    ignored: 0,
  };
  const add = (object: KubeRecord): void => {
    const kind = object['kind'];
    const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '';
    if (kind === 'Node') bundle.nodes.push(object);
    else if (kind === 'Pod') bundle.pods.push(object);
    else if (kind === 'Deployment') bundle.deployments.push(object);
    else if (kind === 'Service') bundle.services.push(object);
    else if (kind === 'ConfigMap') bundle.configMaps.push(object);
    else if (kind === 'Event') bundle.events.push(object);
    else if (kind === 'Gateway' && apiVersion.startsWith('gateway.networking.k8s.io/')) bundle.gateways.push(object);
    else if (kind === 'Istio' && apiVersion.startsWith('sailoperator.io/')) bundle.istios.push(object);
    else bundle.ignored += 1;
  };
  values.forEach((value, index) => {
    if (!isRecord(value)) throw bad(`value ${index + 1} of the bundle is not a JSON object`);
    const items = value['items'];
    if (typeof value['kind'] === 'string' && value['kind'].endsWith('List') && Array.isArray(items)) {
      for (const item of items) if (isRecord(item)) add(item);
    } else add(value);
  });
  if (values.length === 0) throw bad('the bundle holds no JSON or YAML object');
  return bundle;
}

/**
 * kubectl prints one JSON value per command; concatenated, they are not one JSON document. Splits
 * at the end of each top-level value (strings and escapes tracked) and parses each with JSON.parse.
 */
function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (inString) {
      if (char === '\\') at += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') {
      if (depth === 0) start = at;
      depth += 1;
    } else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth < 0) throw bad(`unexpected "${char}" at ${position(text, at)}`);
      if (depth === 0) values.push(parseJson(text, start, at + 1));
    } else if (depth === 0 && !/\s/.test(char!)) {
      throw bad(`unexpected text at ${position(text, at)}: the bundle must be kubectl's JSON (-o json) or YAML (-o yaml) output`);
    }
  }
  if (depth !== 0 || inString)
    throw bad(`the bundle ends in the middle of a JSON value (value ${values.length + 1}); was a kubectl command cut short?`);
  return values;
}

function parseJson(text: string, start: number, end: number): unknown {
  try {
    return JSON.parse(text.slice(start, end));
  } catch (error) {
    throw bad(`the JSON value starting at ${position(text, start)} is not valid: ${(error as Error).message}`);
  }
}

function yamlValues(text: string): unknown[] {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return [];
  return documents.flatMap((document, index) => {
    const [first] = document.errors;
    if (first) throw bad(`document ${index + 1} is not valid YAML: ${first.message.split('\n')[0]}`);
    const value: unknown = document.toJS();
    return value == null ? [] : [value];
  });
}

function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}:${offset - before.lastIndexOf('\n')}`;
}
