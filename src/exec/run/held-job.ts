import type { Item, Job } from '../../plan/jobs.js';
import { commandAsRun } from '../../plan/key.js';

/** Not worked out yet (a job's `plusName` may be undefined). */
const UNSET = Symbol('unset');

/**
 * A job as it is run: what it is asked for again and again between its
 * staging and its commit (its id, inputs, record…) worked out once, on the
 * first ask, where a planned job derives each anew whenever asked
 * (`plan/expanded-job.ts`: a million-item map holds its jobs small); one job
 * asked its id, inputs and record a dozen times. Nothing is worked out
 * before it is asked for: a job skipped after Ctrl-C asks for its id alone,
 * and under Slurm every job of a map is in flight at once.
 */
class HeldJob implements Job {
  private heldId: string | typeof UNSET = UNSET;
  private heldItems: readonly Item[] | typeof UNSET = UNSET;
  private heldIdentity: string | typeof UNSET = UNSET;
  private heldInputs: Job['inputs'] | typeof UNSET = UNSET;
  private heldOutputs: Job['outputs'] | typeof UNSET = UNSET;
  private heldRecord: Job['record'] | typeof UNSET = UNSET;
  private heldKey: string | typeof UNSET = UNSET;
  private heldPlusName: string | undefined | typeof UNSET = UNSET;

  declare readonly problem?: NonNullable<Job['problem']>;

  constructor(private readonly job: Job) {
    // Known as the job is made (a joined item that is not there), never later.
    if (job.problem !== undefined) (this as { problem?: Job['problem'] }).problem = job.problem;
  }

  get step(): Job['step'] {
    return this.job.step;
  }

  get id(): string {
    return this.heldId === UNSET ? (this.heldId = this.job.id) : this.heldId;
  }

  get items(): readonly Item[] {
    return this.heldItems === UNSET ? (this.heldItems = this.job.items) : this.heldItems;
  }

  get identity(): string {
    return this.heldIdentity === UNSET ? (this.heldIdentity = this.job.identity) : this.heldIdentity;
  }

  get inputs(): Job['inputs'] {
    return this.heldInputs === UNSET ? (this.heldInputs = this.job.inputs) : this.heldInputs;
  }

  get outputs(): Job['outputs'] {
    return this.heldOutputs === UNSET ? (this.heldOutputs = this.job.outputs) : this.heldOutputs;
  }

  get record(): Job['record'] {
    return this.heldRecord === UNSET ? (this.heldRecord = this.job.record) : this.heldRecord;
  }

  get key(): string {
    return this.heldKey === UNSET ? (this.heldKey = this.job.key) : this.heldKey;
  }

  get plusName(): string | undefined {
    return this.heldPlusName === UNSET ? (this.heldPlusName = this.job.plusName) : this.heldPlusName;
  }
}

/** `job` as it is run: each of its members worked out once, when first asked for (`HeldJob`). */
export function heldOnce(job: Job): Job {
  return new HeldJob(job);
}

/** Each run step's command as its results' meta shows it: the same for every job of a map. */
const runCommands = new WeakMap<Job['step'], string>();

export function runCommandOf(step: Extract<Job['step'], { kind: 'run' }>): string {
  let command = runCommands.get(step);
  if (command === undefined) runCommands.set(step, (command = commandAsRun({ prelude: step.exports, cwd: step.cwd ?? null, command: step.command })));
  return command;
}
