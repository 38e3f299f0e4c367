// Rule `sysctls`: removes the named sysctls (by default net.ipv4.ip_unprivileged_port_start,
// which kernels before 4.11 lack) from every pod template in the stream.
import { keyBoolean, keyList, KEY_BOOLEAN, KEY_LIST, type DocumentRule } from '../rule.js';
import schema from './schema.json' with { type: 'json' };
import { mightMentionSysctl } from '../../kube/sysctl-names.js';

export const sysctls: DocumentRule<'sysctls'> = {
  id: 'sysctls',
  scope: 'document',
  schema,
  spec: { sysctls: '' },
  flags: [
    {
      name: 'remove-sysctl',
      type: 'string',
      multiple: true,
      usage: '--remove-sysctl NAME',
      help: 'sysctl to remove, repeatable (default net.ipv4.ip_unprivileged_port_start)',
      toSpec: (names) => ({ sysctls: { remove: names as string[] } }),
    },
    {
      name: 'no-sysctls',
      type: 'boolean',
      usage: '--no-sysctls',
      help: 'leave workload sysctls alone',
      toSpec: () => ({ sysctls: { enabled: false } }),
    },
  ],
  keys: [
    {
      key: 'sysctls',
      schema: { ...KEY_BOOLEAN, description: 'spec.sysctls.enabled ("false" = --no-sysctls)' },
      toSpec: (value) => ({ sysctls: { enabled: keyBoolean(value) } }),
    },
    {
      key: 'removeSysctls',
      schema: { ...KEY_LIST, description: 'spec.sysctls.remove' },
      toSpec: (value) => ({ sysctls: { remove: keyList(value) } }),
    },
  ],
  isEnabled: (config) => config.sysctls.enabled && config.sysctls.remove.length > 0,
  mightApply: (text, config) => mightMentionSysctl(text, config.sysctls.remove),
};
