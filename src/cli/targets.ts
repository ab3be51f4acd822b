import type { Command } from 'commander';
import type { Pipeline } from '../pipeline/pipeline.js';
import { selectSteps, type Selection } from '../plan/selection.js';
import { EXIT_INVALID, ExitError } from './load-or-report.js';
import { collect } from './common-options.js';
import { CONFIG_USE, configListProblem, type ConfigUse } from './apply-config.js';

export interface TargetFlags {
  force?: string[];
  [CONFIG_USE]?: ConfigUse;
}

/** `plan` and `run`: `[targets...]` after the file, and `--force BLOCK` (repeatable, or a comma list). */
export function withTargets(cmd: Command): Command {
  return cmd
    .argument('[targets...]', '/data paths or block ids to run, with what they need (default: every block but {manual} ones)')
    .option('--force <blocks>', 're-run these blocks\' jobs even when cached or {precious} (repeatable, or a comma list)', collect);
}

/**
 * The steps to plan or run; an unknown target or `--force` name is exit 2,
 * naming the blocks (located in the config file when it gave the name).
 */
export function selectOrReport(pipeline: Pipeline, targets: readonly string[], flags: TargetFlags, stderr: (s: string) => void): Selection {
  const selected = selectSteps(pipeline, targets, flags.force ?? []);
  if (selected.ok) return selected.selection;
  const { target, forced, message } = selected.error;
  const located = configListProblem(flags, forced ? 'force' : 'targets', target, message);
  stderr(`${located ?? `shark: error: ${forced ? '--force ' : ''}${message}`}\n`);
  throw new ExitError(EXIT_INVALID);
}
