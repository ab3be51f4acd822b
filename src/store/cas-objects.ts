import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, renameSync, rmSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { syncPath } from './durable.js';
import { storedMode } from './file-modes.js';
import { hashFileSync as hashFile } from './hash.js';
import type { Metadata } from './metadata.js';
import { CHANGED_WHILE_STORED, changedSince, STORED_MTIME_MS, glanceAt, hasStoredMode, markStored, objectPath, restoreModeAt, type UnsureObject } from './object-file.js';
import { ObjectRecords, sameRecord, type Recorded } from './object-records.js';
import type { SnapshotId } from './snapshot-store.js';
import { unsureAhead } from './objects-ahead.js';
import { listable } from './unreadable.js';

type Verdict = 'ok' | 'missing' | 'changed';

/** The folders of `objects/`: the first two hex digits of their objects' hashes. */
const FAN_OUT = /^[0-9a-f]{2}$/;
/** An object's name in its fan-out folder: the rest of its hash, `.x` for an executable. */
const OBJECT_NAME = /^[0-9a-f]{62}(\.x)?$/;

/**
 * The files of the content-addressed store: `objects/AB/CDEF…` named by the
 * SHA-256 of their bytes (`.x` for executables). Each object gets the
 * modification time `STORED_MTIME_MS`, and its size, mtime and inode are
 * recorded when it is stored, so every read can cheaply tell an object that
 * was changed in place (a host job writing through a hard link, a flipped
 * byte) from the one that was stored; `fsck` re-hashes.
 */
export class CasObjects {
  readonly dir: string;
  readonly quarantineDir: string;
  private readonly records: ObjectRecords;
  /** Objects checked sound in this process, so a plan stats each one once. */
  private readonly sound = new Set<SnapshotId>();
  /** The fan-out directories (`objects/AB`) made or found in this process. */
  private readonly dirs = new Set<string>();

  /**
   * Shark as root: the store's own owner, whom every object is given. A file
   * a container wrote as its USER (uid 1000) would otherwise stay that user's,
   * who could then chmod and rewrite a cached result.
   */
  private readonly owner: { readonly uid: number; readonly gid: number } | undefined;

  constructor(root: string, meta: Metadata) {
    this.dir = join(root, 'objects');
    this.quarantineDir = join(root, 'quarantine');
    mkdirSync(this.dir, { recursive: true });
    this.records = new ObjectRecords(meta);
    this.owner = process.getuid?.() === 0 ? statSync(root) : undefined;
  }

  static idOf(hex: string, exec: boolean): SnapshotId {
    return `${exec ? 'sha256x' : 'sha256'}:${hex}`;
  }

  pathOf(id: SnapshotId): string {
    return objectPath(this.dir, id);
  }

  /**
   * Moves a file the store now owns (in its workspace or staging area, with
   * no other link to it) into place and returns its id. The bytes reach the
   * disk before the rename, so a crash leaves the old name or the whole
   * object. An object of the same name whose bytes no longer match is
   * replaced: committing good bytes heals it. `durable: false` is for copies
   * of host files (inputs): losing one in a crash costs a copy next time,
   * and a torn one fails its stat check and is copied again.
   */
  async absorbFile(path: string, st: Stats, durable = true): Promise<SnapshotId> {
    if (!durable) return this.absorbFileNow(path, st);
    const hex = hashFile(path);
    // Bytes the store holds already (a re-import of a directory of which one file changed): this copy
    // is dropped, so nothing of it need reach the disk first (1,500 such files: ~1,500 fsyncs).
    const known = CasObjects.idOf(hex, (st.mode & 0o111) !== 0);
    if (this.check(known) === 'ok') {
      unlinkSync(path);
      return known;
    }
    await syncPath(path);
    const placed = this.place(path, st, hex);
    // A rename is durable once its directory is synced.
    if (placed.moved) await syncPath(dirname(this.pathOf(placed.id)));
    return placed.id;
  }

  /** `absorbFile` of a file whose loss in a crash costs only a copy next time (`durable: false`), synchronously. */
  absorbFileNow(path: string, st: Stats): SnapshotId {
    return this.place(path, st, hashFile(path)).id;
  }

  /** Names the file by its hash and moves it into place, or drops it when a sound object of that name is there. */
  private place(path: string, st: Stats, hex: string): { id: SnapshotId; moved: boolean } {
    const exec = (st.mode & 0o111) !== 0;
    const id = CasObjects.idOf(hex, exec);
    const object = this.pathOf(id);
    const verdict = this.check(id);
    if (verdict === 'ok' || (verdict === 'changed' && this.rehashMatches(id))) {
      unlinkSync(path);
      return { id, moved: false };
    }
    // Hashed as it was when it was looked at: a process the job left running (`… &`) may write it still.
    // (A shared filesystem may show other attributes on a second look: the same bytes, hashed again, pass.)
    if (changedSince(path, st)) {
      const again = lstatSync(path);
      if (hashFile(path) !== hex || changedSince(path, again)) throw new Error(CHANGED_WHILE_STORED);
    }
    if (this.owner !== undefined && (st.uid !== this.owner.uid || st.gid !== this.owner.gid)) chownSync(path, this.owner.uid, this.owner.gid);
    chmodSync(path, storedMode(exec));
    markStored(path);
    // A link or a directory in the object's place is moved aside: a rename would keep a link's target or fail on a directory.
    if (verdict === 'changed' && this.statOf(id)?.isFile() === false) this.quarantine(id);
    this.moveInto(path, object);
    const stored = statSync(object);
    // Written between its time being set and now: not the bytes hashed, and never recorded as them.
    if (stored.mtimeMs !== STORED_MTIME_MS) {
      this.quarantine(id);
      throw new Error(CHANGED_WHILE_STORED);
    }
    this.record(id, stored);
    return { id, moved: true };
  }

  /** Renames into `objects/AB/`, made once per process (again if it went missing since). */
  private moveInto(path: string, object: string): void {
    const dir = dirname(object);
    if (this.dirs.has(dir)) {
      try {
        return renameSync(path, object);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || existsSync(dir)) throw e;
      }
    }
    mkdirSync(dir, { recursive: true });
    this.dirs.add(dir);
    renameSync(path, object);
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
    const seen = glanceAt(st, STORED_MTIME_MS);
    return seen === 'ok' ? this.trust(id) : seen;
  }

  private statOf(id: SnapshotId): Stats | undefined {
    try {
      return lstatSync(this.pathOf(id));
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
    if (differs(cached) && (cached === undefined || differs(this.records.fresh(id)))) return 'changed';
    return this.trust(id);
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
   * `checkMany`.
   */
  async checkManyAhead(ids: readonly SnapshotId[], remember = true): Promise<Verdict[]> {
    // Not made distinct (a set of a million ids): an id given twice is stat'ed twice. Those this process found
    // sound already (a run's inputs, just stored) are not stat'ed again.
    const unknown = this.sound.size === 0 ? ids : ids.filter((id) => !this.sound.has(id));
    // `remember: false`: the sound ones are not added to `sound` (a million cost ~1.8 s); the caller vouches for their tree.
    const unsure = await unsureAhead(this.dir, unknown, (id) => this.pathOf(id), remember ? (id) => this.trust(id) : undefined);
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

  /** Whether the object's bytes still hash to its name (recording its stat again when they do). */
  rehashMatches(id: SnapshotId): boolean {
    const path = this.pathOf(id);
    try {
      // Only a plain file can be the object: a link to a file of the same bytes is not followed.
      if (this.statOf(id)?.isFile() !== true || hashFile(path) !== id.slice(id.indexOf(':') + 1)) return false;
      // Its bytes are the stored ones: the time that marks them so again.
      markStored(path);
      this.record(id, statSync(path));
      return true;
    } catch {
      return false;
    }
  }

  /** Moves an object aside so nothing reads it again; `fsck` reports where. */
  quarantine(id: SnapshotId): void {
    this.sound.delete(id);
    this.records.drop(id);
    const from = this.pathOf(id);
    // Not `existsSync`: a link in its place leading nowhere is moved aside too.
    if (this.statOf(id) === undefined) return;
    mkdirSync(this.quarantineDir, { recursive: true });
    renameSync(from, join(this.quarantineDir, `${id.replace(':', '-')}-${Date.now()}`));
  }

  /**
   * Every object on disk, as ids. A folder the user may not list or enter
   * (a `chmod 000` of `objects/AB`) is told to `unreadable` and stepped
   * round: what it holds cannot be named, let alone read or removed.
   */
  *all(unreadable: (dir: string, why: string) => void): Generator<{ id: SnapshotId; path: string }> {
    for (const prefix of listable(this.dir, unreadable)) {
      // Only the fan-out folders hold objects: a stray file beside them (a `.DS_Store`) is no data of the store.
      if (!FAN_OUT.test(prefix)) continue;
      for (const name of listable(join(this.dir, prefix), unreadable, true)) {
        // Only a name an object has is one: another file there is no data of the store (nor named `sha256:abnotes.txt`).
        if (!OBJECT_NAME.test(name)) continue;
        const exec = name.endsWith('.x');
        yield { id: CasObjects.idOf(prefix + (exec ? name.slice(0, -2) : name), exec), path: join(this.dir, prefix, name) };
      }
    }
  }

  /** Whether the object has a record of being stored: one removed or quarantined has none. */
  recorded(id: SnapshotId): boolean {
    return this.records.fresh(id) !== undefined;
  }

  /** Removes an object (gc). */
  remove(id: SnapshotId): void {
    this.sound.delete(id);
    this.records.drop(id);
    rmSync(this.pathOf(id), { force: true });
  }

  private record(id: SnapshotId, st: Stats): void {
    this.sound.add(id);
    this.records.put(id, st);
  }
}
