// Command-line flags -> a partial configuration layered over the config file.
import { parseArgs } from 'node:util';
import { closest, mergeSpecs, type Config, type ConfigSpec } from './config.js';
import { UsageError } from '../errors.js';
import { parseSize } from '../input/text.js';
import { RULES } from '../rules/index.js';
import type { FlagValue, Rule } from '../rules/rule.js';

/** Flags that are not a rule's: configuration file, selection, limits, report and modes. */
const GENERAL_FLAGS = {
  config: { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  strict: { type: 'boolean' },
  'ignore-warning': { type: 'string', multiple: true },
  validate: { type: 'boolean' },
  'max-input-size': { type: 'string' },
  report: { type: 'string' },
  'report-file': { type: 'string' },
  // File mode (pre-commit): fix the named files in place, or only show what would change.
  write: { type: 'boolean' },
  check: { type: 'boolean' },
  diff: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

/** Every rule's flags (src/rules/index.ts), then the general ones. */
export const FLAG_OPTIONS: typeof GENERAL_FLAGS & Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
  ...Object.fromEntries(
    RULES.flatMap((rule: Rule) => rule.flags).map((flag) => [flag.name, { type: flag.type, ...(flag.multiple ? { multiple: true } : {}) }]),
  ),
  ...GENERAL_FLAGS,
};

export type ParsedFlags = ReturnType<typeof parseFlags>;

const VALUE_FLAGS = new Set(
  Object.entries(FLAG_OPTIONS)
    .filter(([, option]) => option.type === 'string')
    .map(([name]) => `--${name}`),
);

/**
 * Where the options end: at `--`, or at the first argument that is neither an option nor an
 * option's value. In file mode everything from there on is a file name, whatever it looks like:
 * pre-commit appends the names of committed files, and a file called `--config=evil.yaml` must
 * never become an option.
 */
function optionsEnd(args: readonly string[]): { end: number; separator: boolean } {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return { end: i, separator: true };
    if (arg === '-' || !arg.startsWith('-')) return { end: i, separator: false };
    if (VALUE_FLAGS.has(arg)) i++; // `--config FILE`: the next argument is the value
  }
  return { end: args.length, separator: false };
}

function parseStrict(args: string[]) {
  try {
    return parseArgs({ args, options: FLAG_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`error: ${describeFlagError(error)}\nRun "gateway-compat --help" for the options.`);
  }
}

/**
 * argv -> options and positional arguments. `separator` says whether the file names came after
 * `--` (the pre-commit hooks pass it, so that no file name is read as an option).
 */
export function parseFlags(args: string[]) {
  const { end, separator } = optionsEnd(args);
  const head = parseStrict(args.slice(0, end));
  if (head.values.write || head.values.check) {
    return { values: head.values, positionals: args.slice(separator ? end + 1 : end), separator, misplaced: false };
  }
  const all = parseStrict(args);
  return { values: all.values, positionals: all.positionals, separator, misplaced: Boolean(all.values.write || all.values.check) };
}

/** --write/--check after a file name: file mode asked for, but with options in the wrong place. */
export function misplacedFileMode(mode: 'write' | 'check'): UsageError {
  return new UsageError(
    `error: --${mode} and the other options go before the file names (gateway-compat --${mode} [options] [--] FILE...); every argument after the first file name is a file name`,
  );
}

/**
 * parseArgs' words for an unknown option suggest passing it as a positional argument after `--`,
 * which is never what was meant here: name the nearest real option instead, with the same
 * closest-match the configuration errors use.
 */
export function describeFlagError(error: unknown): string {
  const message = (error as Error).message;
  if ((error as NodeJS.ErrnoException).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return message;
  const given = /^Unknown option '([^']+)'/.exec(message)?.[1] ?? message;
  const name = given.replace(/^--?/, '').split('=')[0] as string;
  const names = Object.keys(FLAG_OPTIONS);
  const guess = given.startsWith('--')
    ? closest(name, names)
    : names.find(
        (option) =>
          (FLAG_OPTIONS as Record<string, { short?: string }>)[option]?.short === name.toUpperCase() ||
          (FLAG_OPTIONS as Record<string, { short?: string }>)[option]?.short === name.toLowerCase(),
      );
  return `Unknown option '${given}'${guess ? ` (did you mean --${guess}?)` : ''}`;
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
  const parts: ConfigSpec[] = [];
  for (const flag of RULES.flatMap((rule: Rule) => rule.flags)) {
    const value = (values as Record<string, FlagValue | undefined>)[flag.name];
    if (value !== undefined) parts.push(flag.toSpec(value));
  }
  if (values.include || values.exclude) {
    parts.push({
      select: {
        ...(values.include ? { include: values.include } : {}),
        ...(values.exclude ? { exclude: values.exclude } : {}),
      },
    });
  }
  if (values.strict) parts.push({ strict: true });
  if (values['ignore-warning']) parts.push({ warnings: { ignore: values['ignore-warning'] as Config['warnings']['ignore'] } });
  if (values.validate) parts.push({ validate: true });
  if (values['max-input-size'] !== undefined) parts.push({ maxInputBytes: parseSize(values['max-input-size']) });
  return mergeSpecs(parts);
}
