import { createInterface } from 'node:readline';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ReadStream } from 'node:tty';
import { EXIT_INTERRUPTED } from '../cli/load-or-report.js';
import type { Io } from '../cli/main.js';
import { commentText } from './document.js';
import { save, stepCount, unsavedSteps } from './save.js';
import { describeOutcome, HELP, renderDag, renderHistory } from './show.js';
import type { Outcome, ShellSession } from './session.js';

export interface ReplOptions {
  /** A terminal: prompt, line editing and history. Otherwise commands come from stdin and a transcript is printed. */
  readonly interactive: boolean;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** `--save`: the steps are saved on leaving, which then needs no warning. */
  readonly savesOnExit: boolean;
}

/** How the loop ended: `:quit` or the end of the input, `stopped` by a signal, or `hung up`: its terminal closed (SIGHUP). */
export type Ending = 'ended' | 'stopped' | 'hung up';

const prompt = (shell: ShellSession): string => `shark${shell.env === undefined ? '' : `[${shell.env}]`}> `;

/**
 * The prompt loop. Lines are taken one at a time (those typed while a
 * command runs wait their turn); Ctrl-C at a terminal cancels the running
 * command, not the shell, and throws away what was typed and not yet run, as
 * a terminal flushes its input on Ctrl-C: the text at the prompt, and lines
 * typed ahead while the command ran (each said to be discarded: typed
 * expecting the command to finish, they could make steps of a state nobody
 * meant). Ctrl-D or `:quit` leaves (asked twice when a step would be lost:
 * `leaveGuard`). SIGTERM, and Ctrl-C of
 * commands read from stdin (as `sh < script` dies of it), stop the session:
 * the running command is cancelled (its workspace disposed) and no other
 * line runs. A second signal ends the process at once. SIGHUP (the
 * terminal closed) ends the session as Ctrl-D does, nobody left to ask: the
 * running command is cancelled, and nothing more is shown.
 */
export async function repl(shell: ShellSession, given: Io, options: ReplOptions): Promise<Ending> {
  let hungUp = false;
  // Once the terminal is gone, a write to it fails (EIO), which would stop the session as SIGTERM does: not attempted.
  const io: Io = {
    stdout: (t) => void (hungUp || given.stdout(t)),
    stderr: (t) => void (hungUp || given.stderr(t)),
  };
  const rl = createInterface({
    input: options.input,
    ...(options.interactive ? { output: options.output, terminal: true, historySize: 1000 } : { terminal: false }),
  });
  if (options.interactive) skipRawModeWhenGone(options.input as ReadStream, () => hungUp);
  const close = rl.close.bind(rl);
  let running: AbortController | undefined;
  let stopped = false;
  const stop = (): void => {
    if (hungUp) return;
    if (stopped) process.exit(EXIT_INTERRUPTED);
    stopped = true;
    running?.abort();
    close();
  };
  const mayLeave = leaveGuard(shell, io, options);
  // Ctrl-D, on which readline closes itself, leaves only when `mayLeave`; typed while a command runs, once it is done.
  let eof = false;
  if (options.interactive) {
    rl.close = (): void => {
      // A terminal's input ends only when it is gone (Ctrl-D is a key, in raw mode): its SIGHUP may come after.
      if ((options.input as Readable).readableEnded) hungUp = true;
      if (stopped || hungUp) close();
      else if (running !== undefined) eof = true;
      else if (mayLeave('Ctrl-D', '\n')) close();
      else ask();
    };
  }
  // Lines entered, lines taken from the loop, and how many of the first entered Ctrl-C discarded.
  let entered = 0;
  let taken = 0;
  let discard = 0;
  rl.on('line', () => entered++);
  const interrupt = (): void => {
    if (!options.interactive) return;
    const typed = rl.line !== '';
    // To the end of the text, where `^C` goes; then the text is forgotten (readline's fields, typed read-only).
    if (typed) rl.write(null, { ctrl: true, name: 'e' });
    Object.assign(rl as unknown as { line: string; cursor: number }, { line: '', cursor: 0 });
    if (running !== undefined) {
      if (typed) io.stdout('^C\n');
      discard = entered;
      running.abort();
      return;
    }
    io.stdout('^C\n');
    ask();
  };
  // Once closed (the input ended, a signal stopped the session, Ctrl-D left), no prompt: readline's would
  // resume the input and keep the process alive after the loop.
  let closed = false;
  rl.on('close', () => (closed = true));
  rl.on('SIGINT', interrupt);
  // Without a terminal, Ctrl-C reaches the process as a signal.
  const onSigint = options.interactive ? interrupt : stop;
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', stop);
  const hangUp = (): void => {
    hungUp = true;
    running?.abort();
    close();
  };
  // Commands from a file are a script: a hang-up stops it as SIGTERM does (a document of part of it would overwrite its file).
  const onSighup = options.interactive ? hangUp : stop;
  process.on('SIGHUP', onSighup);
  const ask = (): void => {
    // No prompt while discarded lines are still to be said.
    if (!options.interactive || closed || taken < discard) return;
    rl.setPrompt(prompt(shell));
    rl.prompt();
  };
  ask();
  try {
    for await (const raw of rl) {
      if (stopped) break;
      const line = raw.trim();
      if (++taken <= discard) {
        if (line !== '') io.stdout(`[discarded, typed before Ctrl-C: ${line}]\n`);
        ask();
        continue;
      }
      if (!options.interactive && line !== '') io.stdout(`${prompt(shell)}${line}\n`);
      if (line === '') {
        ask();
        continue;
      }
      running = new AbortController();
      const quit = await handle(shell, line, io, running.signal);
      running = undefined;
      if (stopped || hungUp || ((quit || eof) && mayLeave(quit ? ':quit' : 'Ctrl-D'))) break;
      eof = false;
      ask();
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', stop);
    process.off('SIGHUP', onSighup);
    close();
  }
  if (hungUp) return 'hung up';
  // Ctrl-D leaves the cursor after the prompt.
  if (options.interactive) io.stdout('\n');
  const unsaved = options.savesOnExit || stopped ? 0 : unsavedSteps(shell).length;
  // Commands from a file end at its end, as they always have: what they leave unsaved is said.
  if (!options.interactive && unsaved > 0) io.stderr(`shark: warning: ${stepCount(unsaved)} not saved (--save FILE saves them on exit, or :save FILE)\n`);
  return stopped ? 'stopped' : 'ended';
}

/**
 * A terminal gone (its window closed: its input ended, or SIGHUP) refuses to
 * leave raw mode as readline closes, an EIO error of the input that ended the
 * loop as an internal error: not asked, since there is no mode left to restore.
 */
function skipRawModeWhenGone(tty: ReadStream, hungUp: () => boolean): void {
  const setRawMode = tty.setRawMode.bind(tty);
  tty.setRawMode = (mode: boolean): ReadStream => (tty.readableEnded || hungUp() ? tty : setRawMode(mode));
}

/**
 * Whether the session may end (on `again`: `:quit`, Ctrl-D) without losing a
 * step: when every step is in a document a `:save` wrote, or `--save` will
 * write one. Otherwise the first time says how many would be lost and stays,
 * as vi's `:q` does; asked again with the same steps unsaved, it leaves.
 */
function leaveGuard(shell: ShellSession, io: Io, options: ReplOptions): (again: string, before?: string) => boolean {
  let warned: string | undefined;
  return (again, before = '') => {
    const unsaved = options.savesOnExit || !options.interactive ? [] : unsavedSteps(shell);
    if (unsaved.length === 0 || warned === unsaved.join()) return true;
    warned = unsaved.join();
    io.stdout(`${before}${stepCount(unsaved.length)} not saved (:save FILE, or ${again} again to leave without saving)\n`);
    return false;
  };
}

/** One line: a `:command`, a `#` comment, or a command to run. Returns whether to leave. */
async function handle(shell: ShellSession, line: string, io: Io, signal: AbortSignal): Promise<boolean> {
  // Output that does not end its last line (`printf abc`) is ended before the bracketed line, which starts its own.
  let unended = false;
  const show = (text: string): void => {
    if (text === '') return;
    unended = !text.endsWith('\n');
    io.stdout(text);
  };
  const live = { signal, show };
  const report = (o: Outcome): void => io.stdout(`${unended ? '\n' : ''}${describeOutcome(o)}\n`);
  if (line.startsWith('#')) {
    shell.comment(commentText(line));
    io.stdout('[noted for the document]\n');
    return false;
  }
  // `:WORD` is a shell command; the shell's own `:` (alone, or before a space: `: > /data/empty.txt`) is a line to run.
  if (!/^:\S/.test(line)) {
    report(await shell.run(line, live));
    return false;
  }
  const [name = '', ...args] = line.slice(1).split(/\s+/);
  const refused = argumentsRefused(name, args);
  if (refused !== undefined) {
    io.stdout(`usage: ${refused}\n`);
    return false;
  }
  switch (name) {
    case 'q': case 'quit': case 'exit':
      return true;
    case 'help':
      io.stdout(HELP);
      break;
    case 'history':
      io.stdout(renderHistory(shell.history));
      break;
    case 'dag':
      io.stdout(renderDag(shell.history));
      break;
    case 'undo': {
      const undone = shell.undo();
      io.stdout(undone === undefined ? '[nothing to undo]\n' : `[undid step ${undone.n}: ${undone.typed}]\n`);
      break;
    }
    case 'save': case 'save!': {
      const file = fileArgument(line.slice(1 + name.length));
      if (file === undefined) {
        io.stdout(`usage: :${name} FILE.md\n`);
      } else {
        const saved = save(shell, file, name === 'save!');
        io.stdout(saved.ok ? saved.report : `shark: ${saved.why}\n`);
      }
      break;
    }
    case 'import':
      if (args.length === 0) io.stdout('usage: :import SOURCE DEST [md5:…|sha256:…] [extract] (a shark-import line: DEST under /data)\n');
      else report(await shell.import(args.join(' '), live));
      break;
    case 'env':
      if (args.length === 0) {
        const names = ['host', ...shell.session.pipeline.environments.keys()];
        io.stdout(`environment: ${shell.env ?? 'host'} (available: ${names.join(', ')})\n`);
      } else {
        const problem = await shell.useEnv(args[0]!, signal);
        io.stdout(problem === undefined ? `[environment: ${args[0]}]\n` : `shark: ${problem}\n`);
      }
      break;
    default:
      io.stdout(`shark: unknown command :${name} (type :help)\n`);
  }
  return false;
}

/** Commands that take no argument, and what their usage line adds. */
const NO_ARGUMENT: ReadonlyMap<string, string> = new Map([
  ['q', ''], ['quit', ''], ['exit', ''], ['help', ''], ['history', ''], ['dag', ''],
  ['undo', ': it reverts the last step'],
]);

/**
 * The usage line of a command given arguments it does not take, or undefined.
 * Ignoring them would be worse than useless: `:undo 3` would revert the last
 * step, not step 3, and `:env py gdal` switch to `py` alone.
 */
function argumentsRefused(name: string, args: readonly string[]): string | undefined {
  const extra = NO_ARGUMENT.get(name);
  if (extra !== undefined && args.length > 0) return `:${name} (it takes no argument${extra})`;
  if (name === 'env' && args.length > 1) return ':env [NAME] (one environment)';
  return undefined;
}

/**
 * The file name after `:save`: the rest of the line, so a name may hold
 * spaces (`:save my doc.md`), quoted or not, and `~/` is the home
 * directory, as a shell reads it. Undefined when there is none.
 */
function fileArgument(rest: string): string | undefined {
  let name = rest.trim();
  if (name.length >= 2 && (name[0] === '"' || name[0] === "'") && name.at(-1) === name[0]) name = name.slice(1, -1);
  else name = name.replace(/\\ /g, ' ');
  if (name.startsWith('~/')) name = join(homedir(), name.slice(2));
  return name === '' ? undefined : name;
}
