// fast-check arbitraries for the property tests: manifests in the styles real renderers write
// (Helm, istioctl, ruamel, kubectl), streams assembled from them and from the shared corpus, and
// the mutations a broken pipeline or a careless edit makes.
import fc from 'fast-check';
import { SYSCTL } from './manifests.js';

/** Values that must never leave a Secret: generated Secrets carry them. */
export const SECRET_MARKERS = ['c2VjcmV0LXByb3BlcnR5LW1hcmtlcg==', 'propSecretMarker4711'] as const;

export interface GeneratedDocument {
  readonly text: string;
  /** a Secret: its structure lines must survive the mutations for the no-leak property to apply */
  readonly secret: boolean;
}

const name = fc.constantFrom('gw', 'istio-ingressgateway', 'edge', 'east-west', 'istiod');
const namespace = fc.constantFrom('istio-system', 'default', 'apps', 'istio-ingress');
const indentSeq = fc.boolean();

function seq(items: string[], indent: string, indented: boolean): string {
  const pad = indented ? `${indent}  ` : indent;
  return items.map((item) => `${pad}- ${item.replace(/\n(?=.)/g, `\n${pad}  `)}\n`).join('');
}

const WORKLOAD_PATHS = {
  Deployment: ['apps/v1', ['spec', 'template']],
  StatefulSet: ['apps/v1', ['spec', 'template']],
  DaemonSet: ['apps/v1', ['spec', 'template']],
  Job: ['batch/v1', ['spec', 'template']],
  CronJob: ['batch/v1', ['spec', 'jobTemplate', 'spec', 'template']],
  Pod: ['v1', []],
} as const;

/** A workload whose pod sets the sysctl, in block or flow style, with other sysctls or not. */
export const workload: fc.Arbitrary<GeneratedDocument> = fc
  .record({
    kind: fc.constantFrom(...(Object.keys(WORKLOAD_PATHS) as (keyof typeof WORKLOAD_PATHS)[])),
    name,
    namespace,
    indentSeq,
    style: fc.constantFrom(
      'block',
      'flow',
      'none',
      'other-sysctl-too',
      'comment-above',
      'value-first',
      'quoted',
      'flow-items',
      'only-key-then-comment',
    ),
    gatewayMarker: fc.constantFrom('annotation', 'router-args', 'none'),
    securityContextFirst: fc.boolean(),
  })
  .map(({ kind, name, namespace, indentSeq, style, gatewayMarker, securityContextFirst }) => {
    const [apiVersion, path] = WORKLOAD_PATHS[kind];
    const annotation = (indent: string): string => `${indent}annotations:\n${indent}  inject.istio.io/templates: gateway\n`;
    let text = `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n`;
    if (kind === 'Pod' && gatewayMarker === 'annotation') text += annotation('  ');
    let depth = '';
    for (const key of path) {
      text += `${depth}${key}:\n`;
      depth += '  ';
    }
    if (kind !== 'Pod' && gatewayMarker === 'annotation') text += `${depth}metadata:\n${annotation(`${depth}  `)}`;
    text += `${depth}spec:\n`;
    const podIndent = `${depth}  `;
    const sysctl = `name: ${SYSCTL}\nvalue: "0"`;
    const securityContext =
      style === 'block'
        ? `${podIndent}securityContext:\n${podIndent}  sysctls:\n${seq([sysctl], `${podIndent}  `, indentSeq)}`
        : style === 'flow'
          ? `${podIndent}securityContext: {sysctls: [{name: ${SYSCTL}, value: "0"}]}\n`
          : style === 'other-sysctl-too'
            ? `${podIndent}securityContext:\n${podIndent}  runAsNonRoot: true\n${podIndent}  sysctls:\n${seq([sysctl, 'name: net.core.somaxconn\nvalue: "1024"'], `${podIndent}  `, indentSeq)}`
            : style === 'comment-above'
              ? `${podIndent}securityContext:\n${podIndent}  # Safe since 1.22\n${podIndent}  sysctls:\n${seq([sysctl], `${podIndent}  `, indentSeq)}`
              : style === 'value-first'
                ? `${podIndent}securityContext:\n${podIndent}  sysctls:\n${seq([`value: "0"\nname: ${SYSCTL}`], `${podIndent}  `, indentSeq)}${podIndent}  runAsUser: 1337\n`
                : style === 'quoted'
                  ? `${podIndent}"securityContext":\n${podIndent}  'sysctls':\n${seq([`"name": "${SYSCTL}"\n"value": '0'`], `${podIndent}  `, indentSeq)}`
                  : style === 'flow-items'
                    ? `${podIndent}securityContext:\n${podIndent}  sysctls: [{name: net.core.somaxconn, value: "1024"}, {name: ${SYSCTL}, value: "0"}]\n`
                    : style === 'only-key-then-comment'
                      ? `${podIndent}securityContext:\n${podIndent}  sysctls:\n${seq([sysctl], `${podIndent}  `, indentSeq)}${podIndent}# end of the pod security context\n`
                      : '';
    const args = gatewayMarker === 'router-args' ? '\nargs:\n- proxy\n- router' : '';
    const containers = `${podIndent}containers:\n${seq([`name: istio-proxy\nimage: auto${args}\nports:\n- containerPort: 8080`], podIndent, indentSeq)}`;
    text += securityContextFirst ? securityContext + containers : containers + securityContext;
    return { text, secret: false };
  });

export const gateway: fc.Arbitrary<GeneratedDocument> = fc
  .record({
    name,
    namespace,
    className: fc.constantFrom('istio', 'istio', 'istio-waypoint', 'example'),
    infrastructure: fc.constantFrom('none', 'labels', 'configmap-ref', 'other-ref'),
    port: fc.constantFrom(80, 8080, 443),
  })
  .map(({ name, namespace, className, infrastructure, port }) => {
    const infra =
      infrastructure === 'labels'
        ? '  infrastructure:\n    labels:\n      team: edge\n'
        : infrastructure === 'configmap-ref'
          ? '  infrastructure:\n    parametersRef:\n      group: ""\n      kind: ConfigMap\n      name: my-options\n'
          : infrastructure === 'other-ref'
            ? '  infrastructure:\n    parametersRef:\n      group: example.com\n      kind: Params\n      name: p\n'
            : '';
    return {
      text: `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  gatewayClassName: ${className}\n${infra}  listeners:\n  - name: http\n    port: ${port}\n    protocol: HTTP\n`,
      secret: false,
    };
  });

export const service: fc.Arbitrary<GeneratedDocument> = fc
  .record({ name, namespace, port: fc.constantFrom(80, 443, 15021) })
  .map(({ name, namespace, port }) => ({
    text: `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  selector:\n    app: ${name}\n  ports:\n  - name: p\n    port: ${port}\n    targetPort: ${port}\n`,
    secret: false,
  }));

export const optionsConfigMap: fc.Arbitrary<GeneratedDocument> = fc
  .record({ namespace, cmName: fc.constantFrom('asm-kube-gateway-options', 'my-options') })
  .map(({ namespace, cmName }) => ({
    text: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${cmName}\n  namespace: ${namespace}\ndata:\n  service: |\n    spec:\n      type: ClusterIP\n`,
    secret: false,
  }));

/** A Secret whose values are the markers and whose text trips every rule's pre-check. */
export const secretDocument: fc.Arbitrary<GeneratedDocument> = fc
  .record({ name, namespace, flow: fc.boolean() })
  .map(({ name, namespace, flow }) => ({
    text: flow
      ? `apiVersion: v1\nkind: Secret\nmetadata: {name: ${name}, namespace: ${namespace}}\ndata: {password: ${SECRET_MARKERS[0]}}\nstringData: {token: ${SECRET_MARKERS[1]}, note: "${SYSCTL} istio-proxy"}\n`
      : `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ntype: Opaque\ndata:\n  password: ${SECRET_MARKERS[0]}\nstringData:\n  token: ${SECRET_MARKERS[1]}\n  note: "${SYSCTL} istio-sidecar-injector istio-proxy"\n`,
    secret: true,
  }));

export const istioResource: fc.Arbitrary<GeneratedDocument> = fc
  .record({ withTemplate: fc.boolean(), version: fc.constantFrom('v1', 'v1alpha1') })
  .map(({ withTemplate, version }) => ({
    text: `apiVersion: sailoperator.io/${version}\nkind: Istio\nmetadata:\n  name: default\nspec:\n  version: v1.27.0\n  namespace: istio-system\n${
      withTemplate
        ? `  values:\n    sidecarInjectorWebhook:\n      templates:\n        gateway: |\n          spec:\n            securityContext:\n              sysctls:\n              - name: ${SYSCTL}\n                value: "0"\n            containers:\n            - name: istio-proxy\n`
        : ''
    }`,
    secret: false,
  }));

/** Items of a `kind: List` (or `*List`) wrapper. */
export function listOf(items: fc.Arbitrary<GeneratedDocument>): fc.Arbitrary<GeneratedDocument> {
  return fc
    .record({ items: fc.array(items, { minLength: 1, maxLength: 3 }), kind: fc.constantFrom('List', 'DeploymentList') })
    .map(({ items, kind }) => ({
      text: `apiVersion: v1\nkind: ${kind}\nitems:\n${items.map((item) => `- ${item.text.replace(/\n(?=.)/g, '\n  ')}`).join('')}`,
      secret: items.some((item) => item.secret),
    }));
}

export function generatedDocument(corpus: readonly string[]): fc.Arbitrary<GeneratedDocument> {
  const fromCorpus = fc.constantFrom(...corpus).map((text) => ({ text, secret: false }));
  const single = fc.oneof(workload, gateway, service, optionsConfigMap, secretDocument, istioResource);
  return fc.oneof(
    { arbitrary: fromCorpus, weight: 4 },
    { arbitrary: single, weight: 5 },
    { arbitrary: listOf(fc.oneof(workload, service, secretDocument)), weight: 1 },
  );
}

/** How one document is introduced in the stream. */
const separator = fc.constantFrom('---\n', '---\n', '--- # next\n', '---\n# Source: chart/templates/file.yaml\n', '\n---\n');
/** What may sit between documents. */
const filler = fc.constantFrom('', '', '', '...\n', '---\n', '# a comment\n', '\n');

export interface Line {
  text: string;
  /** inside a Secret document */
  secret: boolean;
  /** a Secret's kind/data/stringData line or its separator: the mutations leave it alone */
  protected: boolean;
}

export function assemble(
  documents: readonly GeneratedDocument[],
  separators: readonly string[],
  fillers: readonly string[],
  firstBare: boolean,
): Line[] {
  const lines: Line[] = [];
  const push = (text: string, secret: boolean, isProtected: (line: string) => boolean): void => {
    for (const line of text.split(/(?<=\n)/)) if (line !== '') lines.push({ text: line, secret, protected: secret && isProtected(line) });
  };
  documents.forEach((document, i) => {
    push(fillers[i] ?? '', false, () => false);
    if (!(i === 0 && firstBare)) push(separators[i] ?? '---\n', document.secret, () => true);
    const text = document.text.replace(/^---[ \t]*\n/, '');
    push(text.endsWith('\n') ? text : `${text}\n`, document.secret, (line) =>
      /^\s*(- )?["']?(kind|data|stringData|items)["']?\s*:|^\s*[{]|^(---|\.\.\.)/.test(line),
    );
  });
  return lines;
}

export type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'reindent'; at: number; by: number }
  | { kind: 'swap-indent'; at: number; with: number }
  | { kind: 'separator'; at: number }
  | { kind: 'tab'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'token'; at: number; column: number; token: string }
  | { kind: 'comment-line'; at: number }
  | { kind: 'blank-line'; at: number }
  | { kind: 'trailing-comment'; at: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('reindent' as const), at: fc.nat(), by: fc.constantFrom(-2, -1, 1, 2) }),
  fc.record({ kind: fc.constant('swap-indent' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('separator' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('tab' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  // Stray YAML syntax. No anchors or aliases: those have their own tests (and known bugs).
  // Damage that keeps the YAML valid: comments and blank lines where edits happen.
  fc.record({ kind: fc.constant('comment-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('blank-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('trailing-comment' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('token' as const),
    at: fc.nat(),
    column: fc.nat(),
    token: fc.constantFrom(
      '[',
      ']',
      '{',
      '}',
      '"',
      "'",
      ': ',
      ' #',
      '!!str ',
      '|',
      '>-',
      '- ',
      '? ',
      ',',
      '%',
      '@',
      '`',
      '\\',
      '---',
      '...',
    ),
  }),
);

function indentOf(text: string): string {
  return /^[ \t]*/.exec(text)?.[0] ?? '';
}

/** Applies a mutation; Secret structure lines are left alone, and no separator goes into a Secret. */
export function mutate(lines: Line[], m: Mutation): Line[] {
  if (lines.length === 0) return lines;
  const at = m.at % lines.length;
  const line = lines[at]!;
  const out = [...lines];
  switch (m.kind) {
    case 'delete':
      if (!line.protected) out.splice(at, 1);
      break;
    case 'reindent':
      if (!line.protected)
        out[at] = { ...line, text: m.by > 0 ? ' '.repeat(m.by) + line.text : line.text.replace(new RegExp(`^ {0,${-m.by}}`), '') };
      break;
    case 'swap-indent': {
      const other = lines[m.with % lines.length]!;
      if (line.protected || other.protected) break;
      out[at] = { ...line, text: indentOf(other.text) + line.text.trimStart() };
      out[m.with % lines.length] = { ...other, text: indentOf(line.text) + other.text.trimStart() };
      if (at === m.with % lines.length) out[at] = line;
      break;
    }
    case 'separator':
      if (!line.secret) out.splice(at, 0, { text: '---\n', secret: false, protected: false });
      break;
    case 'tab':
      if (!line.protected && /^ +\S/.test(line.text)) out[at] = { ...line, text: line.text.replace(/^ +/, '\t') };
      break;
    case 'duplicate':
      if (!line.protected) out.splice(at, 0, line);
      break;
    case 'comment-line':
      if (!line.secret) out.splice(at, 0, { ...line, text: `${indentOf(line.text)}# inserted comment\n`, protected: false });
      break;
    case 'blank-line':
      if (!line.secret) out.splice(at, 0, { ...line, text: '\n', protected: false });
      break;
    case 'trailing-comment':
      if (!line.protected && /\S/.test(line.text)) out[at] = { ...line, text: line.text.replace(/\r?\n$/, '') + ' # trailing\n' };
      break;
    case 'token': {
      if (line.protected) break;
      const body = line.text.replace(/\r?\n$/, '');
      const column = m.column % (body.length + 1);
      out[at] = { ...line, text: body.slice(0, column) + m.token + line.text.slice(column) };
      break;
    }
  }
  return out;
}

export interface StreamCase {
  readonly input: string;
  readonly mutated: boolean;
  readonly description: string;
}

export function streamCase(corpus: readonly string[]): fc.Arbitrary<StreamCase> {
  return fc
    .record({
      documents: fc.array(generatedDocument(corpus), { minLength: 0, maxLength: 6 }),
      separators: fc.array(separator, { minLength: 6, maxLength: 6 }),
      fillers: fc.array(filler, { minLength: 7, maxLength: 7 }),
      firstBare: fc.boolean(),
      mutations: fc.oneof(
        { arbitrary: fc.constant([] as Mutation[]), weight: 1 },
        { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }), weight: 2 },
      ),
      crlf: fc.boolean(),
      bom: fc.boolean(),
      noFinalNewline: fc.boolean(),
    })
    .map(({ documents, separators, fillers, firstBare, mutations, crlf, bom, noFinalNewline }) => {
      let lines = assemble(documents, separators, fillers, firstBare);
      for (const m of mutations) lines = mutate(lines, m);
      let text = lines.map((line) => line.text).join('') + (fillers[documents.length] ?? '');
      if (noFinalNewline) text = text.replace(/\n$/, '');
      if (crlf) text = text.replace(/\n/g, '\r\n');
      if (bom) text = `\ufeff${text}`;
      const description = `${documents.length} document(s), mutations ${JSON.stringify(mutations)}, crlf ${crlf}, bom ${bom}`;
      return { input: text, mutated: mutations.length > 0, description };
    });
}

/** A random edit of a text: at an offset (taken modulo the length), remove a few characters and insert a string. */
export interface Damage {
  readonly at: number;
  readonly remove: number;
  readonly insert: string;
}

/** An arbitrary damage whose inserted text is one of `inserts`. */
export function damageOf(inserts: readonly string[]): fc.Arbitrary<Damage> {
  return fc.record({ at: fc.nat(10_000), remove: fc.nat(3), insert: fc.constantFrom(...inserts) });
}

/** `text` with each damage applied in turn. */
export function damaged(text: string, damages: readonly Damage[]): string {
  let out = text;
  for (const { at, remove, insert } of damages) {
    const position = at % (out.length + 1);
    out = out.slice(0, position) + insert + out.slice(position + remove);
  }
  return out;
}
