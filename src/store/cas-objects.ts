import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, renameSync, rmSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { syncPath } from './durable.js';
import { storedMode } from './file-modes.js';
import { hashFileSync as hashFile, sha256Bytes } from './hash.js';
import type { Recordable } from './object-records.js';
import { writeObjectFile, type Owner } from './object-write.js';
import type { Metadata } from './metadata.js';
import { ObjectChecks } from './object-checks.js';
import { CHANGED_WHILE_STORED, changedSince, markStored, objectId, restoreModeAt, showsStoredTime } from './object-file.js';
import type { SnapshotId } from './snapshot-store.js';
import { quarantineFolder } from './quarantine-folder.js';
import { listable } from './unreadable.js';

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
 * byte) from the one that was stored (`ObjectChecks`); `fsck` re-hashes.
 */
export class CasObjects extends ObjectChecks {
  readonly quarantineDir: string;
  /** The fan-out directories (`objects/AB`) made or found in this process. */
  private readonly dirs = new Set<string>();

  /**
   * Shark as root: the store's own owner, whom every object is given. A file
   * a container wrote as its USER (uid 1000) would otherwise stay that user's,
   * who could then chmod and rewrite a cached result.
   */
  readonly owner: Owner | undefined;

  constructor(root: string, meta: Metadata) {
    const dir = join(root, 'objects');
    mkdirSync(dir, { recursive: true });
    super(dir, meta);
    this.quarantineDir = join(root, 'quarantine');
    this.owner = process.getuid?.() === 0 ? statSync(root) : undefined;
  }

  static idOf(hex: string, exec: boolean): SnapshotId {
    return objectId(hex, exec);
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
    markStored(path, st.size);
    this.putInPlace(id, verdict, path);
    const stored = statSync(object);
    // Written between its time being set and now: not the bytes hashed, and never recorded as them.
    if (!showsStoredTime(stored)) {
      this.quarantine(id);
      throw new Error(CHANGED_WHILE_STORED);
    }
    this.record(id, stored);
    return { id, moved: true };
  }

  /**
   * Stores bytes this process read from a host file (an input: not synced,
   * as `absorbFile` says), written to `staging`, a new name of its own, and
   * returns their id. They are written, given their mode and the stored time
   * through the file's own descriptor, and its `fstat` is the record: what
   * the store made is what it names. A copy and a second read of it to hash
   * (`absorbFileNow`) cost twice the system calls (~0.2 against ~0.1 ms a
   * file here).
   */
  storeBytes(bytes: Buffer, exec: boolean, staging: string): SnapshotId {
    const id = CasObjects.idOf(sha256Bytes(bytes), exec);
    const verdict = this.check(id);
    if (verdict === 'ok' || (verdict === 'changed' && this.rehashMatches(id))) return id;
    return this.adoptStaged(id, staging, writeObjectFile(staging, bytes, exec, this.owner), verdict);
  }

  /**
   * Takes in a file written at `staging` as object `id` is kept (`writeObjectFile`, on a worker:
   * `stageSmall`), whose record is `st`: moved into place, or dropped when a sound object is there.
   */
  adoptStaged(id: SnapshotId, staging: string, st: Recordable, known?: 'missing' | 'changed'): SnapshotId {
    try {
      const verdict = known ?? this.check(id);
      if (verdict === 'ok' || (known === undefined && verdict === 'changed' && this.rehashMatches(id))) {
        unlinkSync(staging);
        return id;
      }
      this.putInPlace(id, verdict, staging);
    } catch (e) {
      rmSync(staging, { force: true });
      throw e;
    }
    this.record(id, st);
    return id;
  }

  /** Object `id`, put in its place by a worker where none was (`stageSmall`), as `st` showed it written: recorded. */
  placed(id: SnapshotId, st: Recordable): SnapshotId {
    this.record(id, st);
    return id;
  }

  /** Moves a stored file into object `id`'s place; a link or a directory there (`verdict` changed) is moved aside first: a rename would keep a link's target or fail on a directory. */
  private putInPlace(id: SnapshotId, verdict: 'missing' | 'changed', path: string): void {
    if (verdict === 'changed' && this.statOf(id)?.isFile() === false) this.quarantine(id);
    this.moveInto(path, this.pathOf(id));
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

  /** Whether the object's bytes still hash to its name (recording its stat again when they do). */
  rehashMatches(id: SnapshotId): boolean {
    const path = this.pathOf(id);
    try {
      // Only a plain file can be the object: a link to a file of the same bytes is not followed.
      const st = this.statOf(id);
      if (st?.isFile() !== true || hashFile(path) !== id.slice(id.indexOf(':') + 1)) return false;
      // Its bytes are the stored ones: the time that marks them so again.
      markStored(path, st.size);
      this.record(id, statSync(path));
      // And the mode it is stored with (a copy's 0755), as `soundAgain` gives it back.
      restoreModeAt(path, id);
      return true;
    } catch {
      return false;
    }
  }

  /** Moves an object aside so nothing reads it again; `fsck` reports where. */
  quarantine(id: SnapshotId): void {
    this.sound.delete(id);
    // Not `existsSync`: a link in its place leading nowhere is moved aside too.
    if (this.statOf(id) !== undefined) renameSync(this.pathOf(id), join(quarantineFolder(this.quarantineDir), `${id.replace(':', '-')}-${Date.now()}`));
    // Only once it is gone: an object without a record is trusted (stored before records were kept), so one
    // left in place (no folder to move it to, a crash) keeps the record its changed stat is judged by.
    this.records.drop(id);
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

  private record(id: SnapshotId, st: Recordable): void {
    this.sound.add(id);
    this.records.put(id, st);
  }
}
