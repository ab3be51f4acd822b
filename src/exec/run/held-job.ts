import type { Job } from '../../plan/jobs.js';
import { commandAsRun } from '../../plan/key.js';

/** What a running job is asked for again and again (its id, inputs, record…), derived from its step once. */
const HELD = ['id', 'items', 'identity', 'inputs', 'outputs', 'record', 'key', 'plusName'] as const;

/**
 * The job with `HELD` worked out once, for as long as it is run: a planned
 * job derives each anew whenever asked (`plan/expanded-job.ts`: a
 * million-item map holds its jobs small), and one job asked its id, inputs
 * and record a dozen times between its staging and its commit.
 */
export function heldOnce(job: Job): Job {
  return Object.create(job, Object.fromEntries(HELD.map((name) => [name, { value: job[name] }]))) as Job;
}

/** Each run step's command as its results' meta shows it: the same for every job of a map. */
const runCommands = new WeakMap<Job['step'], string>();

export function runCommandOf(step: Extract<Job['step'], { kind: 'run' }>): string {
  let command = runCommands.get(step);
  if (command === undefined) runCommands.set(step, (command = commandAsRun({ prelude: step.exports, cwd: step.cwd ?? null, command: step.command })));
  return command;
}
