import { Command } from 'commander';
import { EXIT_INVALID, ExitError } from './load-or-report.js';
import type { Io } from './main.js';

/**
 * The original Shark's commands that Shark has under another name or not at all, with what to
 * use instead. Its README taught them (`shark md spec.md`), so someone coming from it types them:
 * commander's `unknown command 'md'` would leave them to guess.
 */
const INSTEAD: Readonly<Record<string, string>> = {
  md: 'run the document with `shark run FILE` (`shark plan FILE` shows what would run)',
  dot: 'draw the DAG with `shark dag FILE -f dot`',
  editor: '`shark serve FILE` shows the document with its results as a web page',
  build: 'put the spec in a ```shark-build:ENV block of a document, and `shark run FILE` builds it when a block runs in ENV',
};

/** Hidden commands that take anything and say, as a usage error, what to use instead. */
export function originalCommands(io: Io): Command[] {
  return Object.entries(INSTEAD).map(([name, instead]) =>
    new Command(name)
      .description(`the original Shark's command: ${instead}`)
      // Whatever it was given (`--no-run`, `--store=zfs:obuilder-zfs`): the answer is the same.
      .argument('[words...]')
      .allowUnknownOption()
      .action(() => {
        io.stderr(`shark: error: \`shark ${name}\` is the original Shark's command: ${instead}\n`);
        throw new ExitError(EXIT_INVALID);
      }),
  );
}
