// Rule `gatewayOptions`: points Gateway API Gateways of the handled classes at an options
// ConfigMap whose deployment patch clears the pod sysctls; works across the stream (see apply.ts).
import { keyBoolean, keyList, KEY_BOOLEAN, KEY_LIST, type StreamRule } from '../rule.js';
import schema from './schema.json' with { type: 'json' };
import { UsageError } from '../../errors.js';
import { mightHoldGatewayObject } from '../../kube/text-checks.js';

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
      name: 'gateway-options',
      type: 'string',
      usage: '--gateway-options gateway|class',
      help: 'a parametersRef and options ConfigMap per Gateway (default), or one class-defaults ConfigMap per class in the istiod release (Istio 1.26+)',
      toSpec: (value) => {
        if (value !== 'gateway' && value !== 'class') {
          throw new UsageError(
            `error: --gateway-options must be gateway (a parametersRef and an options ConfigMap per Gateway's namespace) or class (one class-defaults ConfigMap per class in the control plane's namespace, Istio 1.26+), not "${String(value)}"`,
          );
        }
        return { gatewayApi: { optionsFor: value } };
      },
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
      key: 'gatewayOptionsFor',
      schema: { type: 'string', enum: ['gateway', 'class'], description: 'spec.gatewayApi.optionsFor (--gateway-options)' },
      toSpec: (value) => ({ gatewayApi: { optionsFor: value as 'gateway' | 'class' } }),
    },
    {
      key: 'gatewayClassNames',
      schema: { ...KEY_LIST, description: 'spec.gatewayApi.gatewayClassNames' },
      toSpec: (value) => ({ gatewayApi: { gatewayClassNames: keyList(value) } }),
    },
  ],
  isEnabled: (config) => config.gatewayApi.enabled,
  mightApply: (text) => mightHoldGatewayObject(text),
};
