// The istio-sidecar-injector ConfigMap of a render, read as data: its templates (data.config) and
// the values its templates see (data.values).
import { parse } from 'yaml';
import { isPlainMap, metadataOf, type Plain } from '../export/objects.js';

export const INJECTOR_NAME = /^istio-sidecar-injector(-[a-z0-9.-]+)?$/;
export const GATEWAY_TEMPLATES = ['gateway', 'kube-gateway', 'agentgateway'] as const;

export function isInjectorConfigMap(object: Plain): boolean {
  return object.apiVersion === 'v1' && object.kind === 'ConfigMap' && INJECTOR_NAME.test(metadataOf(object).name);
}

function dataOf(object: Plain): Plain {
  return isPlainMap(object.data) ? object.data : {};
}

/** templates.<name> of data.config, each a Go-template string. */
export function templatesOf(object: Plain): Record<string, string> {
  const config = dataOf(object).config;
  if (typeof config !== 'string') return {};
  const parsed: unknown = parse(config);
  const templates = isPlainMap(parsed) && isPlainMap(parsed.templates) ? parsed.templates : {};
  return Object.fromEntries(Object.entries(templates).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** data.values, the chart values the templates read as .Values; {} when absent or not JSON. */
export function injectorValuesOf(object: Plain): Plain {
  const values = dataOf(object).values;
  if (typeof values !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(values);
    return isPlainMap(parsed) ? parsed : {};
  } catch {
    return {};
  }
}
