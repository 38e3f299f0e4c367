// The transform's contract with its hosts: output documents carry their origin (an input document
// number, or the resource a document was added for), a host's bookkeeping annotations come from
// the host (annotateAdded), and an error about a document carries its number as data.
import { describe, expect, it } from 'vitest';
import { DocumentError } from '../src/errors.js';
import { transform } from '../src/transform.js';
import { service } from './helpers/manifests.js';

// inline: the Helm 4 filename annotation is what these tests follow onto the added ConfigMap
const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: web
  annotations:
    postrenderer.helm.sh/postrender-filename: templates/gateway.yaml
spec:
  gatewayClassName: istio
  listeners:
  - name: http
    port: 80
    protocol: HTTP
`;
const SERVICE = service({ name: 'other', selector: null, ports: [{ port: 80 }] });

describe('transform output documents', () => {
  it('say which input document each one is, and what an added one was added for', () => {
    const result = transform(`---\n${SERVICE}---\n${GATEWAY}`);
    expect(result.output.map((document) => document.origin)).toEqual([
      { input: 1 },
      {
        addedFor: {
          resource: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', namespace: 'web', name: 'edge' },
          document: 2,
          annotations: { 'postrenderer.helm.sh/postrender-filename': 'templates/gateway.yaml' },
        },
      },
      { input: 2 },
    ]);
    expect(result.output.map((document) => document.text).join('')).toBe(result.text);
    expect(result.output[0]!.text).toBe(`---\n${SERVICE}`);
  });

  it('carry no host bookkeeping unless the host adds it', () => {
    const plain = transform(GATEWAY);
    const added = plain.output.find((document) => 'addedFor' in document.origin)!;
    expect(added.text).not.toContain('annotations:');
    const annotated = transform(GATEWAY, {
      annotateAdded: (addedFor) => ({ 'example.com/for': `${addedFor.resource.name}@${addedFor.document}` }),
    });
    expect(annotated.output.find((document) => 'addedFor' in document.origin)!.text).toContain('example.com/for: edge@1');
  });

  it('an error about a document carries its number as data', () => {
    let caught: unknown;
    try {
      transform(`${SERVICE}---\n${GATEWAY}---\nkind: Deployment\nmetadata: {name: x}\nspec: [\n`, { config: { validate: true } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DocumentError);
    expect((caught as DocumentError).documentNumber).toBe(3);
    expect((caught as DocumentError).message).toMatch(/^error: document 3/);
  });
});
