import { Command } from 'commander';
import { generateKeyFiles } from '../lineage/attest/keys.js';
import { EXIT_INVALID, ExitError } from './load-or-report.js';
import type { Io } from './main.js';

export function keygenCommand(io: Io): Command {
  return new Command('keygen')
    .description('write an ed25519 key pair for signing: NAME.key (private, mode 0600) and NAME.pub')
    .requiredOption('-o, --output <name>', 'the pair is written to NAME.key and NAME.pub (-o x.key is -o x)')
    .action((flags: { output: string }) => {
      const made = generateKeyFiles(flags.output);
      if (!made.ok) {
        io.stderr(`shark: error: ${made.message}\n`);
        throw new ExitError(EXIT_INVALID);
      }
      io.stdout(`wrote ${made.value.key} (private: keep it secret) and ${made.value.pub} (give it to whoever verifies)\n`);
    });
}
