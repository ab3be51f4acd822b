import { copyFileSync, cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { inTheWay } from '../../store/safe-path.js';
import type { ExecOutcome, ExecRequest } from '../executor.js';
import { appendToLog } from '../job-log.js';
import type { Adoptable } from './adopt.js';
import type { JobState } from './parse.js';

/**
 * How a Slurm task's end becomes its jobs' outcomes, and what the jobs' logs
 * get of it: the node's account when there is one, Slurm's word otherwise
 * (tracker.ts decides which applies).
 */

/** A failure the node reported names the Slurm task and node it ran on. */
export function where(outcome: ExecOutcome, id: string, host: string): ExecOutcome {
  if (outcome.status === 'failed' || outcome.status === 'timeout') return { ...outcome, message: `${outcome.message}${placeOf(id, host)}` };
  return outcome;
}

const placeOf = (id: string, host: string): string => ` (Slurm task ${id} on ${host})`;

/** A message as the node said it, before `where` named the task and node: what the node's own log holds. */
export function asNodeSaid(message: string): string {
  return message.replace(/ \(Slurm task \S+ on \S+\)$/, '');
}

/**
 * How a task ended when the node left no status for a job: Slurm's word is
 * all there is. `submission`: the submission's directory in the store, which
 * the node must see (the task starts there, and Slurm's output of it goes there).
 */
export function fromSlurm(id: string, state: JobState | undefined, cancelledHere: boolean, submission: string): ExecOutcome {
  if (state === undefined) {
    return cancelledHere ? { status: 'cancelled' } : { status: 'failed', reason: 'internal', exitCode: null, message: `Slurm no longer knows task ${id}, and it left no status` };
  }
  const what = ended(id, state);
  switch (state.status) {
    case 'timeout':
      return { status: 'timeout', message: `${what}: its time limit` };
    case 'cancelled':
      return cancelledHere ? { status: 'cancelled' } : { status: 'failed', reason: 'signal', exitCode: state.exitCode ?? null, message: `${what}: cancelled outside Shark` };
    case 'failed':
      // slurmd could not start the batch script (Slurm's exit "0:53"): the cluster's doing, said in what Shark needs of a node.
      if (state.reason === 'JobLaunchFailure') return { status: 'failed', reason: 'environment', exitCode: null, message: launchFailure(id, submission) };
      return { status: 'failed', reason: 'exit', exitCode: state.exitCode ?? null, message: `${what} before the job could report` };
    default:
      return { status: 'failed', reason: 'signal', exitCode: state.exitCode ?? null, message: what };
  }
}

function launchFailure(id: string, submission: string): string {
  return `Slurm could not launch task ${id} on its node (JobLaunchFailure): the node must see ${submission} (in the store) at the same path: the task starts there and Slurm writes its output there (the node's slurmd log says what failed)`;
}

/** An array task Slurm dropped before it started, which this run did not cancel: someone else did (`scancel` of a pending task). */
export function droppedOutside(id: string): ExecOutcome {
  return { status: 'failed', reason: 'signal', exitCode: null, message: `Slurm task ${id} left its array before it started: cancelled outside Shark` };
}

/**
 * The node stopped a job on a signal (SIGTERM, SIGINT) while this run
 * cancelled nothing and Slurm names no reason of its own: a failure, never
 * `cancelled`, which the run would take for its own interruption and skip.
 */
export function stoppedOutside(id: string, state: JobState | undefined): ExecOutcome {
  const what = state === undefined ? `Slurm task ${id} left no record` : ended(id, state);
  return { status: 'failed', reason: 'signal', exitCode: null, message: `the node stopped the job on a signal Shark did not send: ${what}` };
}

/** `Slurm task ID ended STATE (exit E, signal S)`: how Slurm says a task ended. */
function ended(id: string, state: JobState): string {
  return `Slurm task ${id} ended ${state.slurmState}${state.exitCode === undefined ? '' : ` (exit ${state.exitCode}${state.signal ? `, signal ${state.signal}` : ''})`}`;
}

/** Why a task waited in the queue: said of a task cancelled before it ran, it reads as why it ended. */
const PENDING_REASONS = new Set(['Resources', 'Priority', 'Dependency', 'BeginTime', 'JobArrayTaskLimit', 'QOSMaxJobsPerUserLimit', 'None']);

/** Adds what Slurm says of the task, and what the node printed outside the job, to the job's log. */
export function noteSlurm(logPath: string, t: { readonly id: string; readonly log: string }, state: JobState | undefined): void {
  let printed = '';
  try {
    printed = readFileSync(t.log, 'utf8').trimEnd();
  } catch {
    // No output.
  }
  // A task cancelled while it pended keeps the reason it waited for (`Resources`), which is not why it ended.
  const reason = state?.reason !== undefined && state.reason !== '' && !(state.status === 'cancelled' && PENDING_REASONS.has(state.reason)) ? ` (${state.reason})` : '';
  const line = state === undefined ? `shark: Slurm task ${t.id}: no record left` : `shark: Slurm task ${t.id}: ${state.slurmState}${state.exitCode === undefined ? '' : `, exit ${state.exitCode}`}${reason}`;
  appendToLog(logPath, printed === '' ? line : `${line}\n${printed}`);
}

/**
 * An adopted job's outputs and log move from the dead run's workspace into
 * this run's. Nothing is taken through a link the job left in place of a
 * directory above an output (it leads to host files, not the job's): that
 * output stays missing, and the log says why.
 */
export function takeOver(old: Adoptable, req: ExecRequest): void {
  const refused: string[] = [];
  for (const o of req.outputs) {
    const blocked = inTheWay(old.workspace, dirname(o.path)) ?? inTheWay(req.workspace.root, dirname(o.path));
    if (blocked !== undefined) {
      refused.push(`shark: ${o.path} not taken over: ${blocked} (Shark takes nothing through a link)`);
      continue;
    }
    const from = old.workspace + o.path;
    const to = req.workspace.root + o.path;
    if (lstatSync(from, { throwIfNoEntry: false }) === undefined) continue;
    mkdirSync(dirname(to), { recursive: true });
    // The run prepared an empty directory for a map's shared output: the old one replaces it.
    if (lstatSync(to, { throwIfNoEntry: false })?.isDirectory() === true && readdirSync(to).length === 0) rmSync(to, { recursive: true });
    const moved = moveOutput(from, to);
    if (moved !== undefined) refused.push(`shark: ${o.path} not taken over: ${moved}`);
  }
  try {
    copyFileSync(old.logPath, req.logPath);
  } catch {
    // A job that printed nothing has no log.
  }
  if (refused.length > 0) appendToLog(req.logPath, refused.join('\n'));
}

/**
 * Moves an adopted output; why it could not be, when it could not. On the ZFS
 * store each job has a dataset of its own, which no rename leaves (EXDEV):
 * the output is copied over then, links as they are (they are judged as the
 * job's own when it is stored), and what could not be copied is left out.
 */
function moveOutput(from: string, to: string): string | undefined {
  try {
    renameSync(from, to);
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
  }
  try {
    cpSync(from, to, { recursive: true, verbatimSymlinks: true, errorOnExist: true, force: false, preserveTimestamps: true });
    return undefined;
  } catch (e) {
    rmSync(to, { recursive: true, force: true });
    return (e as Error).message;
  }
}
