// Rule `istioValues`: Istio's values can carry the sysctl too (the istiod value
// gateways.securityContext, which every gateway injection template renders in place of its own),
// so they lose it apart from the templates themselves (see apply.ts). The names removed are
// spec.sysctls.remove; --no-sysctls spares only workloads, --no-istio-values spares the values.
import { keyBoolean, KEY_BOOLEAN, type DocumentRule } from '../rule.js';
import schema from './schema.json' with { type: 'json' };
import { mightHoldTemplates } from '../../kube/text-checks.js';
import { mightMentionSysctl } from '../../kube/sysctl-names.js';

export const istioValues: DocumentRule<'istioValues'> = {
  id: 'istioValues',
  scope: 'document',
  schema,
  spec: { istioValues: '' },
  flags: [
    {
      name: 'no-istio-values',
      type: 'boolean',
      usage: '--no-istio-values',
      help: "leave Istio's values (gateways.securityContext) alone",
      toSpec: () => ({ istioValues: { enabled: false } }),
    },
  ],
  keys: [
    {
      key: 'istioValues',
      schema: { ...KEY_BOOLEAN, description: 'spec.istioValues.enabled ("false" = --no-istio-values)' },
      toSpec: (value) => ({ istioValues: { enabled: keyBoolean(value) } }),
    },
  ],
  isEnabled: (config) => config.istioValues.enabled && config.sysctls.remove.length > 0,
  // A name spelled with escapes (JSON's \u, YAML's \x) shows only as a backslash.
  mightApply: (text, config) => mightHoldTemplates(text) && (mightMentionSysctl(text, config.sysctls.remove) || text.includes('\\')),
};
