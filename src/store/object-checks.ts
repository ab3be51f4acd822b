import { lstatSync, type Stats } from 'node:fs';
import { hashFileSync } from './hash.js';
import type { Metadata } from './metadata.js';
import { glanceAt, hasStoredMode, objectPath, restoreModeAt, type UnsureObject } from './object-file.js';
import { ObjectRecords, sameRecord, type Recorded } from './object-records.js';
import { unsureAhead } from './objects-ahead.js';
import { refreshSighted, sightingOf, stillAsSighted } from './object-refresh.js';
import type { SnapshotId } from './snapshot-store.js';

type Verdict = 'ok' | 'missing' | 'changed';

/**
 * Whether the objects under `dir` are still the ones that were stored, told
 * cheaply from their `lstat`: one that shows `STORED_MTIME_MS` is, one that
 * shows another time is judged by the size, mtime and inode recorded when it
 * was stored. Each is looked at once a process unless asked `again`, and many
 * at once are stat'ed on the stat worker. `CasObjects` extends it, so that
 * the store still asks `objects.check(…)`: it stores, moves aside and removes
 * objects, keeping `sound` and `records` up to date as it does.
 */
export class ObjectChecks {
  protected readonly records: ObjectRecords;
  /** Objects checked sound in this process, so a plan stats each one once. */
  protected readonly sound = new Set<SnapshotId>();

  constructor(readonly dir: string, meta: Metadata) {
    this.records = new ObjectRecords(meta);
  }

  pathOf(id: SnapshotId): string {
    return objectPath(this.dir, id);
  }

  /**
   * Cheap check of an object against what was recorded when it was stored.
   * `again` looks even at an object already found sound in this process (after a job that could have written to it).
   */
  check(id: SnapshotId, again = false, known?: Recorded | null): Verdict {
    if (!again && this.sound.has(id)) return 'ok';
    const seen = this.glance(id);
    return typeof seen === 'string' ? seen : this.judge(id, seen, known);
  }

  /**
   * `check` looking again, and the `lstat` it judged by (none when missing):
   * what a job's hard link to the object shows afterwards is compared with
   * it, a write that landed before the look being judged by the look.
   */
  checkNow(id: SnapshotId): { verdict: Verdict; st?: Stats } {
    const st = this.statOf(id);
    if (st === undefined) return { verdict: 'missing' };
    const seen = this.glanceAt(id, st);
    const verdict = typeof seen === 'string' ? seen : this.judge(id, seen);
    // A sound object given another mode (a hand `chmod 666`) is given its own before a job is linked to it.
    if (verdict === 'ok' && !hasStoredMode(id, st) && restoreModeAt(this.pathOf(id), id)) return { verdict, st: this.statOf(id) ?? st };
    return { verdict, st };
  }

  /** What the object's `lstat` alone says: sound (it shows the stored time), missing, changed, or what to judge by its record. */
  private glance(id: SnapshotId): 'ok' | 'missing' | 'changed' | Recorded {
    const st = this.statOf(id);
    return st === undefined ? 'missing' : this.glanceAt(id, st);
  }

  private glanceAt(id: SnapshotId, st: Stats): 'ok' | 'changed' | Recorded {
    const seen = glanceAt(st);
    return seen === 'ok' ? this.trust(id) : seen;
  }

  protected statOf(id: SnapshotId): Stats | undefined {
    try {
      // Missing without an exception (~6 µs each): the store's first run looks for every input it copies.
      return lstatSync(this.pathOf(id), { throwIfNoEntry: false });
    } catch {
      return undefined;
    }
  }

  private trust(id: SnapshotId): 'ok' {
    this.sound.add(id);
    return 'ok';
  }

  /** Whether what the object's stat shows (`seen`) is what was recorded; sound ones are remembered. */
  private judge(id: SnapshotId, seen: Recorded, known?: Recorded | null): Verdict {
    const differs = (rec: Recorded | undefined): boolean => rec !== undefined && !sameRecord(rec, seen);
    // An object stored before stats were recorded is trusted until fsck says otherwise. The
    // in-memory copy may be older than another process's heal: a difference is asked of the table.
    const cached = known === undefined ? this.records.get(id) : known ?? undefined;
    if (differs(cached) && (cached === undefined || differs(this.records.fresh(id)))) return this.soundAgain(id) ? this.trust(id) : 'changed';
    return this.trust(id);
  }

  /**
   * Whether an object whose stat shows neither the stored time nor its
   * record still holds the bytes its name says: a project copied with
   * `cp -r` gives every stored file a new inode and time, and a `touch` a
   * new time, and its results were taken for gone (every job ran again).
   * A plain file of the recorded size is hashed again, once, as `git status`
   * does after a copy; sound, its record is made what it shows now, as
   * `fsck` does (`object-refresh.ts`), unless the store is read-only to this
   * user (then it is hashed again next time).
   */
  private soundAgain(id: SnapshotId): boolean {
    const path = this.pathOf(id);
    const sighting = sightingOf(path, id, this.records);
    if (sighting === undefined || sighting.st.size !== sighting.was.size) return false;
    try {
      // The bytes hashed are the object's only if nothing wrote it meanwhile (its stat, ctime included, unchanged).
      if (hashFileSync(path) !== id.slice(id.indexOf(':') + 1) || stillAsSighted(path, sighting) === undefined) return false;
    } catch {
      return false;
    }
    try {
      refreshSighted(path, id, sighting, this.records);
    } catch {
      // A store read-only to this user keeps its record.
    }
    // Accepted, it is given its stored mode back (a copy's 0755), as one given to a job is: a chmod moves no time a check reads.
    restoreModeAt(path, id);
    return true;
  }

  /**
   * `check` of many objects: each stat'ed, and the records of those whose
   * time is not `STORED_MTIME_MS` read in one statement per few hundred,
   * or in one scan when they are most of the table (`ObjectRecords`).
   */
  checkMany(ids: readonly SnapshotId[]): Verdict[] {
    const unsure: UnsureObject[] = [];
    for (const id of ids) {
      if (this.sound.has(id)) continue;
      const seen = this.glance(id);
      if (seen !== 'ok') unsure.push({ id, seen });
    }
    return this.settle(ids, unsure);
  }

  /**
   * `checkMany`, the objects stat'ed on the stat worker (`stat-ahead.ts`):
   * the stats of a million cached jobs' outputs, a second of the kernel's
   * time, are no longer waited for one by one. Few objects, or no worker:
   * `checkMany`. Stopped by `signal`, its reason thrown.
   */
  async checkManyAhead(ids: readonly SnapshotId[], remember = true, signal?: AbortSignal): Promise<Verdict[]> {
    // Not made distinct (a set of a million ids): an id given twice is stat'ed twice. Those this process found
    // sound already (a run's inputs, just stored) are not stat'ed again.
    const unknown = this.sound.size === 0 ? ids : ids.filter((id) => !this.sound.has(id));
    // `remember: false`: the sound ones are not added to `sound` (a million cost ~1.8 s); the caller vouches for their tree.
    const unsure = await unsureAhead(this.dir, unknown, (id) => this.pathOf(id), remember ? (id) => this.trust(id) : undefined, signal);
    return unsure === undefined ? this.checkMany(ids) : this.settle(ids, unsure);
  }

  /**
   * Whether every one of `ids` is sound, checked as `checkManyAhead` does
   * but without remembering each one: what a step's memo needs of a million
   * outputs (remembering them in a set cost ~2 s of a 1,000,000-item plan).
   */
  async allSound(ids: readonly SnapshotId[]): Promise<boolean> {
    return (await this.checkManyAhead(ids, false)).every((v) => v === 'ok');
  }

  /** Whether the objects a stat elsewhere could not vouch for (a tree's check on a worker) are sound once judged by their records. */
  soundOnceJudged(unsure: readonly UnsureObject[]): boolean {
    return unsure.length === 0 || this.settle(unsure.map((u) => u.id), unsure).every((v) => v === 'ok');
  }

  /** The verdicts of `ids` once those the stat could not vouch for are judged against their records. */
  private settle(ids: readonly SnapshotId[], unsure: readonly UnsureObject[]): Verdict[] {
    if (unsure.length === 0) return ids.map(() => 'ok');
    const knownOf = this.records.many(unsure.filter((u) => typeof u.seen !== 'string' || u.seen === 'again').map((u) => u.id));
    const verdicts = new Map<SnapshotId, Verdict>();
    for (const { id, seen } of unsure) {
      const verdict = seen === 'again' ? this.check(id, false, knownOf(id)) : typeof seen === 'string' ? seen : this.judge(id, seen, knownOf(id));
      if (verdict !== 'ok') verdicts.set(id, verdict);
    }
    return ids.map((id) => verdicts.get(id) ?? 'ok');
  }
}
