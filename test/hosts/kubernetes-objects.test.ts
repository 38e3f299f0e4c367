// --check/--write skip YAML files without a Kubernetes object (values.yaml, CI workflows). The test
// they use answers most manifests from their text alone; it must answer as a parse does, on every
// document of the corpus and on the cases where text and tree could part.
import { describe, expect, it } from 'vitest';
import { isMap, parseDocument } from 'yaml';
import { holdsKubernetesObjects } from '../../src/hosts/files.js';
import { corpusDocuments } from '../helpers/corpus.js';

/** The definition, from a full parse: a mapping with both keys, or (invalid YAML) lines that look like them. */
function byParsing(text: string): boolean {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return /^["']?apiVersion["']?\s*:/m.test(text) && /^["']?kind["']?\s*:/m.test(text);
  return isMap(doc.contents) && doc.contents.has('apiVersion') && doc.contents.has('kind');
}

const CASES = [
  'apiVersion: v1\nkind: ConfigMap\n',
  '---\n# Source: x\napiVersion: v1\nkind: ConfigMap\n',
  '--- # c\n\napiVersion: v1\nkind: ConfigMap\n',
  '--- |\napiVersion: v1\nkind: x\n',
  '--- >\napiVersion: v1\nkind: x\n',
  '"apiVersion: v1\nkind: x"\n',
  "'apiVersion: v1\nkind: x'\n",
  'a: "x\napiVersion: y"\nkind: z\n',
  'a: [x,\napiVersion: y]\nkind: z\n',
  'a: {x: 1,\napiVersion: y}\nkind: z\n',
  'a: |\napiVersion: y\nkind: z\n',
  'a: b\n  c\napiVersion: y\nkind: z\n',
  '- apiVersion: v1\n  kind: x\n',
  '- a\napiVersion: v1\nkind: x\n',
  '{apiVersion: v1,\nkind: x}\n',
  ' apiVersion: v1\n kind: x\n',
  'apiVersion:v1\nkind: x\n',
  'apiVersion: v1\nkind: x\napiVersion: v2\n',
  '? apiVersion\n: v1\nkind: x\n',
  '%YAML 1.2\n---\napiVersion: v1\nkind: x\n',
  '&a apiVersion: v1\nkind: x\n',
  '!!map\napiVersion: v1\nkind: x\n',
  'apiVersion: v1\nkind: x\n...\napiVersion: v2\n',
  'metadata:\n  apiVersion: v1\n  kind: x\n',
  '# apiVersion: v1\n# kind: x\nvalues: 1\n',
  'apiVersion: v1\r\nkind: x\r\n',
  '"apiVersion": v1\n\'kind\': x\n',
  'apiVersion : v1\nkind\t: x\n',
  'x: 1\napiVersion: v1\nkind: |\n  a\n',
  'x: {{ .Values.x }}\napiVersion: v1\nkind: x\n',
];

describe('holdsKubernetesObjects', () => {
  it('answers as a full parse does on every document of the corpus', () => {
    const documents = corpusDocuments();
    expect(documents.length).toBeGreaterThan(100);
    for (const { file, text } of documents) expect(holdsKubernetesObjects(text), file).toBe(byParsing(text));
  });

  it('answers as a full parse does where text and tree could part', () => {
    for (const text of CASES) expect(holdsKubernetesObjects(text), JSON.stringify(text)).toBe(byParsing(text));
  });
});
