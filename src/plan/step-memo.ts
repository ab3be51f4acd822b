import { canonicalJson } from '../canonical-json.js';
import type { Input, Step } from '../pipeline/pipeline.js';
import { sha256 } from '../store/hash.js';
import type { StepMemo } from '../store/step-memos.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import { withExtension } from './expanded-job.js';
import { sharedRecord, type Job, type JobContext } from './jobs.js';
import { KEY_VERSION } from './key.js';
import { isPrecious } from './selection.js';
import type { Session } from './session.js';
import type { CachedResult, JobDecision } from './step-plan.js';

/**
 * A map step whose every job is cached comes to the same thing the next
 * time its jobs' keys are made of the same parts: the same jobs, the same
 * results, the same composed directories. Its memo (`store/step-memos.ts`)
 * lets `plan` and `run` skip, per item, the key's hash, the result's
 * lookup and the directory's composition: only the outputs' objects are
 * checked, as for any cached job. A million-item map planned again reads
 * one row and one tree instead of a million results.
 */
const MEMO_VERSION = 1;

/** A map whose outputs are all one per item (`+`), nothing kept from earlier keys (`{precious}`). */
export function memoable(step: Step): boolean {
  return step.kind === 'run' && step.inputs.some((i) => i.pattern !== undefined)
    && step.outputs.length > 0 && step.outputs.every((o) => o.perItem) && !isPrecious(step);
}

/** Everything the step's jobs' keys and identities are made of: its shared record, and each input's path, pattern and id. */
export function memoKey(step: Step, inputIds: ReadonlyMap<Input, SnapshotId>, ctx: JobContext): string {
  const inputs = step.inputs.map((i) => [i.path, i.pattern ?? null, i.join === undefined ? null : (i.join.ext ?? ''), inputIds.get(i) ?? null]);
  // What a link among them leads to (`linkedInputs`): in the key only when there is some, so other memos keep theirs.
  for (const [i, id] of inputIds) if (!step.inputs.includes(i)) inputs.push([i.path, null, null, id]);
  return sha256(canonicalJson([MEMO_VERSION, KEY_VERSION, sharedRecord(step, ctx), inputs]));
}

/**
 * A cached job a memo answers for, and the decision that it is: its key and
 * outputs are worked out only when asked (`plan --json`, a run row). One
 * object for both (a million-item map made two a job).
 */
class Recalled implements JobDecision, CachedResult {
  constructor(readonly job: Job, private readonly at: number, private readonly by: OutputsByName) {}

  get cached(): CachedResult {
    return this;
  }

  get key(): string {
    return this.job.key;
  }

  get outputs(): Record<string, SnapshotId> {
    const outputs = Object.create(null) as Record<string, SnapshotId>;
    for (const [path, id] of this.pairs) outputs[path] = id;
    return outputs;
  }

  get pairs(): (readonly [path: string, id: SnapshotId])[] {
    return this.by.of(this.job, this.at);
  }
}

/**
 * Each job's outputs, read from the composed directories (one name per
 * item), read when first asked for: a text plan reads none. The n-th job's
 * is usually the n-th entry (items and entries both in name order, one
 * output per directory); otherwise a map of the names, made on first use.
 */
class OutputsByName {
  private readonly trees = new Map<string, readonly TreeEntry[]>();
  private readonly byPath = new Map<string, Map<string, SnapshotId>>();

  constructor(private readonly step: Step, private readonly ids: ReadonlyMap<string, SnapshotId>, private readonly entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined) {}

  of(job: Job, at: number): (readonly [path: string, id: SnapshotId])[] {
    return this.step.outputs.map((o) => {
      const rel = withExtension(job.plusName!, o.ext);
      const entry = this.entries(o.path)[at];
      return [`${o.path}/${rel}`, entry?.name === rel ? entry.id : this.names(o.path).get(rel)!] as const;
    });
  }

  private entries(path: string): readonly TreeEntry[] {
    let entries = this.trees.get(path);
    if (entries === undefined) {
      const id = this.ids.get(path)!;
      entries = this.entriesOf(id);
      // Checked whole just before (`recall`): only a store changed under this process loses it.
      if (entries === undefined) throw new Error(`the directory ${path} (${id}) of step ${this.step.id} is no longer in the store`);
      this.trees.set(path, entries);
    }
    return entries;
  }

  private names(path: string): Map<string, SnapshotId> {
    let names = this.byPath.get(path);
    if (names === undefined) {
      names = new Map();
      for (const e of this.entries(path)) names.set(e.name, e.id);
      this.byPath.set(path, names);
    }
    return names;
  }
}

/** What a memo's directories must hold: each tree with an entry per job and output of the step into it. */
function expectedTrees(step: Step, memo: StepMemo): Map<SnapshotId, number> {
  return new Map([...memo.outputs].map(([path, id]) => [id, memo.jobs * step.outputs.filter((o) => o.path === path).length]));
}

/** Where the step's last memo is found again before its inputs are walked: the document and the step. */
export function memoScope(session: Pick<Session, 'pipelinePath'>, step: Step): string {
  return `${session.pipelinePath}\0${step.id}`;
}

/**
 * Starts checking the directories of each map step's last memo, on worker
 * threads, before the inputs are walked: when the step comes to the same
 * memo (its inputs unchanged), the million objects' stats are done. When
 * a session opens to plan or run (`openSession`), and before `serve` plans
 * again.
 */
export function checkMemosAhead(session: Pick<Session, 'pipeline' | 'pipelinePath' | 'meta' | 'store'>): void {
  const checks: Map<SnapshotId, number>[] = [];
  for (const step of session.pipeline.steps) {
    const trees = lastMemoTrees(session, step);
    if (trees !== undefined) checks.push(trees);
  }
  session.store.checkTreesAhead?.(checks);
}

/**
 * Stops the check `checkMemosAhead` started of the step's last memo, when
 * the step did not come to that memo (its command or inputs changed): a
 * million `lstat`s on another core would only slow the plan, and the
 * worker held the memo's tree (~300 MB at 1,000,000 items) to the end.
 */
export function forgoLastCheck(session: Session, step: Step): void {
  const trees = lastMemoTrees(session, step);
  if (trees !== undefined) session.store.forgoTreeCheck?.(trees);
}

/** The directories the map step's last memo names, each with the entries it must have: what is checked ahead for it. */
function lastMemoTrees(session: Pick<Session, 'pipelinePath' | 'meta'>, step: Step): Map<SnapshotId, number> | undefined {
  const last = memoable(step) ? session.meta.memos.last(memoScope(session, step)) : undefined;
  return last === undefined ? undefined : expectedTrees(step, last);
}

/**
 * The step's cached jobs as its memo has them, when the memo is there, is
 * for as many jobs, and every object of its directories is in the store
 * (else undefined: the step is decided job by job, which says what is gone).
 */
export async function recall(
  session: Session, step: Step, jobs: readonly Job[], memo: StepMemo, entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined,
): Promise<JobDecision[] | undefined> {
  if (memo.jobs !== jobs.length) return undefined;
  if (!(await holds(session, expectedTrees(step, memo), entriesOf))) return undefined;
  const by = new OutputsByName(step, memo.outputs, entriesOf);
  return jobs.map((job, n) => new Recalled(job, n, by));
}

/** Whether the store holds every byte of the directories, each of the size given, in bulk where the store can. */
async function holds(session: Session, trees: ReadonlyMap<SnapshotId, number>, entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined): Promise<boolean> {
  const { store } = session;
  if (store.holdsTrees !== undefined) return store.holdsTrees(trees);
  const entries = [...trees].map(([id, size]) => {
    const list = entriesOf(id);
    return list?.length === size ? list : undefined;
  });
  if (entries.some((list) => list === undefined)) return false;
  await store.preload?.(entries.flatMap((list) => list!.map((e) => e.id)));
  return [...trees.keys()].every((id) => store.has(id));
}
