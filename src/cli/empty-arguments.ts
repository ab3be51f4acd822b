import type { Command } from 'commander';
import { EXIT_INVALID, ExitError } from './load-or-report.js';

/** Arguments that name a pipeline document. */
const PIPELINE_ARGUMENTS = new Set(['file', 'pipeline']);

/**
 * Before any action: an empty pipeline argument or `--store ''` is a usage
 * error. Either would otherwise be read as a path relative to the current
 * directory — `--store ''` spreads a store's files into it, `gc ''` looks for
 * the parent directory's `.shark` — which no one asking for it meant.
 */
export function refuseEmptyArguments(cmd: Command, stderr: (s: string) => void): void {
  const refuse = (what: string, hint: string): never => {
    stderr(`shark: error: ${what} is empty: ${hint}\n`);
    throw new ExitError(EXIT_INVALID);
  };
  cmd.registeredArguments.forEach((argument, i) => {
    if (!PIPELINE_ARGUMENTS.has(argument.name())) return;
    const value: unknown = cmd.processedArgs[i];
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    if (values.includes('')) refuse(`the ${argument.name()} argument`, 'name a pipeline markdown file');
  });
  if (cmd.getOptionValueSource('store') === 'cli' && cmd.getOptionValue('store') === '') {
    refuse('--store', 'name a directory or zfs:POOL/DATASET, or leave the option out for the default');
  }
}
