// Every spelling of the sysctl's name the kubelet accepts, and the values JSON of the injector
// ConfigMap (gateways.securityContext), edited as text.
import { describe, expect, it } from 'vitest';
import { removeSysctlsFromValues } from '../../src/kube/injector-values.js';
import { isNamedSysctl, mightMentionSysctl, normalizeSysctlName } from '../../src/kube/sysctl-names.js';

const NAME = 'net.ipv4.ip_unprivileged_port_start';

describe('sysctl names', () => {
  it('reads the slash form as the kubelet does (dots and slashes swap)', () => {
    expect(normalizeSysctlName('net/ipv4/ip_unprivileged_port_start')).toBe(NAME);
    expect(normalizeSysctlName('net/ipv4/conf/eno2.100/rp_filter')).toBe('net.ipv4.conf.eno2/100.rp_filter');
    expect(normalizeSysctlName(NAME)).toBe(NAME);
    expect(isNamedSysctl('net/ipv4/ip_unprivileged_port_start', [NAME])).toBe(true);
    expect(isNamedSysctl('net.ipv4.ip_local_port_range', [NAME])).toBe(false);
  });

  it('the pre-check sees the slash form and escaped spellings', () => {
    expect(mightMentionSysctl('- name: net/ipv4/ip_unprivileged_port_start', [NAME])).toBe(true);
    expect(mightMentionSysctl('sysctls:\n- name: "net.ipv4.ip\\x5funprivileged_port_start"', [NAME])).toBe(true);
    expect(mightMentionSysctl('kind: Service\nspec: {}', [NAME])).toBe(false);
  });
});

describe('data.values gateways.securityContext', () => {
  const values = `{
  "gateways": {
    "seccompProfile": {},
    "securityContext": {
      "fsGroup": 1337,
      "sysctls": [
        {
          "name": "net.ipv4.tcp_keepalive_time",
          "value": "600"
        },
        {
          "name": "net.ipv4.ip_unprivileged_port_start",
          "value": "0"
        }
      ]
    }
  },
  "global": {"hub": "docker.io/istio", "note": "\\u003cb\\u003e"}
}`;

  it('removes the sysctl and keeps every other byte', () => {
    const edit = removeSysctlsFromValues(values, [NAME]);
    expect(edit?.removed).toEqual([NAME]);
    expect(JSON.parse(edit?.text ?? '')).toEqual({
      gateways: {
        seccompProfile: {},
        securityContext: { fsGroup: 1337, sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '600' }] },
      },
      global: { hub: 'docker.io/istio', note: '<b>' },
    });
    expect(edit?.text).toContain('"note": "\\u003cb\\u003e"');
    expect(edit?.text.split('\n').length).toBe(values.split('\n').length - 4);
  });

  it('an emptied list stays [] so the templates keep rendering the securityContext instead of their sysctl', () => {
    const only = '{"gateways":{"securityContext":{"sysctls":[{"name":"net/ipv4/ip_unprivileged_port_start","value":"0"}]}}}';
    expect(removeSysctlsFromValues(only, [NAME])?.text).toBe('{"gateways":{"securityContext":{"sysctls":[]}}}');
  });

  it('leaves values without the sysctl, or that are not JSON, alone', () => {
    expect(removeSysctlsFromValues('{"gateways":{"securityContext":{}}}', [NAME])).toBeUndefined();
    expect(removeSysctlsFromValues('{not json', [NAME])).toBeUndefined();
  });
});
