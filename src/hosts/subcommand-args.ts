// The flags `explain` and `doctor` share: --file PATH, --json, --help; no positional arguments.
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

export interface SubcommandFlags {
  file: string | undefined;
  json: boolean;
  help: boolean;
}

/** `what` names the input for the positional-argument hint: "the text", "the bundle". */
export function parseSubcommandFlags(command: string, args: string[], what: string): SubcommandFlags {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { file: { type: 'string', short: 'f' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`gateway-compat ${command}: ${(error as Error).message}\nRun "gateway-compat ${command} --help" for the options.`);
  }
  const [first] = parsed.positionals;
  if (first !== undefined) {
    throw new UsageError(`gateway-compat ${command}: unexpected argument "${first}"; pass a file with --file ${first}, or pipe ${what} in`);
  }
  if (parsed.values.file === '') throw new UsageError(`gateway-compat ${command}: --file needs a path`);
  return { file: parsed.values.file, json: parsed.values.json === true, help: parsed.values.help === true };
}
