import { Command } from 'commander';
import { closest } from '../plan/closest-name.js';
import { EXIT_INVALID, ExitError } from './load-or-report.js';
import type { Io } from './main.js';

/**
 * `shark help [COMMAND...]`, in place of commander's own: the help of a
 * subcommand too (`shark help export prov`, which that one answered with
 * `export`'s), and a name no command has is a usage error (exit 2), as
 * `shark bogus` is, not the whole help with exit 0.
 */
export function helpCommand(program: Command, io: Io): Command {
  return new Command('help')
    .description('display help for a command (shark help export prov)')
    .argument('[command...]', 'a command, and a subcommand of it')
    .action((names: string[]) => {
      let at = program;
      for (const name of names) {
        const sub = at.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (sub === undefined) {
          const called = at === program ? 'shark' : `shark ${names.slice(0, names.indexOf(name)).join(' ')}`;
          // Among the commands its help lists: never one of the original Shark's names.
          const near = closest(name, at.createHelp().visibleCommands(at).map((c) => c.name()));
          io.stderr(`shark: error: unknown command '${name}'\n${near === undefined ? '' : `(Did you mean ${near}?)\n`}(run \`${called} --help\` for its commands)\n`);
          throw new ExitError(EXIT_INVALID);
        }
        at = sub;
      }
      at.outputHelp();
    });
}

