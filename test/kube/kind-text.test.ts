// Issue 5: CustomResourceDefinitions are told from their text and never parsed (src/kube/kind-text.ts).
// Whenever the text check says "CRD", the parsed document must be one; where it cannot be sure,
// it must say no (the document is then parsed as before).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, parseDocument } from 'yaml';
import { isCustomResourceDefinition, sureKindOf } from '../../src/kube/kind-text.js';
import { mightHoldGateway, mightHoldGatewayObject } from '../../src/kube/text-checks.js';
import { splitStream } from '../../src/stream/split.js';
import { transform } from '../../src/transform.js';
import { readCorpusFile } from '../helpers/corpus.js';
import { CORPUS } from '../helpers/run-cli.js';

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) filesUnder(file, out);
    else if (/\.ya?ml$/.test(name)) out.push(file);
  }
  return out;
}

function parsedKind(text: string): string | undefined {
  const doc = parseDocument(text, { version: '1.1' });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  return String(doc.contents.get('kind') ?? '');
}

describe('isCustomResourceDefinition', () => {
  it('says yes only for documents that parse as a CustomResourceDefinition, on the whole corpus', () => {
    let crds = 0;
    for (const file of filesUnder(CORPUS)) {
      for (const chunk of splitStream(readFileSync(file, 'utf8')).chunks) {
        if (!chunk.hasContent || !isCustomResourceDefinition(chunk.text)) continue;
        crds++;
        expect(parsedKind(chunk.text), file).toBe('CustomResourceDefinition');
      }
    }
    // Gateway API, Sail and the Istio CRDs inside istioctl's render
    expect(crds).toBeGreaterThan(20);
  });

  const unsure: [string, string][] = [
    [
      'a List holding a CRD',
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: apiextensions.k8s.io/v1\n  kind: CustomResourceDefinition\n',
    ],
    ['a CustomResourceDefinitionList', 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinitionList\nitems: []\n'],
    ['two kind lines (invalid: a duplicate key)', 'kind: CustomResourceDefinition\nkind: Deployment\n'],
    ['the kind line inside a flow mapping', 'apiVersion: apps/v1\nx: {\nkind: CustomResourceDefinition\n}\nkind: Deployment\n'],
    ['the kind line inside a quoted key', '"a\nkind: CustomResourceDefinition": 1\nkind: Deployment\n'],
    ['the kind indented', 'spec:\n  kind: CustomResourceDefinition\nkind: Deployment\n'],
    ['only mentioned', 'kind: ConfigMap\ndata:\n  note: a CustomResourceDefinition\n'],
  ];
  for (const [what, text] of unsure) it(`says no for ${what}`, () => expect(isCustomResourceDefinition(text)).toBe(false));

  it('says yes with quotes or a comment on the kind line', () => {
    expect(isCustomResourceDefinition('apiVersion: apiextensions.k8s.io/v1\nkind: "CustomResourceDefinition" # the CRD\nspec: {}\n')).toBe(
      true,
    );
    expect(isCustomResourceDefinition("---\r\nkind: 'CustomResourceDefinition'\r\n")).toBe(true);
  });

  it('a CRD whose schema mentions the sysctl, istio-proxy and Gateway comes out byte for byte, as before', () => {
    const crd = readCorpusFile('gateway-api/crd-standard/v1.4.1/gateway.networking.k8s.io_gateways.yaml');
    const mentions = `${crd}\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x\nspec:\n  description: net.ipv4.ip_unprivileged_port_start istio-proxy inject.istio.io/templates\n`;
    const result = transform(mentions);
    expect(result.text).toBe(mentions);
    expect(result.changes).toEqual([]);
  });
});

// Issue 16: an HTTPRoute whose parentRefs name `kind: Gateway` mentions every word the Gateway
// pre-check looks for; its text says for sure that it is an HTTPRoute, so it is not parsed for Gateways.
describe('sureKindOf', () => {
  it('names only the kind the parser reads, on the whole corpus', () => {
    let sure = 0;
    for (const file of filesUnder(CORPUS)) {
      for (const chunk of splitStream(readFileSync(file, 'utf8')).chunks) {
        if (!chunk.hasContent) continue;
        const kind = sureKindOf(chunk.text);
        if (kind === undefined) continue;
        const parsed = parsedKind(chunk.text);
        // a document that does not parse (Go templates) is not ours to judge here
        if (parsed === undefined) continue;
        sure++;
        expect(parsed, file).toBe(kind);
      }
    }
    expect(sure).toBeGreaterThan(300);
  });

  const unsure: [string, string][] = [
    ['two kind lines (invalid: a duplicate key)', 'kind: HTTPRoute\nkind: Gateway\n'],
    ['the kind line inside a flow mapping', 'apiVersion: v1\nx: {\nkind: HTTPRoute\n}\nkind: Gateway\n'],
    ['the kind line inside a quoted key', '"a\nkind: HTTPRoute": 1\nkind: Gateway\n'],
    ['the value on the next line', 'kind:\n  HTTPRoute\n'],
    ['an escape in the value', 'kind: "HTTP\\x52oute"\n'],
    ['a JSON document', '{"kind": "HTTPRoute"}\n'],
    ['no kind line', 'apiVersion: v1\nmetadata: {}\n'],
  ];
  for (const [what, text] of unsure) it(`says nothing for ${what}`, () => expect(sureKindOf(text)).toBeUndefined());

  it('keeps every document that could hold a Gateway for the Gateway pre-check, and drops a route that names one', () => {
    const route =
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  parentRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw}]\n';
    expect(mightHoldGateway(route)).toBe(true);
    expect(mightHoldGatewayObject(route)).toBe(false);
    const list = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: gateway.networking.k8s.io/v1\n  kind: Gateway\n`;
    expect(mightHoldGatewayObject(list)).toBe(true);
    expect(mightHoldGatewayObject(route.replace('kind: HTTPRoute', '"kind": HTTPRoute'))).toBe(true);
    expect(mightHoldGatewayObject('apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n')).toBe(true);
  });

  it('a stream of routes naming their Gateway gets the same output as the Gateway alone would', () => {
    const gateway =
      'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\n  namespace: apps\nspec:\n  gatewayClassName: istio\n  listeners: [{name: http, port: 8080, protocol: HTTP}]\n';
    const route = (i: number) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r${i}\n  namespace: apps\nspec:\n  parentRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw}]\n`;
    const routes = [1, 2, 3].map(route).join('---\n');
    const alone = transform(gateway);
    const withRoutes = transform(`${gateway}---\n${routes}`);
    expect(withRoutes.text).toBe(`${alone.text}---\n${routes}`);
    expect(withRoutes.changes).toEqual(alone.changes);
  });
});
