import { readFileSync } from 'node:fs';
import { diffLines } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  grantProxyPrivilegesInTemplate,
  removeSysctlsFromTemplate,
  templateHasSysctl,
  type ProxyPrivileges,
} from '../../src/gotemplate/index.js';

import { SYSCTL } from '../helpers/manifests.js';

// A fixed seed, printed: GATEWAY_COMPAT_PROPERTY_SEED replays one (or "random").
const SEED_TEXT = process.env.GATEWAY_COMPAT_PROPERTY_SEED ?? '4711';
const SEED = SEED_TEXT === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(SEED_TEXT);
if (!Number.isSafeInteger(SEED)) throw new Error(`GATEWAY_COMPAT_PROPERTY_SEED must be a whole number or "random", not ${SEED_TEXT}`);
process.stdout.write(
  `template-text test: seed ${SEED} (replay: GATEWAY_COMPAT_PROPERTY_SEED=${SEED} npx vitest run test/gotemplate/template-text.test.ts)\n`,
);
const BOTH: ProxyPrivileges = { netBindService: true, runAsRoot: true };
const PRIVILEGE_CHOICES: ReadonlyArray<[string, ProxyPrivileges]> = [
  ['NET_BIND_SERVICE', { netBindService: true, runAsRoot: false }],
  ['root', { netBindService: false, runAsRoot: true }],
  ['both', BOTH],
];

// ---------------------------------------------------------------------------------------------
// Corpus access (read in place; never copied into the repo)

const cache = new Map<string, string>();
function corpus(path: string): string {
  let text = cache.get(path);
  if (text === undefined) {
    text = readFileSync(new URL(`../../../shared/corpus/${path}`, import.meta.url), 'utf8');
    cache.set(path, text);
  }
  return text;
}

interface ManifestObject {
  kind?: string;
  metadata?: { name?: string };
  data?: { config?: string };
}

const injectorTemplates = new Map<string, Record<string, string>>();

/** `templates.<name>` from `data.config` of the istio-sidecar-injector ConfigMap in a rendered file. */
function embeddedTemplate(path: string, name: string): string {
  let templates = injectorTemplates.get(path);
  if (!templates) {
    templates = readInjectorTemplates(path);
    injectorTemplates.set(path, templates);
  }
  const template = templates[name];
  if (template === undefined) throw new Error(`${path}: no template ${name}`);
  return template;
}

function readInjectorTemplates(path: string): Record<string, string> {
  for (const document of parseAllDocuments(corpus(path))) {
    const object = document.toJS() as ManifestObject | null;
    if (object?.kind !== 'ConfigMap' || !object.metadata?.name?.startsWith('istio-sidecar-injector')) continue;
    const config = parse(object.data?.config ?? '') as { templates?: Record<string, string> };
    return config.templates ?? {};
  }
  throw new Error(`${path}: no istio-sidecar-injector ConfigMap`);
}

interface CorpusForm {
  label: string;
  text: () => string;
  /** Whether the template has an istio-proxy container (agentgateway has its own container). */
  hasProxy: boolean;
}

const RELEASE_FILES = ['1.22.0', '1.24.0', '1.27.0'].flatMap((version) =>
  ['gateway-injection-template', 'kube-gateway'].map((name) => `istio/injection-templates/${version}/${name}.yaml`),
);
const RENDERED_WITH_TEMPLATES = [
  'istio/rendered-helm/1.31.0-rc.0/istiod-waypoint-workload-socket.golden.yaml',
  'third-party-rendered/kubeflow-manifests/install.yaml',
  'third-party-rendered/net-istio/istio-kind-no-mesh/istio.yaml',
];

const SYSCTL_FORMS: CorpusForm[] = [
  {
    label: '1.20.0 kube-gateway (if .KubeVersion122)',
    text: () => corpus('istio/injection-templates/1.20.0/kube-gateway.yaml'),
    hasProxy: true,
  },
  ...RELEASE_FILES.map((path) => ({ label: path, text: () => corpus(path), hasProxy: true })),
  ...RENDERED_WITH_TEMPLATES.flatMap((path) =>
    ['gateway', 'kube-gateway', 'agentgateway'].map((name) => ({
      label: `${path} templates.${name}`,
      text: () => embeddedTemplate(path, name),
      hasProxy: name !== 'agentgateway',
    })),
  ),
  {
    label: 'istioctl 1.27.0 pilot_default templates.kube-gateway',
    text: () => embeddedTemplate('istio/rendered-istioctl/1.27.0/pilot_default.golden.yaml', 'kube-gateway'),
    hasProxy: true,
  },
];
const GATEWAY_1_20 = 'istio/injection-templates/1.20.0/gateway-injection-template.yaml';
const PROXY_FORMS: CorpusForm[] = [
  { label: GATEWAY_1_20, text: () => corpus(GATEWAY_1_20), hasProxy: true },
  ...SYSCTL_FORMS.filter((form) => form.hasProxy),
];

// ---------------------------------------------------------------------------------------------
// A small Go-template renderer: enough of text/template to turn the templates into YAML with
// plausible values, so we can check that the edited template still renders to sane YAML.

type Segment = { text: string } | { action: string };
type TemplateNode =
  string | { output: string } | { block: 'if' | 'with' | 'range'; branches: Array<{ cond: string | undefined; body: TemplateNode[] }> };

function actionEnd(source: string, from: number): number {
  if (/^-?\s*\/\*/.test(source.slice(from))) return source.indexOf('}}', source.indexOf('*/', from) + 2);
  for (let i = from; i < source.length; i++) {
    const ch = source[i];
    if (ch === '"' || ch === '`') i = source.indexOf(ch, i + 1);
    else if (ch === '}' && source[i + 1] === '}') return i;
  }
  throw new Error('unclosed action');
}

function segmentsOf(source: string): Segment[] {
  const segments: Segment[] = [];
  let cursor = 0;
  while (cursor < source.length) {
    const open = source.indexOf('{{', cursor);
    if (open < 0) {
      segments.push({ text: source.slice(cursor) });
      break;
    }
    const close = actionEnd(source, open + 2);
    const raw = source.slice(open + 2, close);
    const before = source.slice(cursor, open);
    segments.push({ text: /^-\s/.test(raw) ? before.replace(/\s+$/, '') : before });
    segments.push({ action: raw.replace(/^-\s/, '').replace(/\s-$/, '').trim() });
    cursor = close + 2;
    if (/\s-$/.test(raw)) while (cursor < source.length && /\s/.test(source[cursor] ?? '')) cursor++;
  }
  return segments;
}

function parseGoTemplate(source: string): TemplateNode[] {
  const segments = segmentsOf(source);
  let index = 0;
  const readBody = (): { nodes: TemplateNode[]; stop?: string } => {
    const nodes: TemplateNode[] = [];
    while (index < segments.length) {
      const segment = segments[index++]!;
      if ('text' in segment) {
        nodes.push(segment.text);
        continue;
      }
      const word = /^(\w+)/.exec(segment.action)?.[1];
      if (word === 'if' || word === 'with' || word === 'range') {
        const branches: Array<{ cond: string | undefined; body: TemplateNode[] }> = [
          { cond: segment.action.slice(word.length).trim(), body: [] },
        ];
        for (;;) {
          const part = readBody();
          branches[branches.length - 1]!.body = part.nodes;
          if (part.stop === undefined) throw new Error('missing {{ end }}');
          if (part.stop === 'end') break;
          const rest = part.stop.replace(/^else\s*/, '');
          branches.push({ cond: rest === '' ? undefined : rest.replace(/^(if|with)\s+/, ''), body: [] });
        }
        nodes.push({ block: word, branches });
      } else if (word === 'else' || word === 'end') {
        return { nodes, stop: segment.action };
      } else {
        nodes.push({ output: segment.action });
      }
    }
    return { nodes };
  };
  return readBody().nodes;
}

/** A value of the right shape for an output action: a mapping where it is indented in, else a scalar. */
function plausibleOutput(expression: string): string {
  if (expression.startsWith('/*') || /^\$\w*\s*:?=/.test(expression)) return '';
  const nindent = /\bnindent (\d+)/.exec(expression);
  if (nindent) return `\n${' '.repeat(Number(nindent[1]))}rendered: value`;
  const indent = /\bindent (\d+)/.exec(expression);
  if (indent) return `${' '.repeat(Number(indent[1]))}rendered: value`;
  return 'x1';
}

/** Renders with each condition decided by `truthy`; `range` loops run zero times. */
function renderGoTemplate(source: string, truthy: (condition: string) => boolean): string {
  const run = (nodes: readonly TemplateNode[]): string =>
    nodes
      .map((node) => {
        if (typeof node === 'string') return node;
        if ('output' in node) return plausibleOutput(node.output);
        const taken = node.branches.find((branch, position) => {
          if (branch.cond === undefined) return true;
          return node.block === 'range' && position === 0 ? false : truthy(branch.cond);
        });
        return taken ? run(taken.body) : '';
      })
      .join('');
  return run(parseGoTemplate(source));
}

const SCENARIOS: ReadonlyArray<[string, (condition: string) => boolean]> = [
  ['every condition false', () => false],
  ['every condition true but gateways.securityContext', (condition) => !condition.includes('gateways.securityContext')],
  ['only gateways.securityContext set', (condition) => condition.includes('gateways.securityContext')],
];

function renderToObjects(source: string, truthy: (condition: string) => boolean): unknown[] {
  const documents = parseAllDocuments(renderGoTemplate(source, truthy));
  const documentList = Array.isArray(documents) ? documents : [];
  for (const document of documentList) expect(document.errors.map((error) => error.message)).toEqual([]);
  return documentList.map((document) => document.toJS() as unknown);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Applies `change` to every object in a JSON tree (depth first, in place). */
function visitObjects(value: unknown, change: (object: Record<string, Json>) => void): void {
  if (Array.isArray(value)) value.forEach((item) => visitObjects(item, change));
  else if (value !== null && typeof value === 'object') {
    const object = value as Record<string, Json>;
    Object.values(object).forEach((child) => visitObjects(child, change));
    change(object);
  }
}

function withoutSysctl(objects: unknown[], name: string): unknown[] {
  const copy = structuredClone(objects);
  visitObjects(copy, (object) => {
    const sysctls = object['sysctls'];
    if (Array.isArray(sysctls)) {
      object['sysctls'] = sysctls.filter((item) => !(item && typeof item === 'object' && !Array.isArray(item) && item['name'] === name));
    }
  });
  return copy;
}

/** What the grant should do to a rendered pod: the istio-proxy container gets the privileges. */
function withGrant(objects: unknown[], privileges: ProxyPrivileges): unknown[] {
  const copy = structuredClone(objects);
  visitObjects(copy, (object) => {
    const containers = object['containers'];
    if (!Array.isArray(containers)) return;
    for (const container of containers) {
      if (!container || typeof container !== 'object' || Array.isArray(container) || container['name'] !== 'istio-proxy') continue;
      const securityContext = (container['securityContext'] ?? {}) as Record<string, Json>;
      if (privileges.netBindService) {
        const capabilities = (securityContext['capabilities'] ?? {}) as Record<string, Json>;
        const add = (capabilities['add'] ?? []) as Json[];
        if (!add.includes('NET_BIND_SERVICE')) add.push('NET_BIND_SERVICE');
        capabilities['add'] = add;
        securityContext['capabilities'] = capabilities;
      }
      if (privileges.runAsRoot) Object.assign(securityContext, { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false });
      container['securityContext'] = securityContext;
    }
  });
  return copy;
}

function proxySecurityContexts(objects: unknown[]): Array<Record<string, Json>> {
  const found: Array<Record<string, Json>> = [];
  visitObjects(objects, (object) => {
    const containers = object['containers'];
    if (!Array.isArray(containers)) return;
    for (const container of containers) {
      if (container && typeof container === 'object' && !Array.isArray(container) && container['name'] === 'istio-proxy') {
        found.push(container['securityContext'] as Record<string, Json>);
      }
    }
  });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Diff helpers

function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const removed: string[] = [];
  const added: string[] = [];
  for (const part of diffLines(before, after)) {
    const lines = part.value.split(/(?<=\n)/);
    if (part.removed) removed.push(...lines);
    else if (part.added) added.push(...lines);
  }
  return { removed, added };
}

function linesWithEnds(text: string): string[] {
  return text.split(/(?<=\n)/);
}

function countOf(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

const GO_CONTROLS = /\{\{-?\s*(if|else|end|range|with)\b/g;

// ---------------------------------------------------------------------------------------------

describe('removeSysctlsFromTemplate on the corpus templates', () => {
  describe.each(SYSCTL_FORMS)('$label', ({ text }) => {
    it('removes the item and writes `sysctls: []` at the same indentation, nothing else', () => {
      const original = text();
      const result = removeSysctlsFromTemplate(original, [SYSCTL]);

      expect(result.text).not.toContain(SYSCTL);
      const lines = linesWithEnds(original);
      const itemIndex = lines.findIndex((line) => line.includes(SYSCTL));
      const keyLine = lines[itemIndex - 1]!;
      expect(keyLine).toMatch(/^\s+sysctls:\n$/);
      expect(changedLines(original, result.text)).toEqual({
        removed: [keyLine, lines[itemIndex], lines[itemIndex + 1]],
        added: [keyLine.replace('sysctls:', 'sysctls: []')],
      });
      expect(lines[itemIndex + 1]).toMatch(/^\s+value: "0"\n$/);
      expect(result.edits.map((edit) => edit.line)).toEqual([itemIndex, itemIndex + 1]);
    });

    it('keeps every Go control line, so the template still nests', () => {
      const original = text();
      const result = removeSysctlsFromTemplate(original, [SYSCTL]);
      expect(countOf(result.text, GO_CONTROLS)).toBe(countOf(original, GO_CONTROLS));
    });

    it('is idempotent', () => {
      const once = removeSysctlsFromTemplate(text(), [SYSCTL]).text;
      expect(removeSysctlsFromTemplate(once, [SYSCTL])).toEqual({ text: once, edits: [] });
    });

    it('is detected before and not after', () => {
      expect(templateHasSysctl(text(), [SYSCTL])).toBe(true);
      expect(templateHasSysctl(removeSysctlsFromTemplate(text(), [SYSCTL]).text, [SYSCTL])).toBe(false);
    });

    it.each(SCENARIOS)('renders to the same YAML minus the sysctl (%s)', (_name, truthy) => {
      const original = text();
      const edited = removeSysctlsFromTemplate(original, [SYSCTL]).text;
      expect(renderToObjects(edited, truthy)).toEqual(withoutSysctl(renderToObjects(original, truthy), SYSCTL));
    });
  });

  it('the rendered pod securityContext becomes `sysctls: []`, never null', () => {
    const edited = removeSysctlsFromTemplate(corpus('istio/injection-templates/1.27.0/gateway-injection-template.yaml'), [SYSCTL]).text;
    const [overlay] = renderToObjects(edited, () => false) as Array<{ spec: { securityContext: unknown } }>;
    expect(overlay?.spec.securityContext).toEqual({ sysctls: [] });
  });

  it('leaves the 1.20.0 gateway template (no sysctl) byte for byte', () => {
    const original = corpus(GATEWAY_1_20);
    expect(templateHasSysctl(original, [SYSCTL])).toBe(false);
    expect(removeSysctlsFromTemplate(original, [SYSCTL])).toEqual({ text: original, edits: [] });
  });

  it('keeps CRLF line endings of a corpus template', () => {
    const original = corpus('istio/injection-templates/1.24.0/kube-gateway.yaml').replace(/\n/g, '\r\n');
    const result = removeSysctlsFromTemplate(original, [SYSCTL]);
    expect(result.text).toBe(removeSysctlsFromTemplate(original.replace(/\r\n/g, '\n'), [SYSCTL]).text.replace(/\n/g, '\r\n'));
    expect(result.text).toContain('        sysctls: []\r\n      {{- if .Values.gateways.seccompProfile }}\r\n');
  });
});

describe('removeSysctlsFromTemplate golden cases', () => {
  const cases: ReadonlyArray<[string, string, string]> = [
    [
      'keeps the other sysctl of two',
      'spec:\n  securityContext:\n    sysctls:\n    - name: net.core.somaxconn\n      value: "1024"\n    - name: net.ipv4.ip_unprivileged_port_start\n      value: "0"\n  containers: []\n',
      'spec:\n  securityContext:\n    sysctls:\n    - name: net.core.somaxconn\n      value: "1024"\n  containers: []\n',
    ],
    [
      'keeps the other sysctl when ours comes first',
      'securityContext:\n  sysctls:\n  - name: net.ipv4.ip_unprivileged_port_start\n    value: "0"\n  - name: kernel.shm_rmid_forced\n    value: "1"\n',
      'securityContext:\n  sysctls:\n  - name: kernel.shm_rmid_forced\n    value: "1"\n',
    ],
    [
      'reversed keys',
      'securityContext:\n  sysctls:\n    - value: "0"\n      name: net.ipv4.ip_unprivileged_port_start\n  runAsUser: 1\n',
      'securityContext:\n  sysctls: []\n  runAsUser: 1\n',
    ],
    [
      'quoted name and trailing comment',
      'securityContext:\n  sysctls: # kernel tunables\n  - name: "net.ipv4.ip_unprivileged_port_start" # ports < 1024\n    value: "0"\n',
      'securityContext:\n  sysctls: [] # kernel tunables\n',
    ],
    [
      'a bare dash item',
      'securityContext:\n  sysctls:\n  -\n    name: net.ipv4.ip_unprivileged_port_start\n    value: "0"\n',
      'securityContext:\n  sysctls: []\n',
    ],
    [
      'Go directive and comment between the key and the item',
      'securityContext:\n  sysctls:\n  {{- if .Values.lowPorts }}\n  # needed below 1024\n  - name: net.ipv4.ip_unprivileged_port_start\n    value: "0"\n  {{- end }}\nserviceAccountName: x\n',
      'securityContext:\n  sysctls: []\n  {{- if .Values.lowPorts }}\n  # needed below 1024\n  {{- end }}\nserviceAccountName: x\n',
    ],
    [
      'Go branches inside the item: values go, the control lines stay balanced',
      'securityContext:\n  sysctls:\n  - name: net.ipv4.ip_unprivileged_port_start\n    {{- if .Values.zero }}\n    value: "0"\n    {{- else }}\n    value: "1"\n    {{- end }}\n  runAsUser: 1\n',
      'securityContext:\n  sysctls: []\n    {{- if .Values.zero }}\n    {{- else }}\n    {{- end }}\n  runAsUser: 1\n',
    ],
    [
      'flow list with one item',
      'securityContext:\n  sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "0"}]\n',
      'securityContext:\n  sysctls: []\n',
    ],
    [
      'flow list with two items and a comment',
      'securityContext:\n  sysctls: [{name: net.core.somaxconn, value: "1024"}, {"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}] # tuned\n',
      'securityContext:\n  sysctls: [{name: net.core.somaxconn, value: "1024"}] # tuned\n',
    ],
    [
      'block item written as a flow mapping',
      'securityContext:\n  sysctls:\n  - {name: net.ipv4.ip_unprivileged_port_start, value: "0"}\n  - {name: net.core.somaxconn, value: "1024"}\n',
      'securityContext:\n  sysctls:\n  - {name: net.core.somaxconn, value: "1024"}\n',
    ],
    [
      'no final newline',
      'securityContext:\n  sysctls:\n  - name: net.ipv4.ip_unprivileged_port_start\n    value: "0"',
      'securityContext:\n  sysctls: []',
    ],
    [
      'trailing whitespace elsewhere is kept',
      'metadata:   \n  name: x \t\nsecurityContext:\n  sysctls:\n  - name: net.ipv4.ip_unprivileged_port_start\n    value: "0"\n',
      'metadata:   \n  name: x \t\nsecurityContext:\n  sysctls: []\n',
    ],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    const result = removeSysctlsFromTemplate(input, [SYSCTL]);
    expect(result.text).toBe(expected);
    expect(result.edits.length).toBeGreaterThan(0);
    expect(removeSysctlsFromTemplate(result.text, [SYSCTL]).text).toBe(expected);
  });

  it('keeps `sysctls:` open when an action may render more items', () => {
    const input =
      'securityContext:\n  sysctls:\n  - name: net.ipv4.ip_unprivileged_port_start\n    value: "0"\n  {{- toYaml .Values.extraSysctls | nindent 2 }}\n';
    expect(removeSysctlsFromTemplate(input, [SYSCTL]).text).toBe(
      'securityContext:\n  sysctls:\n  {{- toYaml .Values.extraSysctls | nindent 2 }}\n',
    );
  });

  it('removes several names at once', () => {
    const input = 'sysctls:\n- name: a.b\n  value: "1"\n- name: c.d\n  value: "2"\n- name: e.f\n  value: "3"\n';
    const result = removeSysctlsFromTemplate(input, ['a.b', 'e.f']);
    expect(result.text).toBe('sysctls:\n- name: c.d\n  value: "2"\n');
    expect(result.edits).toEqual([
      { line: 2, message: 'removed sysctl a.b' },
      { line: 6, message: 'removed sysctl e.f' },
    ]);
  });

  it('reports lines of the original text', () => {
    const input = 'a: 1\nsecurityContext:\n  sysctls:\n  - name: net.ipv4.ip_unprivileged_port_start\n    value: "0"\n';
    expect(removeSysctlsFromTemplate(input, [SYSCTL]).edits).toEqual([
      { line: 3, message: expect.stringContaining('sysctls: []') as unknown as string },
      { line: 4, message: `removed sysctl ${SYSCTL}` },
    ]);
  });

  it('keeps CRLF line endings on lines it rewrites and the lines around them', () => {
    const input =
      'spec:\r\n  securityContext:\r\n    sysctls:\r\n    - name: net.ipv4.ip_unprivileged_port_start\r\n      value: "0"\r\n  containers: []\r\n';
    expect(removeSysctlsFromTemplate(input, [SYSCTL]).text).toBe('spec:\r\n  securityContext:\r\n    sysctls: []\r\n  containers: []\r\n');
  });

  it('leaves text that only mentions the name elsewhere alone', () => {
    const inputs = [
      '# net.ipv4.ip_unprivileged_port_start is set by the chart\nspec: {}\n',
      'env:\n- name: NOTE\n  value: net.ipv4.ip_unprivileged_port_start\n',
      'data:\n  note: |\n    sysctls:\n    - name: net.ipv4.ip_unprivileged_port_start\n',
    ];
    for (const input of inputs) {
      expect(templateHasSysctl(input, [SYSCTL])).toBe(false);
      expect(removeSysctlsFromTemplate(input, [SYSCTL])).toEqual({ text: input, edits: [] });
    }
  });
});

describe('removeSysctlsFromTemplate properties', () => {
  const otherNames = ['net.core.somaxconn', 'kernel.shm_rmid_forced'];
  const itemArbitrary = fc.record({
    name: fc.constantFrom(SYSCTL, ...otherNames),
    form: fc.constantFrom('name-first', 'value-first', 'flow-item', 'commented'),
    guarded: fc.boolean(),
  });

  function itemLines(item: { name: string; form: string; guarded: boolean }, dash: string): string[] {
    const inner = ' '.repeat(dash.length + 2);
    const body =
      item.form === 'value-first'
        ? [`${dash}- value: "0"`, `${inner}name: ${item.name}`]
        : item.form === 'flow-item'
          ? [`${dash}- {name: ${item.name}, value: "0"}`]
          : [`${dash}- name: ${item.name}${item.form === 'commented' ? ' # why' : ''}`, `${inner}value: "0"`];
    return item.guarded ? [`${dash}{{- if .Values.x }}`, ...body, `${dash}{{- end }}`] : body;
  }

  it('removes exactly the named items, keeps the others, and is idempotent', () => {
    fc.assert(
      fc.property(
        fc.array(itemArbitrary, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('\n', '\r\n'),
        fc.constantFrom('    ', '      '),
        (items, eol, dash) => {
          const keyIndent = '    ';
          const lines = [
            'spec:',
            '  securityContext:',
            `${keyIndent}sysctls:`,
            ...items.flatMap((item) => itemLines(item, dash)),
            '  containers: []',
          ];
          const input = lines.join(eol) + eol;
          const result = removeSysctlsFromTemplate(input, [SYSCTL]);
          const ours = items.filter((item) => item.name === SYSCTL).length;
          expect(templateHasSysctl(input, [SYSCTL])).toBe(ours > 0);
          expect(templateHasSysctl(result.text, [SYSCTL])).toBe(false);
          expect(result.text.includes(SYSCTL)).toBe(false);
          for (const name of otherNames)
            expect(countOf(result.text, new RegExp(name, 'g'))).toBe(items.filter((item) => item.name === name).length);
          expect(result.text.startsWith(`spec:${eol}  securityContext:${eol}`)).toBe(true);
          expect(result.text.endsWith(`  containers: []${eol}`)).toBe(true);
          expect(result.text.split(eol).every((line) => !line.includes('\n') && !line.includes('\r'))).toBe(true);
          const emptied = ours === items.length;
          expect(result.text.includes(`${keyIndent}sysctls: []${eol}`)).toBe(emptied && ours > 0);
          expect(removeSysctlsFromTemplate(result.text, [SYSCTL]).text).toBe(result.text);
          if (ours === 0) expect(result).toEqual({ text: input, edits: [] });
        },
      ),
      { numRuns: 300, seed: SEED },
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('grantProxyPrivilegesInTemplate on the corpus templates', () => {
  describe.each(PROXY_FORMS)('$label', ({ text }) => {
    describe.each(PRIVILEGE_CHOICES)('%s', (_name, privileges) => {
      it.each(SCENARIOS)('renders the grant on istio-proxy and nothing else (%s)', (_scenario, truthy) => {
        const original = text();
        const edited = grantProxyPrivilegesInTemplate(original, privileges).text;
        const rendered = renderToObjects(edited, truthy);
        expect(rendered).toEqual(withGrant(renderToObjects(original, truthy), privileges));
        const contexts = proxySecurityContexts(rendered);
        expect(contexts.length).toBeGreaterThan(0);
        for (const context of contexts) {
          if (privileges.netBindService) {
            const capabilities = context['capabilities'] as { add: Json[]; drop?: Json[] };
            expect(capabilities.add.filter((capability) => capability === 'NET_BIND_SERVICE')).toHaveLength(1);
          }
          if (privileges.runAsRoot) expect(context).toMatchObject({ runAsUser: 0, runAsGroup: 0, runAsNonRoot: false });
        }
      });

      it('is idempotent', () => {
        const once = grantProxyPrivilegesInTemplate(text(), privileges);
        expect(once.edits.length).toBeGreaterThan(0);
        expect(grantProxyPrivilegesInTemplate(once.text, privileges)).toEqual({ text: once.text, edits: [] });
      });
    });

    it('changes only securityContext lines, and keeps drop ALL', () => {
      const original = text();
      const { removed, added } = changedLines(original, grantProxyPrivilegesInTemplate(original, BOTH).text);
      expect(removed.every((line) => /^\s+(runAsUser|runAsGroup|runAsNonRoot):/.test(line))).toBe(true);
      expect(
        added.every((line) => /^\s+(runAsUser: 0|runAsGroup: 0|runAsNonRoot: false|capabilities:|add:|- NET_BIND_SERVICE)\n$/.test(line)),
      ).toBe(true);
      expect(countOf(grantProxyPrivilegesInTemplate(original, BOTH).text, /- ALL\n/g)).toBe(countOf(original, /- ALL\n/g));
    });
  });

  it('1.27 kube-gateway: adds `add:` beside `drop: [ALL]` in the same list style', () => {
    const original = corpus('istio/injection-templates/1.27.0/kube-gateway.yaml');
    const result = grantProxyPrivilegesInTemplate(original, BOTH);
    expect(result.text).toContain(
      [
        '        securityContext:',
        '          capabilities:',
        '            drop:',
        '            - ALL',
        '            add:',
        '            - NET_BIND_SERVICE',
        '          allowPrivilegeEscalation: false',
        '          privileged: false',
        '          readOnlyRootFilesystem: true',
        '          runAsUser: 0',
        '          runAsGroup: 0',
        '          runAsNonRoot: false',
        '        ports:',
      ].join('\n'),
    );
  });

  it('1.20 kube-gateway: grants in both branches of `if .KubeVersion122`, NET_BIND_SERVICE still once', () => {
    const original = corpus('istio/injection-templates/1.20.0/kube-gateway.yaml');
    const result = grantProxyPrivilegesInTemplate(original, BOTH).text;
    const lines = result.split('\n');
    const start = lines.indexOf('        securityContext:');
    const end = lines.indexOf('        ports:', start);
    expect(lines.slice(start, end)).toEqual([
      '        securityContext:',
      '        {{- if .KubeVersion122 }}',
      '          # Safe since 1.22: https://github.com/kubernetes/kubernetes/pull/103326',
      '          capabilities:',
      '            drop:',
      '            - ALL',
      '            add:',
      '            - NET_BIND_SERVICE',
      '          allowPrivilegeEscalation: false',
      '          privileged: false',
      '          readOnlyRootFilesystem: true',
      '          runAsUser: 0',
      '          runAsGroup: 0',
      '          runAsNonRoot: false',
      '        {{- else }}',
      '          capabilities:',
      '            drop:',
      '            - ALL',
      '            add:',
      '            - NET_BIND_SERVICE',
      '          runAsUser: 0',
      '          runAsGroup: 0',
      '          runAsNonRoot: false',
      '          allowPrivilegeEscalation: true',
      '          readOnlyRootFilesystem: true',
      '        {{- end }}',
    ]);
  });

  it('agentgateway has no istio-proxy container and is left alone', () => {
    for (const path of RENDERED_WITH_TEMPLATES) {
      const template = embeddedTemplate(path, 'agentgateway');
      expect(grantProxyPrivilegesInTemplate(template, BOTH)).toEqual({ text: template, edits: [] });
    }
  });

  it('keeps CRLF line endings, also on inserted lines', () => {
    const original = corpus('istio/injection-templates/1.24.0/gateway-injection-template.yaml');
    const crlf = grantProxyPrivilegesInTemplate(original.replace(/\n/g, '\r\n'), BOTH).text;
    expect(crlf).toBe(grantProxyPrivilegesInTemplate(original, BOTH).text.replace(/\n/g, '\r\n'));
    expect(crlf).not.toMatch(/[^\r]\n/);
  });

  it('the gateway chart openshift variant: else branches fill every path, the toYaml branch stays the user’s', () => {
    const original = corpus('istio/charts/gateway-1.27.0/templates/deployment.yaml');
    const result = grantProxyPrivilegesInTemplate(original, BOTH).text;
    const lines = result.split('\n');
    const start = lines.indexOf('          securityContext:');
    const end = lines.indexOf('          env:', start);
    expect(lines.slice(start, end)).toEqual([
      '          securityContext:',
      '          {{- if .Values.containerSecurityContext }}',
      '            {{- toYaml .Values.containerSecurityContext | nindent 12 }}',
      '          {{- else }}',
      '            capabilities:',
      '              drop:',
      '              - ALL',
      '              add:',
      '              - NET_BIND_SERVICE',
      '            allowPrivilegeEscalation: false',
      '            privileged: false',
      '            readOnlyRootFilesystem: true',
      '            {{- if not (eq (.Values.platform | default "") "openshift") }}',
      '            runAsUser: 0',
      '            runAsGroup: 0',
      '            {{- else }}',
      '            runAsUser: 0',
      '            runAsGroup: 0',
      '            {{- end }}',
      '            runAsNonRoot: false',
      '          {{- end }}',
    ]);
    expect(grantProxyPrivilegesInTemplate(result, BOTH).text).toBe(result);
  });
});

describe('grantProxyPrivilegesInTemplate golden cases', () => {
  const cases: ReadonlyArray<[string, ProxyPrivileges, string, string]> = [
    [
      'adds a securityContext when the container has none',
      BOTH,
      'spec:\n  containers:\n  - name: app\n    image: app\n  - name: istio-proxy\n    image: auto\n    ports:\n    - containerPort: 80\n',
      'spec:\n  containers:\n  - name: app\n    image: app\n  - name: istio-proxy\n    image: auto\n    ports:\n    - containerPort: 80\n    securityContext:\n      capabilities:\n        add:\n        - NET_BIND_SERVICE\n      runAsUser: 0\n      runAsGroup: 0\n      runAsNonRoot: false\n',
    ],
    [
      'follows indented list style and 4-space mappings',
      { netBindService: true, runAsRoot: false },
      'containers:\n    - name: istio-proxy\n      securityContext:\n          runAsUser: 1337\n      ports:\n          - containerPort: 80\n',
      'containers:\n    - name: istio-proxy\n      securityContext:\n          runAsUser: 1337\n          capabilities:\n              add:\n                  - NET_BIND_SERVICE\n      ports:\n          - containerPort: 80\n',
    ],
    [
      'adds to an existing add list and keeps its entries',
      { netBindService: true, runAsRoot: false },
      'containers:\n- name: istio-proxy\n  securityContext:\n    capabilities:\n      add:\n      - NET_ADMIN\n      drop:\n      - ALL\n',
      'containers:\n- name: istio-proxy\n  securityContext:\n    capabilities:\n      add:\n      - NET_ADMIN\n      - NET_BIND_SERVICE\n      drop:\n      - ALL\n',
    ],
    [
      'flow lists: drop [ALL] kept, add written in flow style',
      { netBindService: true, runAsRoot: false },
      'containers:\n- name: istio-proxy\n  securityContext:\n    capabilities:\n      drop: [ALL]\n',
      'containers:\n- name: istio-proxy\n  securityContext:\n    capabilities:\n      drop: [ALL]\n      add: [NET_BIND_SERVICE]\n',
    ],
    [
      'flow add list gets the capability appended',
      { netBindService: true, runAsRoot: false },
      'containers:\n- name: istio-proxy\n  securityContext:\n    capabilities:\n      add: [NET_ADMIN] # tproxy\n      drop: [ALL]\n',
      'containers:\n- name: istio-proxy\n  securityContext:\n    capabilities:\n      add: [NET_ADMIN, NET_BIND_SERVICE] # tproxy\n      drop: [ALL]\n',
    ],
    [
      'a duplicate NET_BIND_SERVICE is removed',
      { netBindService: true, runAsRoot: false },
      'containers:\n- name: istio-proxy\n  securityContext:\n    capabilities:\n      add:\n      - NET_BIND_SERVICE\n      - NET_BIND_SERVICE\n',
      'containers:\n- name: istio-proxy\n  securityContext:\n    capabilities:\n      add:\n      - NET_BIND_SERVICE\n',
    ],
    [
      'a flow securityContext is rewritten in flow style',
      BOTH,
      'containers:\n- name: istio-proxy\n  securityContext: {runAsUser: 1337, capabilities: {drop: [ALL]}}\n  image: auto\n',
      'containers:\n- name: istio-proxy\n  securityContext: {runAsUser: 0, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}, runAsGroup: 0, runAsNonRoot: false}\n  image: auto\n',
    ],
    [
      'an empty securityContext gets its keys',
      { netBindService: false, runAsRoot: true },
      'containers:\n- name: istio-proxy\n  securityContext:\n  image: auto\n',
      'containers:\n- name: istio-proxy\n  securityContext:\n    runAsUser: 0\n    runAsGroup: 0\n    runAsNonRoot: false\n  image: auto\n',
    ],
    [
      'name not first in the item, runAsUser with a comment',
      { netBindService: false, runAsRoot: true },
      'containers:\n- image: auto\n  name: "istio-proxy"\n  securityContext:\n    runAsUser: 1337 # envoy\n    runAsNonRoot: true\n',
      'containers:\n- image: auto\n  name: "istio-proxy"\n  securityContext:\n    runAsUser: 0 # envoy\n    runAsNonRoot: false\n    runAsGroup: 0\n',
    ],
    [
      'an if without else gets an else branch',
      { netBindService: false, runAsRoot: true },
      'containers:\n- name: istio-proxy\n  securityContext:\n    runAsNonRoot: true\n    {{- if .Values.pinUser }}\n    runAsUser: 1337\n    {{- end }}\n',
      'containers:\n- name: istio-proxy\n  securityContext:\n    runAsNonRoot: false\n    runAsGroup: 0\n    {{- if .Values.pinUser }}\n    runAsUser: 0\n    {{- else }}\n    runAsUser: 0\n    {{- end }}\n',
    ],
    [
      'no final newline',
      { netBindService: false, runAsRoot: true },
      'containers:\n- name: istio-proxy\n  securityContext:\n    runAsUser: 1337',
      'containers:\n- name: istio-proxy\n  securityContext:\n    runAsUser: 0\n    runAsGroup: 0\n    runAsNonRoot: false',
    ],
  ];

  it.each(cases)('%s', (_name, privileges, input, expected) => {
    const result = grantProxyPrivilegesInTemplate(input, privileges);
    expect(result.text).toBe(expected);
    expect(result.edits.length).toBeGreaterThan(0);
    expect(grantProxyPrivilegesInTemplate(expected, privileges)).toEqual({ text: expected, edits: [] });
  });

  it('leaves a securityContext rendered wholly from values untouched (a duplicate key would break injection)', () => {
    const input =
      'containers:\n- name: istio-proxy\n  securityContext:\n    {{- toYaml .Values.proxySecurityContext | nindent 4 }}\n  image: auto\n';
    expect(grantProxyPrivilegesInTemplate(input, BOTH)).toEqual({ text: input, edits: [] });
  });

  it('adds nothing beside values rendered into the same securityContext, only fixes visible values', () => {
    const input =
      'containers:\n- name: istio-proxy\n  securityContext:\n    {{- toYaml .Values.extra | nindent 4 }}\n    {{- if .Values.pinUser }}\n    runAsUser: 1337\n    {{- end }}\n';
    expect(grantProxyPrivilegesInTemplate(input, BOTH).text).toBe(
      'containers:\n- name: istio-proxy\n  securityContext:\n    {{- toYaml .Values.extra | nindent 4 }}\n    {{- if .Values.pinUser }}\n    runAsUser: 0\n    {{- end }}\n',
    );
  });

  it('does not touch other containers', () => {
    const input =
      'containers:\n- name: app\n  securityContext:\n    runAsUser: 1000\n- name: istio-proxy\n  securityContext:\n    runAsUser: 1337\n';
    const result = grantProxyPrivilegesInTemplate(input, { netBindService: false, runAsRoot: true });
    expect(result.text).toBe(
      'containers:\n- name: app\n  securityContext:\n    runAsUser: 1000\n- name: istio-proxy\n  securityContext:\n    runAsUser: 0\n    runAsGroup: 0\n    runAsNonRoot: false\n',
    );
  });

  it('does nothing when no privilege is asked for', () => {
    const original = corpus('istio/injection-templates/1.27.0/kube-gateway.yaml');
    expect(grantProxyPrivilegesInTemplate(original, { netBindService: false, runAsRoot: false })).toEqual({ text: original, edits: [] });
  });

  it('reports lines of the original text', () => {
    const input = 'containers:\n- name: istio-proxy\n  securityContext:\n    runAsUser: 1337\n';
    expect(grantProxyPrivilegesInTemplate(input, { netBindService: false, runAsRoot: true }).edits).toEqual([
      { line: 4, message: 'istio-proxy: securityContext.runAsUser set to 0 (was 1337)' },
      { line: 4, message: 'istio-proxy: added securityContext.runAsGroup: 0' },
      { line: 4, message: 'istio-proxy: added securityContext.runAsNonRoot: false' },
    ]);
  });
});
