// Text a diagnostic subcommand reads (`explain`, `doctor`): stdin or one file, bounded in size and
// checked to be UTF-8 by the same decoder the manifest modes use. Every failure is a UserError
// with exit code 2: for these commands exit 1 means "found nothing" or "found problems".
import { stat } from 'node:fs/promises';
import { UsageError, UserError } from '../errors.js';
import { decodeText, describeFsError, readBounded } from './text.js';
import { readStdinBytes } from './stdin.js';

// ANSI colour codes from a coloured terminal or log viewer are not part of any message.
const ANSI_SEQUENCE = /\u001b\[[0-9;?]*[A-Za-z]/g;

export interface TextSource {
  /** --file PATH, or undefined for stdin */
  file: string | undefined;
  limit: number;
  /** the subcommand, for messages: "explain" */
  command: string;
  /** what to pipe in, shown when stdin is a terminal */
  example: string;
}

export async function readTextInput(source: TextSource): Promise<string> {
  const fail = (message: string): UserError => new UserError(`gateway-compat ${source.command}: ${message}`, 2);
  const tooLarge = (amount: string): UserError => fail(`${amount} the limit of ${source.limit} bytes; pass the relevant part only`);
  let bytes: Buffer;
  let what: string;
  if (source.file !== undefined) {
    what = source.file;
    try {
      const info = await stat(source.file);
      if (info.isDirectory()) throw fail(`--file ${source.file}: is a directory, expected a file`);
      if (info.size > source.limit) throw tooLarge(`--file ${source.file} is ${info.size} bytes, more than`);
      // with a bound whatever the size says: /dev/zero or a FIFO says 0
      bytes = await readBounded(
        source.file,
        source.limit,
        (error) => fail(`--file ${source.file}: ${describeFsError(error)}`),
        `--file ${source.file}`,
      );
    } catch (error) {
      // readBounded's own error is the size one, which here is a usage error too
      if (error instanceof UserError && error.exitCode !== 2) throw tooLarge(`--file ${source.file} is larger than`);
      if (error instanceof UserError) throw error;
      throw fail(`--file ${source.file}: ${describeFsError(error)}`);
    }
  } else {
    what = 'the input';
    bytes = await readStdinBytes({
      limit: source.limit,
      whenTerminal: () =>
        new UsageError(
          `gateway-compat ${source.command}: no input: stdin is a terminal and --file was not given.\nPipe it in: ${source.example}`,
        ),
      tooLarge: (size, stoppedEarly) => tooLarge(stoppedEarly ? 'the input is larger than' : `the input is ${size} bytes, more than`),
    });
  }
  // Colour codes go before the UTF-8 check, which refuses every other control character; latin1
  // maps bytes to characters one to one, so the round trip keeps every other byte as it was.
  const plain = Buffer.from(bytes.toString('latin1').replace(ANSI_SEQUENCE, ''), 'latin1');
  try {
    return decodeText(plain, what);
  } catch (error) {
    if (error instanceof UserError) throw fail(error.message.replace(/^error: /, ''));
    throw error;
  }
}
