import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hashFileSync as hashFile } from './hash.js';
import type { Metadata } from './metadata.js';
import type { SnapshotId } from './snapshot-store.js';
import { KIND, statAhead, type StatSlice } from './stat-ahead.js';

/** Up to this many object records are read at once (about 100 bytes each in memory). */
const PRELOAD_LIMIT = 200_000;

type Verdict = 'ok' | 'missing' | 'changed';

/**
 * Objects are stat'ed on the worker this many at a time, and only when there
 * are at least AHEAD_MIN: as many as make a walk start the worker
 * (`content-id.ts`). Fewer are stat'ed here sooner than a worker starts: a
 * fully cached plan of 10,000 items waited ~120 ms idle for it (median of 15
 * in turns: 873 → 812 ms).
 */
const STAT_SLICE = 4096;
const AHEAD_MIN = 4 * STAT_SLICE;

interface Recorded {
  readonly size: number;
  readonly mtime: string;
  readonly ino: number;
}

/**
 * The files of the content-addressed store: `objects/AB/CDEF…` named by the
 * SHA-256 of their bytes (`.x` for executables). Each object's size, mtime
 * and inode are recorded when it is stored, so every read can cheaply tell
 * an object that was changed in place (a host job writing through a hard
 * link, a flipped byte) from the one that was stored; `fsck` re-hashes.
 */
export class CasObjects {
  readonly dir: string;
  readonly quarantineDir: string;
  private readonly stmts;
  /** Objects checked sound in this process, so a plan stats each one once. */
  private readonly sound = new Set<SnapshotId>();
  /** The fan-out directories (`objects/AB`) made or found in this process. */
  private readonly dirs = new Set<string>();
  /** The records, read in one query on the first check when there are not too many (a plan checks thousands). */
  private records: Map<SnapshotId, Recorded> | null | undefined;

  constructor(root: string, private readonly meta: Metadata) {
    this.dir = join(root, 'objects');
    this.quarantineDir = join(root, 'quarantine');
    mkdirSync(this.dir, { recursive: true });
    const db = meta.db;
    this.stmts = {
      get: db.prepare<[string], Recorded>('SELECT size, mtime, ino FROM objects WHERE id = ?'),
      count: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM (SELECT 1 FROM objects LIMIT ?)'),
      all: db.prepare<[], Recorded & { id: string }>('SELECT id, size, mtime, ino FROM objects'),
      put: db.prepare('INSERT OR REPLACE INTO objects (id, size, mtime, ino) VALUES (?, ?, ?, ?)'),
      drop: db.prepare('DELETE FROM objects WHERE id = ?'),
    };
  }

  static idOf(hex: string, exec: boolean): SnapshotId {
    return `${exec ? 'sha256x' : 'sha256'}:${hex}`;
  }

  pathOf(id: SnapshotId): string {
    const exec = id.startsWith('sha256x:');
    const hex = id.slice(id.indexOf(':') + 1);
    // Concatenated: `dir` is normal already, and a fully cached plan asks for a million paths.
    return `${this.dir}/${hex.slice(0, 2)}/${hex.slice(2)}${exec ? '.x' : ''}`;
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
    const hex = await hashAndSync(path);
    const placed = this.place(path, st, hex);
    if (placed.moved) await syncDir(dirname(this.pathOf(placed.id)));
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
    chmodSync(path, exec ? 0o555 : 0o444);
    this.moveInto(path, object);
    this.record(id, statSync(object));
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
    let st: Stats;
    try {
      st = statSync(this.pathOf(id));
    } catch {
      return 'missing';
    }
    return this.judge(id, { size: st.size, mtime: String(st.mtimeMs), ino: st.ino }, known);
  }

  /** Whether what the object's stat shows (`seen`) is what was recorded; sound ones are remembered. */
  private judge(id: SnapshotId, seen: Recorded, known?: Recorded | null): Verdict {
    const differs = (rec: Recorded | undefined): boolean => rec !== undefined && (rec.size !== seen.size || rec.mtime !== seen.mtime || rec.ino !== seen.ino);
    // An object stored before stats were recorded is trusted until fsck says otherwise. The
    // in-memory copy may be older than another process's heal: a difference is asked of the table.
    const cached = known === undefined ? this.recorded(id) : known ?? undefined;
    if (differs(cached) && (cached === undefined || differs(this.stmts.get.get(id)))) return 'changed';
    this.sound.add(id);
    return 'ok';
  }

  /**
   * `check` of many objects, their records read in one statement per few
   * hundred, or in one scan when they are most of the table (over
   * PRELOAD_LIMIT records, the records are not all kept): what a plan of a
   * million cached jobs checks.
   */
  checkMany(ids: readonly SnapshotId[]): Verdict[] {
    const knownOf = this.recordsOf(ids.filter((id) => !this.sound.has(id)));
    return ids.map((id) => this.check(id, false, knownOf(id)));
  }

  /**
   * `checkMany`, the objects stat'ed on the stat worker (`stat-ahead.ts`)
   * while their records are read here: the stats of a million cached jobs'
   * outputs, a second of the kernel's time, are no longer waited for one by
   * one. Few objects, or no worker: `checkMany`.
   */
  async checkManyAhead(ids: readonly SnapshotId[]): Promise<Verdict[]> {
    const unknown = [...new Set(ids.filter((id) => !this.sound.has(id)))];
    const slices: string[][] = [];
    for (let i = 0; i < unknown.length; i += STAT_SLICE) slices.push(unknown.slice(i, i + STAT_SLICE).map((id) => this.pathOf(id).slice(this.dir.length + 1)));
    const ahead = unknown.length >= AHEAD_MIN ? statAhead(this.dir, slices, slices.length) : undefined;
    if (ahead === undefined) return this.checkMany(ids);
    const verdicts = new Map<SnapshotId, Verdict>();
    try {
      // Asked for before the records are read: the worker stats while this thread reads.
      const first = ahead.get(0);
      const knownOf = this.recordsOf(unknown);
      for (let k = 0; k < slices.length; k++) {
        const stats = k === 0 ? await first : await ahead.get(k);
        for (let i = 0; i < slices[k]!.length; i++) {
          const id = unknown[k * STAT_SLICE + i]!;
          const known = knownOf(id);
          // Only a plain file can be the object; what the worker could not stat is looked at here.
          const seen = stats.kind[i] === KIND.file ? observed(stats, i) : undefined;
          const verdict = seen !== undefined ? this.judge(id, seen, known) : stats.kind[i] === KIND.unknown ? this.check(id, false, known) : 'changed';
          if (verdict !== 'ok') verdicts.set(id, verdict);
        }
      }
    } finally {
      ahead.close();
    }
    return ids.map((id) => verdicts.get(id) ?? 'ok');
  }

  /**
   * The records of objects read at once, as `check`'s `known` for each id:
   * null for one with no record, undefined when all records are kept in
   * memory (`recorded` answers).
   */
  private recordsOf(ids: readonly SnapshotId[]): (id: SnapshotId) => Recorded | null | undefined {
    this.loadRecords();
    if (this.records !== null) return () => undefined;
    const fetched = new Map<SnapshotId, Recorded>();
    for (const [id, size, mtime, ino] of this.meta.bulk.rowsWhere<[string, bigint, string, bigint]>('objects', ['id', 'size', 'mtime', 'ino'], ['rowid'], ids)) {
      fetched.set(id, { size: Number(size), mtime, ino: Number(ino) });
    }
    return (id) => fetched.get(id) ?? null;
  }

  private loadRecords(): void {
    if (this.records !== undefined) return;
    this.records = this.stmts.count.get(PRELOAD_LIMIT + 1)!.n <= PRELOAD_LIMIT ? new Map() : null;
    for (const r of this.records === null ? [] : this.stmts.all.iterate()) this.records!.set(r.id, { size: r.size, mtime: r.mtime, ino: r.ino });
  }

  private recorded(id: SnapshotId): Recorded | undefined {
    this.loadRecords();
    return this.records?.get(id) ?? this.stmts.get.get(id);
  }

  /** Whether the object's bytes still hash to its name (recording its stat again when they do). */
  rehashMatches(id: SnapshotId): boolean {
    const path = this.pathOf(id);
    try {
      if (hashFile(path) !== id.slice(id.indexOf(':') + 1)) return false;
      this.record(id, statSync(path));
      return true;
    } catch {
      return false;
    }
  }

  /** Moves an object aside so nothing reads it again; `fsck` reports where. */
  quarantine(id: SnapshotId): void {
    this.sound.delete(id);
    this.records?.delete(id);
    this.stmts.drop.run(id);
    const from = this.pathOf(id);
    if (!existsSync(from)) return;
    mkdirSync(this.quarantineDir, { recursive: true });
    renameSync(from, join(this.quarantineDir, `${id.replace(':', '-')}-${Date.now()}`));
  }

  /** Every object on disk, as ids. */
  *all(): Generator<{ id: SnapshotId; path: string }> {
    for (const prefix of readdirSync(this.dir)) {
      for (const name of readdirSync(join(this.dir, prefix))) {
        const exec = name.endsWith('.x');
        yield { id: CasObjects.idOf(prefix + (exec ? name.slice(0, -2) : name), exec), path: join(this.dir, prefix, name) };
      }
    }
  }

  /** Removes an object (gc). */
  remove(id: SnapshotId): void {
    this.sound.delete(id);
    this.records?.delete(id);
    this.stmts.drop.run(id);
    rmSync(this.pathOf(id), { force: true });
  }

  private record(id: SnapshotId, st: Stats): void {
    this.sound.add(id);
    const rec = { size: st.size, mtime: String(st.mtimeMs), ino: st.ino };
    this.records?.set(id, rec);
    this.stmts.put.run(id, rec.size, rec.mtime, rec.ino);
  }
}

/** SHA-256 of a file, and its bytes on disk before this returns: one open for both. */
async function hashAndSync(path: string): Promise<string> {
  const hex = hashFile(path);
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return hex;
}

/** A rename is durable once its directory is synced. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A stat from the worker as `check` records and compares it. */
function observed(s: StatSlice, i: number): Recorded {
  return { size: Number(s.size[i]!), mtime: String(s.mtimeMs[i]!), ino: Number(s.ino[i]!) };
}
