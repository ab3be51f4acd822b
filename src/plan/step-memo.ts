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
  return sha256(canonicalJson([MEMO_VERSION, KEY_VERSION, sharedRecord(step, ctx), inputs]));
}

/** A cached job a memo answers for: its key and outputs are worked out only when asked (`plan --json`, a run row). */
class Recalled {
  constructor(private readonly job: Job, private readonly at: number, private readonly by: OutputsByName) {}

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
 * item). The n-th job's is usually the n-th entry (items and entries both
 * in name order, one output per directory); otherwise a map of the names,
 * made on first use.
 */
class OutputsByName {
  private readonly byPath = new Map<string, Map<string, SnapshotId>>();

  constructor(private readonly step: Step, private readonly trees: ReadonlyMap<string, readonly TreeEntry[]>) {}

  of(job: Job, at: number): (readonly [path: string, id: SnapshotId])[] {
    return this.step.outputs.map((o) => {
      const rel = withExtension(job.plusName!, o.ext);
      const entry = this.trees.get(o.path)?.[at];
      return [`${o.path}/${rel}`, entry?.name === rel ? entry.id : this.names(o.path).get(rel)!] as const;
    });
  }

  private names(path: string): Map<string, SnapshotId> {
    let names = this.byPath.get(path);
    if (names === undefined) {
      names = new Map();
      for (const e of this.trees.get(path) ?? []) names.set(e.name, e.id);
      this.byPath.set(path, names);
    }
    return names;
  }
}

/**
 * The step's cached jobs as its memo has them, when the memo is there, is
 * for as many jobs, and every object of its directories is in the store
 * (else undefined: the step is decided job by job, which says what is gone).
 */
export async function recall(
  session: Session, step: Step, jobs: readonly Job[], memo: StepMemo, entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined,
): Promise<{ job: Job; cached: { readonly key: string; readonly outputs: Record<string, SnapshotId> } }[] | undefined> {
  if (memo.jobs !== jobs.length) return undefined;
  const trees = new Map<string, readonly TreeEntry[]>();
  for (const [path, id] of memo.outputs) {
    const entries = entriesOf(id);
    const perJob = step.outputs.filter((o) => o.path === path).length;
    if (entries === undefined || entries.length !== jobs.length * perJob) return undefined;
    trees.set(path, entries);
  }
  if (!(await holds(session, [...memo.outputs.values()], [...trees.values()]))) return undefined;
  const by = new OutputsByName(step, trees);
  return jobs.map((job, n) => ({ job, cached: new Recalled(job, n, by) }));
}

/** Whether the store holds every byte of the directories (`trees`: their entries), in bulk where the store can. */
async function holds(session: Session, ids: readonly SnapshotId[], trees: readonly (readonly TreeEntry[])[]): Promise<boolean> {
  const { store } = session;
  if (store.holdsTrees !== undefined) return store.holdsTrees(ids);
  await store.preload?.(trees.flatMap((entries) => entries.map((e) => e.id)));
  return ids.every((id) => store.has(id));
}
