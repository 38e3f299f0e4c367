// Issue 11, item 14: the helpers the end-to-end tests judge outputs with must not pass a broken
// edit. `securityContext: null` is no sysctls to a careless check, and `add: [NET_BIND_SERVICE,
// NET_BIND_SERVICE]` still "contains" the capability.
import { describe, expect, it } from 'vitest';
import { addedCapabilities, objectsOf, proxySecurityContext, sysctlNames } from './e2e/helpers/manifests.js';

const deployment = (podSecurityContext: string, proxySecurity: string) =>
  objectsOf(
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: gw}\nspec:\n  template:\n    spec:\n${podSecurityContext}      containers:\n      - name: istio-proxy\n${proxySecurity}`,
  )[0]!;

describe('test helpers reject what a broken edit leaves behind', () => {
  it('a null pod securityContext is an error, not "no sysctls"', () => {
    for (const written of ['      securityContext: null\n', '      securityContext: ~\n', '      securityContext:\n']) {
      expect(() => sysctlNames(deployment(written, ''))).toThrow(/securityContext is null, not a mapping/);
    }
    expect(sysctlNames(deployment('      securityContext: {}\n', ''))).toEqual([]);
    expect(sysctlNames(deployment('', ''))).toEqual([]);
  });

  it('sysctls that are not a list are an error', () => {
    expect(() => sysctlNames(deployment('      securityContext: {sysctls: null}\n', ''))).toThrow(/not a list/);
  });

  it('a null istio-proxy securityContext or capabilities is an error', () => {
    expect(() => proxySecurityContext(deployment('', '        securityContext: null\n'))).toThrow(/not a mapping/);
    expect(() => addedCapabilities(deployment('', '        securityContext: {capabilities: null}\n'))).toThrow(/capabilities is null/);
  });

  it('the same capability added twice is an error', () => {
    const twice = deployment('', '        securityContext: {capabilities: {add: [NET_BIND_SERVICE, NET_BIND_SERVICE]}}\n');
    expect(() => addedCapabilities(twice)).toThrow(/lists \["NET_BIND_SERVICE"\] twice/);
    expect(addedCapabilities(deployment('', '        securityContext: {capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}}\n'))).toEqual([
      'NET_BIND_SERVICE',
    ]);
  });
});
