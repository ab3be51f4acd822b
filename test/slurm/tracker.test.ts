import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecOutcome, ExecRequest } from '../../src/exec/executor.js';
import type { SlurmClient, StateReport } from '../../src/exec/slurm/client.js';
import type { JobState } from '../../src/exec/slurm/parse.js';
import { Tracker, type Entry } from '../../src/exec/slurm/tracker.js';

const dir = mkdtempSync(join(tmpdir(), 'shark-tracker-'));

/** A client whose every poll answers `jobs`. */
function clientSaying(jobs: JobState[]): SlurmClient {
  const report: StateReport = { jobs, unknown: [] };
  return { state: async () => ({ ok: true, value: report }), cancel: async () => ({ ok: true, value: undefined }) } as unknown as SlurmClient;
}

function entry(name: string, status: ExecOutcome | undefined): { entry: Entry; outcome: Promise<ExecOutcome> } {
  const statusPath = join(dir, `${name}.json`);
  if (status !== undefined) writeFileSync(statusPath, JSON.stringify({ outcome: status, host: 'node1', started: 0, ended: 1 }));
  const req = { logPath: join(dir, `${name}.log`), outputs: [], workspace: { root: dir } } as unknown as ExecRequest;
  let resolve!: (o: ExecOutcome) => void;
  const outcome = new Promise<ExecOutcome>((r) => (resolve = r));
  const hint = { queued: () => undefined, running: () => undefined } as unknown as Entry['hint'];
  return { entry: { req, hint, resolve, statusPath, running: false }, outcome };
}

const ended = (id: string, slurmState: string, status: JobState['status'], exitCode?: number): JobState =>
  ({ id, jobId: id.split('_')[0]!, arrayTask: undefined, name: 'n', status, slurmState, exitCode, signal: undefined, reason: undefined });

const running = (id: string): JobState =>
  ({ id, jobId: id.split('_')[0]!, arrayTask: Number(id.split('_')[1]), name: 'n', status: 'running', slurmState: 'RUNNING', exitCode: undefined, signal: undefined, reason: undefined });

/** How a task's end becomes its jobs' outcomes: the node's status, unless Slurm itself ended the task. */
describe('the Slurm tracker', () => {
  it('reports a task Slurm cancelled from outside as such, even when the node saw its job killed', async () => {
    const killed = entry('killed', { status: 'failed', reason: 'signal', exitCode: null, message: 'the job launcher died' });
    new Tracker(clientSaying([ended('7', 'CANCELLED', 'cancelled', 0)]), 5).watch({ jobId: '7', dir, tasks: [{ id: '7', entries: [killed.entry], log: join(dir, 'none.out') }] });
    expect(await killed.outcome).toEqual({ status: 'failed', reason: 'signal', exitCode: 0, message: 'Slurm task 7 ended CANCELLED (exit 0): cancelled outside Shark' });
  });

  it('does not give a task cancelled from outside while it pended the reason it waited for (Resources) as why it ended', async () => {
    const pended = entry('pended', undefined);
    const state = { ...ended('12', 'CANCELLED', 'cancelled', 0), reason: 'Resources' } as JobState;
    new Tracker(clientSaying([state]), 5).watch({ jobId: '12', dir, tasks: [{ id: '12', entries: [pended.entry], log: join(dir, 'none.out') }] });
    expect(await pended.outcome).toMatchObject({ status: 'failed', message: 'Slurm task 12 ended CANCELLED (exit 0): cancelled outside Shark' });
    expect(readFileSync(join(dir, 'pended.log'), 'utf8')).toBe('shark: Slurm task 12: CANCELLED, exit 0\n');
  });

  it('never lets a job the node saw stopped, when this run stopped nothing, pass as cancelled (a skipped job and exit 0)', async () => {
    const stopped = entry('stopped', { status: 'cancelled' });
    new Tracker(clientSaying([ended('10', 'FAILED', 'failed', 1)]), 5).watch({ jobId: '10', dir, tasks: [{ id: '10', entries: [stopped.entry], log: join(dir, 'none.out') }] });
    expect(await stopped.outcome).toEqual({ status: 'failed', reason: 'signal', exitCode: null, message: 'the node stopped the job on a signal Shark did not send: Slurm task 10 ended FAILED (exit 1)' });
    const forgotten = entry('forgotten', { status: 'cancelled' });
    const unknown = { state: async () => ({ ok: true, value: { jobs: [], unknown: ['11'] } }), cancel: async () => ({ ok: true, value: undefined }) } as unknown as SlurmClient;
    new Tracker(unknown, 5).watch({ jobId: '11', dir, tasks: [{ id: '11', entries: [forgotten.entry], log: join(dir, 'none.out') }] });
    expect(await forgotten.outcome).toEqual({ status: 'failed', reason: 'signal', exitCode: null, message: 'the node stopped the job on a signal Shark did not send: Slurm task 11 left no record' });
  });

  it('fails at once a task pending on a dependency that can never be satisfied, saying so', async () => {
    const held = entry('never', undefined);
    const pending = { ...ended('14', 'PENDING', 'pending'), reason: 'DependencyNeverSatisfied' } as JobState;
    new Tracker(clientSaying([pending]), 5).watch({ jobId: '14', dir, tasks: [{ id: '14', entries: [held.entry], log: join(dir, 'none.out') }] });
    expect(await held.outcome).toEqual({ status: 'failed', reason: 'environment', exitCode: null,
      message: 'Slurm will never start task 14: it is pending for DependencyNeverSatisfied (a job it depends on ended so that it never can start; see --slurm-opt=--dependency)' });
  });

  it('once Slurm stops answering, keeps a job whose node wrote that it ended well, and fails only those with no word', async () => {
    const done = entry('silent-done', { status: 'ok' });
    const unknown = entry('silent-unknown', undefined);
    const silent = { state: async () => ({ ok: false, message: 'squeue exited 1' }), cancel: async () => ({ ok: false, message: 'down' }) } as unknown as SlurmClient;
    new Tracker(silent, 1).watch({ jobId: '15', dir, tasks: [{ id: '15_0', entries: [done.entry], log: join(dir, 'none.out') }, { id: '15_1', entries: [unknown.entry], log: join(dir, 'none.out') }] });
    expect(await done.outcome).toEqual({ status: 'ok' });
    // It may still run: named, with how to cancel it, and left for the next run to take over (its workspace kept).
    expect(await unknown.outcome).toEqual({ status: 'failed', reason: 'environment', exitCode: null, leftRunning: '15_1',
      message: 'Slurm stopped answering: squeue exited 1; task 15_1 may still be queued or running: the next run takes it over (its workspace is kept), or cancel it with `scancel 15_1`' });
  });

  it('keeps the node\'s account of a job that failed by itself, naming the task and node', async () => {
    const failed = entry('failed', { status: 'failed', reason: 'exit', exitCode: 3, message: 'exit status 3' });
    const done = entry('done', { status: 'ok' });
    new Tracker(clientSaying([ended('8_0', 'FAILED', 'failed', 1)]), 5).watch({ jobId: '8', dir, tasks: [{ id: '8_0', entries: [done.entry, failed.entry], log: join(dir, 'none.out') }] });
    expect(await done.outcome).toEqual({ status: 'ok' });
    expect(await failed.outcome).toEqual({ status: 'failed', reason: 'exit', exitCode: 3, message: 'exit status 3 (Slurm task 8_0 on node1)' });
  });

  it('fails an array task someone cancelled before it started, which Slurm drops at once, as cancelled outside Shark: no waiting for the array to be forgotten', async () => {
    const dropped = entry('dropped', undefined);
    const other = entry('other', undefined);
    // The array's other task runs; the dropped one is listed nowhere, and asked by its own id, no accounting knows it.
    const client = {
      state: async (ids: string[]) => ({ ok: true, value: ids.includes('12') ? { jobs: [running('12_0')], unknown: [] } : { jobs: [], unknown: ids } }),
      cancel: async () => ({ ok: true, value: undefined }),
    } as unknown as SlurmClient;
    new Tracker(client, 5).watch({ jobId: '12', dir, tasks: [{ id: '12_0', entries: [other.entry], log: join(dir, 'none.out') }, { id: '12_1', entries: [dropped.entry], log: join(dir, 'none.out') }] });
    expect(await dropped.outcome).toEqual({ status: 'failed', reason: 'signal', exitCode: null, message: 'Slurm task 12_1 left its array before it started: cancelled outside Shark' });
  });

  it('hands back to be submitted again, not skipped, an adopted job a dead run\'s stop kept from starting (-k skipped its siblings)', async () => {
    const kept = entry('kept-back', undefined);
    writeFileSync(kept.entry.statusPath, JSON.stringify({ outcome: { status: 'cancelled' }, host: 'node1', started: 0, ended: 1, stopped: true }));
    const again = new Promise<Entry[]>((done) => {
      const tracker = new Tracker(clientSaying([ended('13_2', 'COMPLETED', 'completed', 0)]), 5, done);
      const old = { taskId: '13_2', statusPath: kept.entry.statusPath, slurmLog: join(dir, 'none.out'), workspace: dir, logPath: join(dir, 'none.log') };
      tracker.adopt(kept.entry, old as unknown as Parameters<Tracker['adopt']>[1]);
    });
    expect(await again).toEqual([kept.entry]);
    // It is not over: its outcome comes from the submission that runs it.
    expect(await Promise.race([kept.outcome, new Promise((r) => setTimeout(() => r('pending'), 50))])).toBe('pending');
  });

  it('takes Slurm\'s time limit as a timeout when the node left no status', async () => {
    const late = entry('late', undefined);
    new Tracker(clientSaying([ended('9', 'TIMEOUT', 'timeout', 0)]), 5).watch({ jobId: '9', dir, tasks: [{ id: '9', entries: [late.entry], log: join(dir, 'none.out') }] });
    expect(await late.outcome).toMatchObject({ status: 'timeout', message: expect.stringContaining('TIMEOUT') });
  });

  it('says a task Slurm could not launch (a node that does not see the store) is the cluster\'s failure, not an exit 0 "signal 53"', async () => {
    const unseen = entry('unseen', undefined);
    const launch: JobState = { ...ended('11_0', 'FAILED', 'failed', 0), signal: 53, reason: 'JobLaunchFailure' };
    new Tracker(clientSaying([launch]), 5).watch({ jobId: '11', dir, tasks: [{ id: '11_0', entries: [unseen.entry], log: join(dir, 'sub/slurm-0.out') }] });
    const outcome = await unseen.outcome;
    expect(outcome).toMatchObject({ status: 'failed', reason: 'environment', exitCode: null });
    expect((outcome as { message: string }).message).toBe(`Slurm could not launch task 11_0 on its node (JobLaunchFailure): the node must see ${join(dir, 'sub')} (in the store) at the same path: the task starts there and Slurm writes its output there (the node's slurmd log says what failed)`);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
