// Rule `injectionTemplates`: Istio's injector puts the sysctl back into every gateway pod at
// admission, so the gateway injection templates themselves must lose it (see apply.ts).
import type { TemplateName } from '../../config/config.js';
import { keyBoolean, KEY_BOOLEAN, keyList, KEY_LIST, type DocumentRule } from '../rule.js';
import schema from './schema.json' with { type: 'json' };
import { mightHoldTemplates } from '../../kube/text-checks.js';

export const injectionTemplates: DocumentRule<'injectionTemplates'> = {
  id: 'injectionTemplates',
  scope: 'document',
  schema,
  spec: { injectionTemplate: '' },
  flags: [
    {
      name: 'gateway-template',
      type: 'string',
      usage: '--gateway-template FILE',
      help: 'default gateway injection template to set on Istio resources without one',
      toSpec: (file) => ({ injectionTemplate: { file: file as string } }), // "" too: an empty value is refused, never ignored
    },
    {
      name: 'no-injection-templates',
      type: 'boolean',
      usage: '--no-injection-templates',
      help: 'leave injection templates alone',
      toSpec: () => ({ injectionTemplate: { enabled: false } }),
    },
  ],
  keys: [
    {
      key: 'injectionTemplates',
      schema: { ...KEY_BOOLEAN, description: 'spec.injectionTemplate.enabled ("false" = --no-injection-templates)' },
      toSpec: (value) => ({ injectionTemplate: { enabled: keyBoolean(value) } }),
    },
    {
      key: 'gatewayTemplate',
      schema: {
        type: 'string',
        pattern: '\\S',
        description:
          'spec.injectionTemplate.file: refused when it comes from the package (a functionConfig cannot name a local file to read); pass --gateway-template FILE in the --exec command instead',
      },
      toSpec: (value) => ({ injectionTemplate: { file: value } }),
    },
    {
      key: 'injectionTemplateNames',
      schema: {
        ...KEY_LIST,
        description: 'spec.injectionTemplate.templates: which of the gateway, kube-gateway and agentgateway templates to edit',
      },
      // The spec schema then refuses a name that is not one of the three.
      toSpec: (value) => ({ injectionTemplate: { templates: keyList(value) as TemplateName[] } }),
    },
  ],
  isEnabled: (config) => config.injectionTemplate.enabled,
  mightApply: (text) => mightHoldTemplates(text),
};
