// Issue 5: CustomResourceDefinitions are told from their text and never parsed (src/kube/kind-text.ts).
// Whenever the text check says "CRD", the parsed document must be one; where it cannot be sure,
// it must say no (the document is then parsed as before).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, parseDocument } from 'yaml';
import { isCustomResourceDefinition } from '../src/kube/kind-text.js';
import { splitStream } from '../src/stream/split.js';
import { transform } from '../src/transform.js';
import { readCorpusFile } from './helpers/corpus.js';
import { CORPUS } from './helpers/run-cli.js';

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
