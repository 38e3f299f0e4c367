// A template whose sysctl sits only in the `else` of `if .Values.gateways.securityContext` is
// left alone when the injector's data.values sets that value without the sysctl: the branch never
// renders. The istioctl render of the corpus (templates with that switch) with its data.values
// edited three ways.
import { describe, expect, it } from 'vitest';
import { transform } from '../../src/transform.js';
import { renderedBranchText } from '../../src/gotemplate/values-guard.js';
import { readCorpusFile } from '../helpers/corpus.js';

const PILOT = readCorpusFile('istio/rendered-istioctl/1.27.0/pilot_default.golden.yaml');
const EMPTY = '"securityContext": {}';

function withSecurityContext(json: string): string {
  expect(PILOT).toContain(EMPTY);
  return PILOT.replace(EMPTY, `"securityContext": ${json}`);
}

const changedPaths = (input: string, rule: 'injectionTemplates' | 'istioValues', config = {}) => [
  ...new Set(
    transform(input, { config })
      .changes.filter((change) => change.rule === rule)
      .map((change) => change.path),
  ),
];
const templateChanges = (input: string, config = {}) => changedPaths(input, 'injectionTemplates', config);

describe('gateways.securityContext in data.values', () => {
  it('unset: both templates lose the sysctl (the control)', () => {
    expect(templateChanges(PILOT)).toEqual(['data.config.templates.gateway', 'data.config.templates.kube-gateway']);
  });

  it('set without the sysctl: the templates are left as they are, byte for byte', () => {
    const input = withSecurityContext('{"sysctls": []}');
    const result = transform(input);
    expect(templateChanges(input)).toEqual([]);
    expect(result.text).toBe(input);
  });

  it('set with the sysctl in it: the dead branch is no excuse, the templates are still rewritten (and the value loses it)', () => {
    const input = withSecurityContext('{"sysctls": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}]}');
    expect(templateChanges(input)).toEqual(['data.config.templates.gateway', 'data.config.templates.kube-gateway']);
    expect(changedPaths(input, 'istioValues')).toEqual(['data.values.gateways.securityContext.sysctls']);
    // judged by the values as they came in, not as the istioValues rule leaves them
    expect(templateChanges(input, { istioValues: { enabled: false } })).toEqual([
      'data.config.templates.gateway',
      'data.config.templates.kube-gateway',
    ]);
  });

  it('set, with a grant asked for: only the grant goes into the templates', () => {
    const input = withSecurityContext('{"fsGroup": 1337}');
    const result = transform(input, { config: { netBindService: true, runAsRoot: true } });
    const messages = result.changes.map((change) => change.message);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((message) => message.includes('istio-proxy:'))).toBe(true);
    expect(result.text).toContain('net.ipv4.ip_unprivileged_port_start');
  });
});

describe('renderedBranchText', () => {
  const template = [
    'a:',
    '{{- if .Values.gateways.securityContext }}',
    '  b: 1',
    '{{- else }}',
    '  {{- if .X }}',
    '  c: 2',
    '  {{- end }}',
    '{{- end }}',
    'd:',
  ].join('\n');
  it('takes the branch the value selects, nested blocks included', () => {
    expect(renderedBranchText(template, 'gateways.securityContext', true)).toBe('a:\n  b: 1\nd:');
    expect(renderedBranchText(template, 'gateways.securityContext', false)).toBe('a:\n  {{- if .X }}\n  c: 2\n  {{- end }}\nd:');
  });
  it('gives up on an else-if chain or an unclosed block', () => {
    expect(
      renderedBranchText(
        '{{- if .Values.gateways.securityContext }}\na\n{{- else if .Y }}\nb\n{{- end }}',
        'gateways.securityContext',
        true,
      ),
    ).toBeUndefined();
    expect(renderedBranchText('{{- if .Values.gateways.securityContext }}\na', 'gateways.securityContext', true)).toBeUndefined();
  });
});
