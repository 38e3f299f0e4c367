// Issue 11, item 7 (part): valid input never ends in "internal error, please report it". Each case
// is valid YAML a real pipeline writes; the output must parse and say what the README promises.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { transform } from '../src/transform.js';

type Json = Record<string, any>;
const objects = (text: string): Json[] =>
  parseAllDocuments(text).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Json;
  });

describe('valid input is never an internal error', () => {
  for (const [what, item] of [
    ['a tag', '- !!str name: istio-proxy'],
    ['an anchor', '- &proxy name: istio-proxy'],
  ] as const) {
    it(`an istio-proxy entry whose first key carries ${what} (${item}) gets the grant under --run-as-root --net-bind-service`, () => {
      // A gateway that is not injected (a proxy running as a router): its own list is what counts.
      const input = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n      ${item}\n        image: auto\n        args: [proxy, router]\n`;
      const [out] = objects(transform(input, { config: { runAsRoot: true, netBindService: true } }).text);
      expect(out!.spec.template.spec.containers[0]).toEqual({
        name: 'istio-proxy',
        image: 'auto',
        args: ['proxy', 'router'],
        securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] }, runAsUser: 0, runAsGroup: 0, runAsNonRoot: false },
      });
    });
  }

  it('a Sail Istio resource with spec.values: {} gets the --gateway-template template', () => {
    const template = 'spec:\n  containers:\n  - name: istio-proxy\n';
    const input = 'apiVersion: sailoperator.io/v1\nkind: Istio\nmetadata: {name: default}\nspec:\n  version: v1.27.0\n  values: {}\n  namespace: istio-system\n';
    const [out] = objects(transform(input, { config: {}, gatewayTemplate: template }).text);
    expect(out!.spec.namespace).toBe('istio-system');
    expect(out!.spec.values.sidecarInjectorWebhook.templates.gateway).toBe(template);
  });
});
