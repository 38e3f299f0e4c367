// Rule `unprivilegedPorts` (--unprivileged-ports, --port-offset N): the high-port way out. The
// Services that select gateway workloads move every targetPort below 1024 to port + offset, and
// istio-proxy's containerPorts follow; works across workloads and Services (see apply.ts).
import { UsageError } from '../../errors.js';
import { keyBoolean, KEY_BOOLEAN, type StreamRule } from '../rule.js';
import schema from './schema.json' with { type: 'json' };

function portOffsetOf(text: string): number {
  const offset = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(offset) || offset < 1024 || offset > 64512) {
    throw new UsageError(
      `error: --port-offset must be a whole number from 1024 to 64512 (a port below 1024 moves to port + N, which must land in 1024..65535), not "${text}"`,
    );
  }
  return offset;
}

export const unprivilegedPorts: StreamRule<'unprivilegedPorts'> = {
  id: 'unprivilegedPorts',
  scope: 'stream',
  // The warnings must see the moved ports: a moved port is no privileged port any more.
  beforeWarnings: true,
  schema,
  spec: { unprivilegedPorts: '' },
  flags: [
    {
      name: 'unprivileged-ports',
      type: 'boolean',
      usage: '--unprivileged-ports',
      help: "move gateway Services' targetPorts below 1024 to port + offset",
      toSpec: () => ({ unprivilegedPorts: { enabled: true } }),
    },
    {
      name: 'port-offset',
      type: 'string',
      usage: '--port-offset N',
      help: 'the offset for --unprivileged-ports (default 8000)',
      // --port-offset alone means the high-port way out too: an offset is of no use without it.
      toSpec: (text) => ({ unprivilegedPorts: { enabled: true, offset: portOffsetOf(text as string) } }),
    },
  ],
  keys: [
    {
      key: 'unprivilegedPorts',
      schema: { ...KEY_BOOLEAN, description: 'spec.unprivilegedPorts.enabled ("true" = --unprivileged-ports)' },
      toSpec: (value) => ({ unprivilegedPorts: { enabled: keyBoolean(value) } }),
    },
    {
      key: 'portOffset',
      schema: {
        type: 'string',
        pattern: '^[0-9]{1,5}$',
        description: 'spec.unprivilegedPorts.offset, a whole number from 1024 to 64512 (as --port-offset, it also turns the rule on)',
      },
      toSpec: (value) => ({ unprivilegedPorts: { enabled: true, offset: Number(value) } }),
    },
  ],
  isEnabled: (config) => config.unprivilegedPorts.enabled,
  // Works from the gateway workloads and Services it finds itself (kube finders, text-checked).
  mightApply: () => false,
};
