// Command-line flags -> a partial configuration layered over the config file.
import { parseArgs } from 'node:util';
import type { ConfigSpec } from './config.js';
import { UsageError } from './errors.js';
import { parseSize } from './input.js';

export const FLAG_OPTIONS = {
  config: { type: 'string' },
  'net-bind-service': { type: 'boolean' },
  'run-as-root': { type: 'boolean' },
  'gateway-template': { type: 'string' },
  'options-configmap': { type: 'string' },
  'gateway-class': { type: 'string', multiple: true },
  'remove-sysctl': { type: 'string', multiple: true },
  'no-sysctls': { type: 'boolean' },
  'no-injection-templates': { type: 'boolean' },
  'no-gateway-options': { type: 'boolean' },
  'unprivileged-ports': { type: 'boolean' },
  'port-offset': { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  strict: { type: 'boolean' },
  validate: { type: 'boolean' },
  'max-input-size': { type: 'string' },
  report: { type: 'string' },
  // File mode (pre-commit): fix the named files in place, or only show what would change.
  write: { type: 'boolean' },
  check: { type: 'boolean' },
  diff: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

export type ParsedFlags = ReturnType<typeof parseFlags>;

export function parseFlags(args: string[]) {
  try {
    return parseArgs({ args, options: FLAG_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`error: ${(error as Error).message}\nRun "post-render --help" for the options.`);
  }
}

export type ReportFormat = 'text' | 'json' | 'none';

export function reportFormatOf(values: ParsedFlags['values']): ReportFormat {
  const format = values.report ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'none') {
    throw new UsageError(`error: --report must be text, json or none, not "${format}"`);
  }
  return format;
}

/** --report and --diff together. --diff writes text, so it cannot join --report json. */
export function reportOptionsOf(values: ParsedFlags['values']): { format: ReportFormat; diff: boolean } {
  const format = reportFormatOf(values);
  const diff = values.diff === true;
  if (diff && format === 'json') {
    throw new UsageError('error: --diff cannot be combined with --report json: in json mode stderr holds the JSON object and nothing else');
  }
  return { format, diff };
}

/** The configuration the flags ask for; only flags that were given appear. */
export function specFromFlags(values: ParsedFlags['values']): ConfigSpec {
  const spec: ConfigSpec = {};
  if (values['net-bind-service']) spec.netBindService = true;
  if (values['run-as-root']) spec.runAsRoot = true;
  if (values['no-sysctls'] || values['remove-sysctl']) {
    spec.sysctls = {
      ...(values['no-sysctls'] ? { enabled: false } : {}),
      ...(values['remove-sysctl'] ? { remove: values['remove-sysctl'] } : {}),
    };
  }
  if (values['no-injection-templates'] || values['gateway-template']) {
    spec.injectionTemplate = {
      ...(values['no-injection-templates'] ? { enabled: false } : {}),
      ...(values['gateway-template'] ? { file: values['gateway-template'] } : {}),
    };
  }
  if (values['no-gateway-options'] || values['options-configmap'] || values['gateway-class']) {
    spec.gatewayApi = {
      ...(values['no-gateway-options'] ? { enabled: false } : {}),
      ...(values['options-configmap'] ? { optionsConfigMap: values['options-configmap'] } : {}),
      ...(values['gateway-class'] ? { gatewayClassNames: values['gateway-class'] } : {}),
    };
  }
  if (values['unprivileged-ports'] || values['port-offset'] !== undefined) {
    // --port-offset alone means the high-port way out too: an offset is of no use without it.
    spec.unprivilegedPorts = {
      enabled: true,
      ...(values['port-offset'] !== undefined ? { offset: portOffsetOf(values['port-offset']) } : {}),
    };
  }
  if (values.include || values.exclude) {
    spec.select = {
      ...(values.include ? { include: values.include } : {}),
      ...(values.exclude ? { exclude: values.exclude } : {}),
    };
  }
  if (values.strict) spec.strict = true;
  if (values.validate) spec.validate = true;
  if (values['max-input-size']) spec.maxInputBytes = parseSize(values['max-input-size']);
  return spec;
}

function portOffsetOf(text: string): number {
  const offset = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(offset) || offset < 1024 || offset > 64512) {
    throw new UsageError(
      `error: --port-offset must be a whole number from 1024 to 64512 (a port below 1024 moves to port + N, which must land in 1024..65535), not "${text}"`,
    );
  }
  return offset;
}
