import { damagedDatabase, damagedMessage } from '../store/damaged-database.js';
import { diskFull } from '../store/full-disk.js';

/** A bug: one line and a hint, never a stack trace unless asked for. */
export const EXIT_INTERNAL = 70;

/**
 * What a shell reports for a command killed by SIGPIPE (128 + 13), as for
 * `git log | head`: the reader went away, which is not Shark's failure.
 */
export const EXIT_CLOSED_OUTPUT = 141;

/** Prints an internal error: `shark: internal error: MESSAGE`, a hint, and the stack only with SHARK_DEBUG=1. */
export function reportInternalError(e: unknown, stderr: (s: string) => void): number {
  const message = e instanceof Error ? e.message : String(e);
  const debug = process.env['SHARK_DEBUG'] === '1';
  const stack = debug && e instanceof Error && e.stack !== undefined ? `${e.stack}\n` : '';
  stderr(`shark: internal error: ${message.split('\n')[0]}\n${stack}` +
    `This is a bug in Shark: please report it with the command you ran${debug ? '' : ' (rerun with SHARK_DEBUG=1 for the stack trace)'}.\n`);
  return EXIT_INTERNAL;
}

/**
 * An error that ends a command: a write the store refused for want of
 * space (`diskFull`) is one line, `shark: error: …`, and exit 1, as a job
 * that fails for it is (reason `store`); a damaged database
 * (`damagedDatabase`) is one line and exit 2; anything else is a bug. The advice
 * depends on the `command` that met it: gc is what frees room in the store,
 * so from gc itself the way out is room made some other way.
 */
export function reportUncaught(e: unknown, stderr: (s: string) => void, command?: string): number {
  const message = e instanceof Error ? e.message : String(e);
  // As when the damage is met opening the store (`cannot open the store at DIR: …`, exit 2).
  if (damagedDatabase(e)) {
    stderr(`shark: error: ${damagedMessage(message)}\n`);
    return EXIT_DAMAGED_DATABASE;
  }
  if (!diskFull(e)) return reportInternalError(e, stderr);
  const advice = command === 'gc' ? GC_FULL_ADVICE : 'free some space; `shark gc FILE --delete` removes what killed runs left';
  stderr(`shark: error: the store refused a write: ${message.split('\n')[0]} (${advice})\n`);
  return EXIT_STORE_FULL;
}

/** The way out when gc itself meets a full disk: gc is what frees room in the store, so room is made some other way. */
export const GC_FULL_ADVICE = 'free some space on its disk outside the store, then run gc again: gc itself needs a little room to record what it removes';

/** What a command that meets a damaged database exits with: as when it is met opening the store. */
const EXIT_DAMAGED_DATABASE = 2;

/** What a command that ends on a full disk exits with: as a run whose job failed (reason `store`). */
const EXIT_STORE_FULL = 1;

/** What a write to stdout that fails other than for its reader leaving ends with, as `ls > /dev/full` does. */
const EXIT_FAILED_OUTPUT = 1;

/** The exit status an output stream's end gave this process: 141 for a reader that closed it, 1 for a failed write; undefined while both take writes. */
let outputEnd: number | undefined;

/** Whether stdout or stderr was closed by its reader, or failed, during this process. */
export function closedOutput(): boolean {
  return outputEnd !== undefined;
}

/** The exit status the end of stdout or stderr gives the process, when one of them ended. */
export function outputExit(): number | undefined {
  return outputEnd;
}

/** A failed write in words, as `ls` says it: Node's message without its code and call (`ENOSPC: no space left on device, write`). */
function writeWords(e: Error): string {
  return e.message.replace(/^[A-Z0-9_]+: /, '').replace(/, \w+$/, '');
}

/**
 * For the real process only: a reader that closes stdout early (`| head`,
 * EPIPE) ends the command quietly with 141; any other failed write (a full
 * disk, an i/o error) is said on stderr, if stderr can take it, and ends it
 * with 1. Nothing more can be shown either way, so a command that cleans up
 * on SIGTERM (`run` cancels its jobs) is asked to stop that way instead of
 * exiting under its jobs' feet. An exception that escapes every handler is
 * still an internal error, not Node's stack trace.
 */
export function installProcessGuards(): void {
  const onEnded = (name: 'standard output' | 'standard error') => (e: NodeJS.ErrnoException): void => {
    if (outputEnd !== undefined) return;
    outputEnd = e.code === 'EPIPE' ? EXIT_CLOSED_OUTPUT : EXIT_FAILED_OUTPUT;
    process.exitCode = outputEnd;
    if (outputEnd === EXIT_FAILED_OUTPUT && name === 'standard output') process.stderr.write(`shark: error: cannot write to ${name}: ${writeWords(e)}\n`);
    if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
    // After the line on stderr has gone: exiting at once could cut it off.
    else if (outputEnd === EXIT_FAILED_OUTPUT) process.stderr.write('', () => process.exit(EXIT_FAILED_OUTPUT));
    else process.exit(outputEnd);
  };
  process.stdout.on('error', onEnded('standard output'));
  process.stderr.on('error', onEnded('standard error'));
  const fatal = (e: unknown): void => {
    if (outputEnd !== undefined) process.exit(outputEnd);
    process.exit(reportUncaught(e, (s) => void process.stderr.write(s), process.argv[2]));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
}

/** Commands that only read the store and print: nothing of theirs is left running once they return. */
const READERS = new Set(['plan', 'lineage', 'why', 'logs', 'runs', 'diff', 'impact', 'check']);

/**
 * Ends the process with `code` once stdout and stderr have taken all that
 * was written. After a command that only reads (`READERS`), the process
 * exits at once instead of letting Node take its heap apart piece by piece
 * (~10 ms after a 10,000-item plan, more after a million). Any other
 * command ends the usual way, when nothing is left to do.
 */
export function finish(command: string | undefined, code: number): void {
  process.exitCode = code;
  if (command === undefined || !READERS.has(command)) return;
  const written = (s: NodeJS.WriteStream): Promise<void> =>
    new Promise((done) => (s.writableLength === 0 ? done() : void s.once('drain', () => done())));
  // A turn later: a reader that closed the output is heard of (141) before the process ends.
  void Promise.all([written(process.stdout), written(process.stderr)]).then(() => setImmediate(() => process.exit()));
}
