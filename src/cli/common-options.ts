import { Command, Option } from 'commander';
import { EXIT_INVALID, ExitError } from './load-or-report.js';

/** A repeatable option's values, in the order given (commander's argParser). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The shared options a command may have no use for. */
export type Unusable = 'input' | 'env' | 'refresh' | 'secrets';

/** Which shared options a command uses, and what they mean to it. */
export interface SessionOptionUse {
  /** Each option the command has no use for, and why, saying what to use instead: refused when given, left out of its help. */
  readonly unused: Partial<Record<Unusable, string>>;
  /** What `-e` means to this command, when not what it means to `plan` and `run`. */
  readonly env?: string;
}

/** Commands that plan (`plan`, `run`, `serve`, `config`) use every shared option. */
export const PLANNING: SessionOptionUse = { unused: {} };

/**
 * Commands that read what runs recorded (`runs`, `logs`, `lineage`, `diff`,
 * `export`, `attest`…) plan nothing: they bind no input, need no secret and
 * resolve no import.
 */
export const READING: SessionOptionUse = {
  unused: {
    input: 'it reads what runs recorded, their inputs included; -i binds inputs for `plan` and `run`',
    secrets: 'it reads what runs recorded, which keep no secret; --secrets is for `plan` and `run`',
    refresh: 'it reads what runs recorded and resolves no import; --refresh is for `plan` and `run`',
  },
};

/** A reading command that picks its run by number, not by values: why, and how `lineage` finds a run by its values. */
export function readingByRun(why: string): SessionOptionUse {
  return { unused: { ...READING.unused, env: `${why}; \`shark lineage FILE /data/PATH -e NAME=VALUE\` names the latest run that made PATH with those values` } };
}

const FLAGS: Record<Unusable, string> = { input: '-i', env: '-e', refresh: '--refresh', secrets: '--secrets' };

const usesOf = new WeakMap<Command, SessionOptionUse>();

/**
 * Options every command that opens a pipeline's store accepts; those `use`
 * has no use for are taken only to be refused (`refuseUnusedOptions`).
 */
export function withSessionOptions(cmd: Command, use: SessionOptionUse = READING): Command {
  const options = [
    new Option('--store <store>', 'where results live: a directory, or zfs:POOL/DATASET (default: $SHARK_STORE, then store: in the config file, then .shark/ beside the pipeline)'),
    new Option('-i, --input <name=path>', 'bind a frontmatter input to a host file or directory (repeatable)').argParser(collect),
    new Option('-e, --env <name=value>', use.env ?? 'set a variable for every step, part of the cache key; for an axis, run only its values NAME=v1,v2 (repeatable)').argParser(collect),
    new Option('--config <file>', 'defaults for these options and frontmatter values from this YAML file (default: shark.yaml beside the pipeline, if there is one)'),
    new Option('--refresh', 'ask the server again whether an unpinned URL import changed (branches and tags are re-resolved on every plan)').default(false),
    new Option('--secrets <file>', 'KEY=VALUE lines giving the values of the document\'s secrets: (they win over the environment)'),
  ];
  for (const o of options) cmd.addOption(use.unused[o.attributeName() as Unusable] === undefined ? o : o.hideHelp());
  usesOf.set(cmd, use);
  return cmd;
}

/**
 * Before the action, after the config file's defaults: a shared option the
 * command has no use for is a usage error (exit 2) saying what to use
 * instead, rather than taken and ignored. Given by the config file, which
 * serves every command (shark.yaml's `env:`), it is dropped without a word.
 */
export function refuseUnusedOptions(cmd: Command, stderr: (s: string) => void): void {
  for (const [name, instead] of Object.entries(usesOf.get(cmd)?.unused ?? {}) as [Unusable, string][]) {
    const source = cmd.getOptionValueSource(name);
    if (source === 'cli') {
      stderr(`shark: error: ${FLAGS[name]} is not used by \`${commandPath(cmd)}\`: ${instead}\n`);
      throw new ExitError(EXIT_INVALID);
    }
    if (source === 'config') cmd.setOptionValueWithSource(name, undefined, 'default');
  }
}

/** `shark export prov`: the command as typed. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Two options that ask for different things at once: a usage error, exit 2. */
export function refuseTogether(a: string, b: string, stderr: (s: string) => void, why = ''): never {
  stderr(`shark: error: ${a} and ${b} cannot be used together${why}\n`);
  throw new ExitError(EXIT_INVALID);
}

/**
 * The output format of a command with `-f FORMAT` and `--json` (which is
 * `-f json`); both, naming different formats, is exit 2 rather than one
 * of them silently winning.
 */
export function outputFormat<F extends string>(cmd: Command, stderr: (s: string) => void): F | 'json' {
  const { format, json } = cmd.opts<{ format: F; json?: boolean }>();
  if (json !== true) return format;
  if (format !== 'json' && cmd.getOptionValueSource('format') === 'cli') refuseTogether('--json', `-f ${format}`, stderr, ' (--json is -f json)');
  return 'json';
}
