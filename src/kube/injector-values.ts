// `data.values` of the istio-sidecar-injector ConfigMap: the istiod chart's values as JSON text
// (Helm's toPrettyJson), which every injection template reads as `.Values`. When
// `gateways.securityContext` is set, the gateway, kube-gateway and agentgateway templates render
// it in place of their own sysctl (`{{ if .Values.gateways.securityContext }} toYaml ...`), so a
// sysctl in it comes back in every gateway pod. It is edited as text: only the removed entries'
// bytes change, the rest of the JSON keeps its formatting and escapes.
import { isNamedSysctl } from './sysctl-names.js';

/** Where an IstioOperator (and a Sail Istio, whose CRD prunes it) holds that value. */
export const GATEWAY_SECURITY_CONTEXT = ['spec', 'values', 'gateways', 'securityContext'] as const;

/** A JSON value's span in the text, and for objects and arrays their members. */
interface Span {
  start: number;
  end: number;
  kind: 'object' | 'array' | 'scalar';
  members: { key?: string; value: Span }[];
}

class JsonScanner {
  private at = 0;
  constructor(private readonly text: string) {}

  parse(): Span | undefined {
    try {
      const value = this.value();
      this.space();
      return this.at === this.text.length ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private space(): void {
    while (this.at < this.text.length && ' \t\r\n'.includes(this.text[this.at] as string)) this.at++;
  }

  private string(): string {
    const start = this.at;
    this.at++;
    while (this.at < this.text.length && this.text[this.at] !== '"') this.at += this.text[this.at] === '\\' ? 2 : 1;
    if (this.at >= this.text.length) throw new Error('unterminated string');
    this.at++;
    return JSON.parse(this.text.slice(start, this.at)) as string;
  }

  private value(): Span {
    this.space();
    const start = this.at;
    const open = this.text[this.at];
    if (open === '{' || open === '[') {
      this.at++;
      const members: Span['members'] = [];
      this.space();
      const close = open === '{' ? '}' : ']';
      if (this.text[this.at] === close) {
        this.at++;
        return { start, end: this.at, kind: open === '{' ? 'object' : 'array', members };
      }
      for (;;) {
        this.space();
        let key: string | undefined;
        if (open === '{') {
          if (this.text[this.at] !== '"') throw new Error('key expected');
          key = this.string();
          this.space();
          if (this.text[this.at++] !== ':') throw new Error('colon expected');
        }
        members.push({ ...(key !== undefined ? { key } : {}), value: this.value() });
        this.space();
        const next = this.text[this.at++];
        if (next === close) return { start, end: this.at, kind: open === '{' ? 'object' : 'array', members };
        if (next !== ',') throw new Error('comma expected');
      }
    }
    if (open === '"') {
      this.string();
      return { start, end: this.at, kind: 'scalar', members: [] };
    }
    const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.at));
    if (!literal) throw new Error('value expected');
    this.at += literal[0].length;
    return { start, end: this.at, kind: 'scalar', members: [] };
  }
}

function member(span: Span | undefined, key: string): Span | undefined {
  return span?.kind === 'object' ? span.members.find((m) => m.key === key)?.value : undefined;
}

export interface ValuesEdit {
  text: string;
  removed: string[];
}

/**
 * Removes the named sysctls from `gateways.securityContext.sysctls` in the values JSON. An emptied
 * list stays `[]`: the securityContext is still set, so the templates keep rendering it and not
 * their own sysctl. Returns undefined when there is nothing to remove (or the text is not JSON).
 */
export function removeSysctlsFromValues(text: string, names: readonly string[]): ValuesEdit | undefined {
  const root = new JsonScanner(text).parse();
  const sysctls = member(member(member(root, 'gateways'), 'securityContext'), 'sysctls');
  if (!sysctls || sysctls.kind !== 'array') return undefined;
  const items = sysctls.members.map((m) => m.value);
  const nameOf = (item: Span): string | undefined => {
    const name = member(item, 'name');
    if (!name || name.kind !== 'scalar') return undefined;
    const value: unknown = JSON.parse(text.slice(name.start, name.end));
    return typeof value === 'string' ? value : undefined;
  };
  const doomed = items.filter((item) => isNamedSysctl(nameOf(item), names));
  if (doomed.length === 0) return undefined;
  const removed = doomed.map((item) => nameOf(item) as string);
  if (doomed.length === items.length) return { text: `${text.slice(0, sysctls.start)}[]${text.slice(sysctls.end)}`, removed };
  // Rebuild the list from the kept items' own text, joined by the separator the list already uses.
  const first = items[0] as Span;
  const last = items[items.length - 1] as Span;
  const separator = items.length > 1 ? text.slice(first.end, (items[1] as Span).start) : ', ';
  const kept = items.filter((item) => !doomed.includes(item)).map((item) => text.slice(item.start, item.end));
  return { text: `${text.slice(0, first.start)}${kept.join(separator)}${text.slice(last.end)}`, removed };
}
