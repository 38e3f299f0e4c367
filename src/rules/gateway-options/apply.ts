// Rule `gatewayOptions`: a parametersRef and options ConfigMap per Gateway (per-gateway.ts), or with
// --gateway-options class one class-defaults ConfigMap in the istiod release (class-defaults.ts).
import type { ApplyToStream } from '../rule.js';
import { applyClassDefaults } from './class-defaults.js';
import { applyPerGateway } from './per-gateway.js';

export const apply: ApplyToStream = (ctx) =>
  ctx.config.gatewayApi.optionsFor === 'class' ? applyClassDefaults(ctx) : applyPerGateway(ctx);
