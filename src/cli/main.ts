import { Command, CommanderError, Option } from 'commander';
import { DAG_FORMATS, formatDag, type DagFormat } from '../pipeline/dag-format.js';
import { VERSION } from '../version.js';
import { displayName, EXIT_INVALID, ExitError, loadOrReport } from './load-or-report.js';
import { lineageCommand } from './inspect-commands.js';
import { logsCommand } from './logs-command.js';
import { planCommand } from './plan-command.js';
import { runCommand } from './run-command.js';
import { gcCommand } from './gc.js';
import { reportUncaught } from './process-guards.js';
import { refuseMissingCwd } from './current-directory.js';
import { fsckCommand } from './fsck.js';
import { templateCommand } from './template.js';
import { exportCommand } from './export-command.js';
import { keygenCommand } from './keygen-command.js';
import { attestCommand, signCommand, verifyCommand } from './attest-commands.js';
import { whyCommand } from './why-command.js';
import { runsCommand } from './runs-command.js';
import { impactCommand } from './impact-command.js';
import { diffCommand } from './diff-command.js';
import { applyConfig, configOption, givenFrontmatter, type ConfigUse } from './apply-config.js';
import { configCommand } from './config-command.js';
import { refuseEmptyArguments } from './empty-arguments.js';
import { outputFormat, refuseUnusedOptions } from './common-options.js';
import { shellCommand } from '../shell/command.js';
import { serveCommand } from '../serve/command.js';
import { printableLines } from '../printable.js';
import { originalCommands } from './original-commands.js';
import { helpCommand } from './help-command.js';
import { absoluteStore, storeFromEnvironment } from './find-store.js';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Bytes of UTF-8 written as they are (a kept lineage of megabytes: decoding it to write it again took 60 ms); else given to `stdout` as text. */
  stdoutBytes?: (b: Uint8Array) => void;
}

const processIo: Io = {
  stdout: (s) => void process.stdout.write(s),
  stdoutBytes: (b) => void process.stdout.write(b),
  stderr: (s) => void process.stderr.write(s),
};

export function buildProgram(io: Io): Command {
  const program = new Command();
  program
    .name('shark')
    .description('Run data-science pipelines written as literate markdown, and never run the same work twice.')
    .version(VERSION, '-V, --version')
    // `shark: error: …`, as every other error Shark prints, not commander's bare `error: …`; what it
    // quotes of the command line (`--run '\x1b[2J'`) is shown, not obeyed.
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(printableLines(text.startsWith('error:') ? `shark: ${ownWords(text)}` : text)) })
    .exitOverride();

  program
    .command('check')
    .description('validate a pipeline document: exit 0 when valid, or print every problem and exit 2')
    .argument('<file>', 'pipeline markdown file')
    .addOption(configOption())
    .action((file: string, opts: { sharkConfig?: ConfigUse }) => {
      const pipeline = loadOrReport(file, io.stderr, 'read', undefined, givenFrontmatter(opts));
      const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
      const { blocks, steps, environments } = pipeline;
      io.stdout(`${displayName(file)}: ok — ${count(blocks.length, 'block')}, ${count(steps.length, 'step')}, ${count(environments.size, 'environment')}\n`);
    });

  program
    .command('dag')
    .description('print the pipeline DAG')
    .argument('<file>', 'pipeline markdown file')
    .addOption(new Option('-f, --format <format>', 'output format').choices(DAG_FORMATS as DagFormat[]).default('text'))
    .option('--json', 'same as --format json')
    .addOption(configOption())
    .action((file: string, opts: { sharkConfig?: ConfigUse }, cmd: Command) => {
      const format = outputFormat<DagFormat>(cmd, io.stderr);
      const pipeline = loadOrReport(file, io.stderr, 'read', undefined, givenFrontmatter(opts));
      io.stdout(formatDag(pipeline, format) + '\n');
    });

  program.addCommand(planCommand(io));
  const run = runCommand(io);
  program.addCommand(run);
  program.addCommand(logsCommand(io));
  program.addCommand(lineageCommand(io));
  program.addCommand(gcCommand(io));
  program.addCommand(fsckCommand(io));
  program.addCommand(templateCommand(io));
  program.addCommand(exportCommand(io));
  program.addCommand(keygenCommand(io));
  program.addCommand(attestCommand(io));
  program.addCommand(verifyCommand(io));
  program.addCommand(signCommand(io));
  program.addCommand(whyCommand(io));
  program.addCommand(runsCommand(io));
  program.addCommand(impactCommand(io));
  program.addCommand(diffCommand(io));
  program.addCommand(serveCommand(io));
  program.addCommand(configCommand(io, run));
  program.addCommand(shellCommand(io));
  for (const original of originalCommands(io)) program.addCommand(original, { hidden: true });
  program.helpCommand(false).addCommand(helpCommand(program, io));
  // shark.yaml (or --config) gives defaults to every command that takes --config, before its action.
  program.hook('preAction', (_, action) => {
    // Help reads no file: it is given where `--help` is (in a directory removed meanwhile too).
    if (action.name() !== 'help') refuseMissingCwd(io.stderr);
    refuseEmptyArguments(action, io.stderr);
    applyConfig(action, io.stderr);
    refuseUnusedOptions(action, io.stderr);
  });
  passSettingsDown(program, 'shark');
  return program;
}

/**
 * Commands built on their own do not inherit the program's settings: without this, a usage
 * error in one of them would print to the real stderr and exit 1 instead of 2. After a usage
 * error, the help to read is the mistyped command's (`shark --help` lists commands only).
 */
function passSettingsDown(cmd: Command, name: string): void {
  cmd.showHelpAfterError(`(run \`${name} --help\` for usage)`);
  for (const sub of cmd.commands) {
    sub.copyInheritedSettings(cmd);
    passSettingsDown(sub, `${name} ${sub.name()}`);
  }
}

/** Runs the CLI and returns the exit status; nothing here throws to the caller. */
export async function main(argv: readonly string[], given: Io = processIo): Promise<number> {
  const io = sayingText(given);
  const program = buildProgram(io);
  // Jobs inherit the environment and run in the document's directory: a relative $SHARK_STORE would name nothing there.
  const store = storeFromEnvironment();
  if (store !== undefined && store.trim() !== '') process.env['SHARK_STORE'] = absoluteStore(store);
  // `shark nosuch --help` showed the program's help, exit 0, where `shark nosuch` and `shark help nosuch` are an unknown command.
  const named = argv[2];
  const known = (name: string): boolean => program.commands.some((c) => c.name() === name || c.aliases().includes(name));
  const asked = named !== undefined && !named.startsWith('-') && !known(named) ? argv.filter((a, i) => i < 3 || (a !== '--help' && a !== '-h')) : argv;
  try {
    await program.parseAsync([...asked]);
    return 0;
  } catch (e) {
    if (e instanceof ExitError) return e.code;
    if (e instanceof CommanderError) {
      // Help asked for (`--help`, `shark help`) is exit 0; help shown because a command or
      // subcommand is missing or unknown (bare `shark`, `shark export`, `shark help nosuch`) is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help') return e.exitCode === 0 ? 0 : EXIT_INVALID;
      return EXIT_INVALID;
    }
    return reportUncaught(e, io.stderr, argv[2]);
  }
}

/** How a status line drawn on stderr (fsck's bar) starts: Shark's own escape, obeyed on purpose. */
const REDRAW = '\r\x1b[2K';

/**
 * What Shark says on stderr is shown, never obeyed: a value typed on the
 * command line and quoted back in a message (a target, a path, an `-e`
 * holding ESC or a bidi mark) would otherwise recolour or reorder the
 * terminal, as a document's text quoted in a diagnostic cannot.
 */
function sayingText(io: Io): Io {
  const said = (s: string): string => (s.startsWith(REDRAW) ? REDRAW + printableLines(s.slice(REDRAW.length)) : printableLines(s));
  return { ...io, stderr: (s) => io.stderr(said(s)) };
}

/**
 * Commander's error for a value an option's parser refused, in the parser's
 * words alone when they name the option (`--depth expects a whole number,
 * not \`-1\``): commander's own sentence before them said it twice.
 */
function ownWords(text: string): string {
  return text.replace(/^error: option '[^']*' argument '[\s\S]*?' is invalid\. (?=-{1,2}[\w-]+ expects )/, 'error: ');
}
