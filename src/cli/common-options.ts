import { Command } from 'commander';
import { EXIT_INVALID, ExitError } from './load-or-report.js';

/** A repeatable option's values, in the order given (commander's argParser). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Options every command that opens a pipeline's store accepts. */
export function withSessionOptions(cmd: Command): Command {
  return cmd
    .option('--store <store>', 'where results live: a directory, or zfs:POOL/DATASET (default: $SHARK_STORE, then store: in the config file, then .shark/ beside the pipeline)')
    .option('-i, --input <name=path>', 'bind a frontmatter input to a host file or directory (repeatable)', collect)
    .option('-e, --env <name=value>', 'set a variable for every step, part of the cache key; for an axis, run only its values NAME=v1,v2 (repeatable)', collect)
    .option('--config <file>', 'defaults for these options and frontmatter values from this YAML file (default: shark.yaml beside the pipeline, if there is one)')
    .option('--refresh', 're-check unpinned URLs and moving references of imports', false)
    .option('--secrets <file>', 'KEY=VALUE lines giving the values of the document\'s secrets: (they win over the environment)');
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
