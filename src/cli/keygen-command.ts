import { Command } from 'commander';
import { dirname } from 'node:path';
import { generateKeyFiles, keyPairName } from '../lineage/attest/keys.js';
import { isDirectory } from '../writable-path.js';
import { EXIT_INVALID, ExitError } from './load-or-report.js';
import type { Io } from './main.js';
import { shownName } from '../printable.js';

export function keygenCommand(io: Io): Command {
  return new Command('keygen')
    .description('write an ed25519 key pair for signing: NAME.key (private, mode 0600) and NAME.pub')
    .requiredOption('-o, --output <name>', 'the pair is written to NAME.key and NAME.pub (-o x.key is -o x)')
    .action((flags: { output: string }) => {
      const fail = (message: string): never => {
        io.stderr(`shark: error: ${message}\n`);
        throw new ExitError(EXIT_INVALID);
      };
      // After the name's own problems; said as other commands say it (writable-path.ts), not as the write's `ENOENT: … open 'nodir/x.key'`.
      const named = keyPairName(flags.output);
      if (named.ok && !isDirectory(dirname(named.value))) fail(`cannot write the key pair: no such directory ${shownName(dirname(named.value))}`);
      const made = generateKeyFiles(flags.output);
      if (!made.ok) return fail(made.message);
      io.stdout(`wrote ${shownName(made.value.key)} (private: keep it secret) and ${shownName(made.value.pub)} (give it to whoever verifies)\n`);
    });
}
