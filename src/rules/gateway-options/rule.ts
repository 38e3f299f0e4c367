// Rule `gatewayOptions`: points Gateway API Gateways of the handled classes at an options
// ConfigMap whose deployment patch clears the pod sysctls; works across the stream (see apply.ts).
import { keyBoolean, keyList, KEY_BOOLEAN, KEY_LIST, type StreamRule } from '../rule.js';
import schema from './schema.json' with { type: 'json' };

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** Cheap text check: could this document hold a Gateway API Gateway? */
export function mightHoldGateway(text: string): boolean {
  return text.includes(GATEWAY_API_GROUP) && text.includes('Gateway');
}

export const gatewayOptions: StreamRule<'gatewayOptions'> = {
  id: 'gatewayOptions',
  scope: 'stream',
  beforeWarnings: false,
  schema,
  spec: { gatewayApi: '' },
  flags: [
    {
      name: 'options-configmap',
      type: 'string',
      usage: '--options-configmap NAME',
      help: 'Gateway API options ConfigMap name (default asm-kube-gateway-options)',
      toSpec: (name) => ({ gatewayApi: { optionsConfigMap: name as string } }), // "" too: refused by the schema, never ignored
    },
    {
      name: 'gateway-class',
      type: 'string',
      multiple: true,
      usage: '--gateway-class GLOB',
      help: 'Gateway classes to handle, repeatable (default istio, istio-agentgateway)',
      toSpec: (globs) => ({ gatewayApi: { gatewayClassNames: globs as string[] } }),
    },
    {
      name: 'no-gateway-options',
      type: 'boolean',
      usage: '--no-gateway-options',
      help: 'leave Gateway API Gateways alone',
      toSpec: () => ({ gatewayApi: { enabled: false } }),
    },
  ],
  keys: [
    {
      key: 'gatewayOptions',
      schema: { ...KEY_BOOLEAN, description: 'spec.gatewayApi.enabled ("false" = --no-gateway-options)' },
      toSpec: (value) => ({ gatewayApi: { enabled: keyBoolean(value) } }),
    },
    {
      key: 'optionsConfigMap',
      schema: { type: 'string', description: 'spec.gatewayApi.optionsConfigMap' },
      toSpec: (value) => ({ gatewayApi: { optionsConfigMap: value } }),
    },
    {
      key: 'gatewayClassNames',
      schema: { ...KEY_LIST, description: 'spec.gatewayApi.gatewayClassNames' },
      toSpec: (value) => ({ gatewayApi: { gatewayClassNames: keyList(value) } }),
    },
  ],
  isEnabled: (config) => config.gatewayApi.enabled,
  mightApply: (text) => mightHoldGateway(text),
  load: () => import('./apply.js'),
};
