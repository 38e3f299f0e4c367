// Flags of the subcommands that re-express the fix (values, patches, sail): the configuration
// flags every mode takes (--net-bind-service, --config, ...) plus the subcommand's own.
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { FLAG_OPTIONS, type ParsedFlags } from '../config/flags.js';

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

// Modes of the stream host that mean nothing here.
const NOT_HERE = new Set(['write', 'check', 'diff', 'report', 'version']);

export function parseSubcommandFlags(
  command: string,
  args: string[],
  own: Record<string, OptionSpec>,
): { values: ParsedFlags['values'] & Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const options: Record<string, OptionSpec> = {};
  for (const [name, spec] of Object.entries(FLAG_OPTIONS)) if (!NOT_HERE.has(name)) options[name] = { ...spec };
  Object.assign(options, own);
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    return parsed as never;
  } catch (error) {
    throw new UsageError(`error: ${(error as Error).message}\nRun "gateway-compat ${command} --help" for the options.`);
  }
}

export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`error: --${flag} must be ${allowed.join(', ').replace(/, ([^,]*)$/, ' or $1')}, not "${value}"`);
}
