import { Command } from 'commander';
import { closeSession } from '../cli/session-setup.js';
import type { Io } from '../cli/main.js';
import { openShell, type ShellFlags } from './open.js';
import { repl, type Ending } from './repl.js';
import { collect } from '../cli/common-options.js';
import { displayName, EXIT_FAILED, EXIT_INTERRUPTED, ExitError } from '../cli/load-or-report.js';
import { closedOutput } from '../cli/process-guards.js';
import { nothingToSave, save } from './save.js';
import type { ShellSession } from './session.js';


/** `shark shell [FILE]`: the interactive mode, over the same plan/exec/store machinery as `shark run`. */
export function shellCommand(io: Io): Command {
  return new Command('shell')
    .description('an interactive prompt over /data: commands that change it become steps of a pipeline you can save')
    .argument('[file]', 'a pipeline whose latest results /data starts with, and whose environments commands may use')
    .option('--env <name>', 'the environment commands run in: host (default) or a shark-build of FILE')
    .option('--store <store>', 'where results live: a directory, or zfs:POOL/DATASET (default: $SHARK_STORE, then .shark/ beside FILE or here)')
    .option('-i, --input <name=path>', "bind one of FILE's frontmatter inputs to a host file or directory (repeatable)", collect)
    .option('--save <file>', 'write the pipeline to this markdown file when the shell ends')
    .action(async (file: string | undefined, flags: ShellFlags) => {
      const opening = new AbortController();
      const shell = await openShell(file, flags, io.stderr, opening.signal);
      let ending: Ending = 'stopped';
      // Held until the session is saved and closed: a SIGHUP heard after the loop ended must not kill it half-way.
      const holdHangUp = (): void => undefined;
      process.on('SIGHUP', holdHangUp);
      try {
        ending = await repl(shell, io, {
          interactive: process.stdin.isTTY === true,
          input: process.stdin,
          output: process.stdout,
          savesOnExit: flags.save !== undefined,
        });
        if (ending === 'stopped') {
          // Stopped part way (a script's later lines never ran): no document of it overwrites anything.
          // Stopped by a reader that closed stdout (`| head`), nobody pressed Ctrl-C: it ends quietly (process-guards.ts).
          if (!closedOutput()) io.stderr(`shark: interrupted${flags.save === undefined ? '' : `: nothing saved to ${displayName(flags.save)}`}\n`);
          throw new ExitError(EXIT_INTERRUPTED);
        }
        // Its terminal closed: saved as at Ctrl-D, with nowhere left to say so.
        if (flags.save !== undefined) saveOnExit(shell, flags.save, ending === 'hung up' ? { stdout: () => undefined, stderr: () => undefined } : io);
      } finally {
        shell.session.meta.endRun(shell.runId, ending === 'stopped' ? 'interrupted' : 'ok', { shell: true });
        closeSession(shell.session);
        process.off('SIGHUP', holdHangUp);
        // Ended of the signal, as programs a terminal hangs up on do (exiting, Node restoring the gone terminal aborts).
        if (ending === 'hung up') process.kill(process.pid, 'SIGHUP');
      }
    });
}

/**
 * `--save FILE` when the shell ends: named on the command line, it is written
 * even if it exists; a document that cannot be written is an error (exit 1),
 * never lost silently.
 */
function saveOnExit(shell: ShellSession, path: string, io: Io): void {
  // A session that made no step has nothing a document could hold: said, not an error.
  if (nothingToSave(shell)) {
    io.stdout(`nothing saved to ${displayName(path)}: the session made no step\n`);
    return;
  }
  const saved = save(shell, path, true);
  if (saved.ok) {
    io.stdout(saved.report);
    return;
  }
  io.stderr(`shark: error: ${saved.why}; the session's document was not written\n`);
  throw new ExitError(EXIT_FAILED);
}
