import { Option, type Command } from 'commander';
import { SlurmClient } from '../exec/slurm/client.js';
import type { SlurmRunOptions } from '../exec/slurm/slurm-executor.js';
import { EXIT_INVALID, ExitError } from './load-or-report.js';
import { collect } from './common-options.js';
import { positiveCount } from './numbers.js';
import { slurmOptWords } from '../markdown/sbatch-options.js';

export interface ExecutorFlags {
  executor?: string;
  slurmOpt?: string[];
  itemsPerTask?: string;
}


/** `--executor`, `--slurm-opt`, `--items-per-task`: where jobs run (run) or would be submitted (plan). */
export function withExecutorOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--executor <name>', 'where jobs run: this machine, or a Slurm cluster').choices(['local', 'slurm']).default('local'))
    .addOption(new Option('--slurm-opt <option>', 'pass an option to every sbatch, e.g. --slurm-opt=--partition=gpu (repeatable)').argParser(collect))
    .addOption(new Option('--items-per-task <n>', 'under Slurm, map items each array task runs in turn').default('1', '1'));
}

/**
 * The Slurm settings the flags ask for, or undefined for the local executor.
 * Exits 2 on a malformed flag, whichever the executor: a mistake is said
 * where it was made, not once the run goes to the cluster.
 */
export function slurmFlags(flags: ExecutorFlags, stderr: (s: string) => void, cmd?: Command): SlurmRunOptions | undefined {
  const { itemsPerTask, extra } = checkExecutorFlags(flags, stderr);
  if ((flags.executor ?? 'local') !== 'slurm') {
    // Given on the command line for a run on this machine, they would do nothing: said (shark.yaml may keep them for when Slurm is asked for).
    const unused = [['slurmOpt', '--slurm-opt'], ['itemsPerTask', '--items-per-task']].filter(([option]) => cmd?.getOptionValueSource(option!) === 'cli').map(([, flag]) => flag);
    if (unused.length > 0) stderr(`shark: warning: ${unused.join(' and ')} ${unused.length === 1 ? 'is' : 'are'} for --executor slurm: without it the jobs run on this machine, and ${unused.length === 1 ? 'it does' : 'they do'} nothing\n`);
    return undefined;
  }
  const poll = Number(process.env['SHARK_SLURM_POLL_MS'] ?? '');
  return { client: new SlurmClient(), itemsPerTask, extra, ...(poll > 0 ? { pollMs: poll } : {}) };
}

/** `--items-per-task` and `--slurm-opt` as they are checked (`shark config` checks them too); exit 2 on a malformed one. */
export function checkExecutorFlags(flags: ExecutorFlags, stderr: (s: string) => void): { itemsPerTask: number; extra: string[] } {
  const itemsPerTask = positiveCount('--items-per-task', flags.itemsPerTask, 1, stderr);
  const checked = slurmOptWords(flags.slurmOpt ?? []);
  if (!checked.ok) {
    // `--slurm-opt -p gpu`: the shell gave `gpu` to Shark, not to the option.
    const alone = /^-[A-Za-z]$/.test(checked.word) && (flags.slurmOpt ?? []).includes(checked.word) && checked.reason.includes('needs a value');
    const hint = checked.notOption ? '; write --slurm-opt=--partition=gpu' : alone ? `, as one argument: --slurm-opt "${checked.word} VALUE" (or --slurm-opt=${checked.word}VALUE)` : '';
    stderr(`shark: error: --slurm-opt \`${checked.word}\`${checked.reason}${hint}\n`);
    throw new ExitError(EXIT_INVALID);
  }
  return { itemsPerTask, extra: checked.words };
}

/** Stops before anything runs when Slurm cannot take jobs from here; warns when no node would start them yet. */
export async function requireSlurm(options: SlurmRunOptions, stderr: (s: string) => void): Promise<void> {
  const why = await options.client.available();
  if (why !== undefined) {
    stderr(`shark: error: --executor slurm: ${why}\n`);
    throw new ExitError(EXIT_INVALID);
  }
  const idle = await options.client.noNodeTakesJobs();
  if (idle !== undefined) stderr(`shark: warning: --executor slurm: no Slurm node takes jobs now (${idle}): the jobs wait in the queue until one does\n`);
}
