// Rules `netBindService` and `runAsRoot` (report rule id `proxyPrivileges`): without the sysctl, a
// non-root Envoy can no longer bind ports below 1024; these grant the gateway's istio-proxy
// container the capability and/or root (see apply.ts).
import { keyBoolean, KEY_BOOLEAN, type DocumentRule } from '../rule.js';
import { mightHoldGatewayWorkload } from '../../kube/text-checks.js';
import schema from './schema.json' with { type: 'json' };

export const proxyPrivileges: DocumentRule<'proxyPrivileges'> = {
  id: 'proxyPrivileges',
  scope: 'document',
  schema,
  spec: { netBindService: '#/definitions/netBindService', runAsRoot: '#/definitions/runAsRoot' },
  flags: [
    {
      name: 'net-bind-service',
      type: 'boolean',
      usage: '--net-bind-service',
      help: 'add NET_BIND_SERVICE only (a non-root process may not get it: warns)',
      toSpec: () => ({ netBindService: true }),
    },
    {
      name: 'run-as-root',
      type: 'boolean',
      usage: '--run-as-root',
      help: 'run the gateway container (istio-proxy, agentgateway) as root with NET_BIND_SERVICE',
      toSpec: () => ({ runAsRoot: true }),
    },
  ],
  keys: [
    {
      key: 'netBindService',
      schema: { ...KEY_BOOLEAN, description: 'spec.netBindService' },
      toSpec: (value) => ({ netBindService: keyBoolean(value) }),
    },
    {
      key: 'runAsRoot',
      schema: { ...KEY_BOOLEAN, description: 'spec.runAsRoot' },
      toSpec: (value) => ({ runAsRoot: keyBoolean(value) }),
    },
  ],
  isEnabled: (config) => config.netBindService || config.runAsRoot,
  mightApply: (text) => mightHoldGatewayWorkload(text),
};
