import type { Command } from 'commander';
import type { Pipeline } from '../pipeline/pipeline.js';
import { planPipeline, type Plan } from '../plan/planner.js';
import { selectSteps, type Selection, type SelectionError } from '../plan/selection.js';
import { seedState, type Session } from '../plan/session.js';
import { reportingInvalidInput } from './session-setup.js';
import { EXIT_INVALID, ExitError } from './load-or-report.js';
import { collect } from './common-options.js';
import { printable } from '../printable.js';
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
  return refuseName(selected.error, flags, stderr);
}

/**
 * Exit 2 for a name no block or job has: at its entry in the config file
 * when it gave it, else
 * blaming `--force` or the target.
 */
function refuseName({ target, forced, message }: SelectionError, flags: TargetFlags, stderr: (s: string) => void): never {
  // Located, it ends with the count line as the file's other errors do.
  const located = configListProblem(flags, forced ? 'force' : 'targets', target, message);
  // One line: a name typed with a newline in it (`x\nok: …`) is shown escaped, forging no line of its own.
  // `--force \`x\` is no …` and `--force expects …` read on; `no step writes …` is said of the name given (`--force /data/x: no step writes /data/x`).
  const blamed = !forced ? '' : message.startsWith('no ') ? `--force ${printable(target)}: ` : '--force ';
  stderr(located !== undefined ? `${located}\n` : `shark: error: ${blamed}${printable(message)}\n`);
  throw new ExitError(EXIT_INVALID);
}

/**
 * A map job a target or `--force` names (`up[zz.txt]`, `/data/up/zz.txt`)
 * that the map turns out not to have: exit 2, as an unknown block is. Only
 * the plan knows a map's items, where its inputs are there to read.
 */
export function refuseNoJobs(plan: Pick<Plan, 'noJobs'>, flags: TargetFlags, stderr: (s: string) => void): void {
  const [first] = plan.noJobs ?? [];
  if (first !== undefined) refuseName(first, flags, stderr);
}

/** `run` with map jobs named: planned first, so a job no map has is refused before anything runs. */
export async function refuseNoJobsAhead(
  session: Session, hostInputs: ReadonlyMap<string, string>, selection: Selection, flags: TargetFlags, stderr: (s: string) => void,
): Promise<void> {
  if (selection.only === undefined && selection.forcedJobs === undefined) return;
  const state = await reportingInvalidInput(session, stderr, () => seedState(session, hostInputs));
  refuseNoJobs(await planPipeline(session, state, selection), flags, stderr);
}
