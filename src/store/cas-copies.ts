import { chmodSync, constants, copyFileSync, rmSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { CasObjects } from './cas-objects.js';
import { pool, POOL_MIN } from './hash-files.js';
import { readSmallFile } from './hash.js';
import type { StagedFile } from './object-write.js';
import type { SnapshotId } from './snapshot-store.js';

/**
 * An input file of at most this many bytes is read into memory to be stored (`copyNow`), where most of
 * a copy's cost is its system calls; a larger one is copied, and shares its blocks where the file
 * system clones (`copy_file_range` on btrfs, XFS).
 */
export const SMALL_INPUT = 64 * 1024;

/** A host file a worker copied to `staging`, and what it found of it. */
export interface Staged {
  readonly staging: string;
  readonly file: StagedFile;
}

/**
 * Copies of files into the store through its staging area (`tmp/in-PID-N`:
 * the pid tells gc whether a leftover may still be in use): a new inode the
 * store owns, whatever else links to the file copied.
 */
export class StagedCopies {
  private staged = 0;

  constructor(
    private readonly tmp: string,
    private readonly objects: CasObjects,
  ) {}

  /** A file with other links (a job's output linked elsewhere): copied, the copy synced and stored. */
  async copy(from: string, mode: number): Promise<SnapshotId> {
    const staged = this.stage(from, mode);
    try {
      return await this.objects.absorbFile(staged, statSync(staged));
    } catch (e) {
      rmSync(staged, { force: true });
      throw e;
    }
  }

  /**
   * `copy` of a host file (an input), as `st` showed it: not synced, synchronously, so that a batch of them
   * is one transaction. One of up to `SMALL_INPUT` bytes is read once, and its bytes hashed and written.
   */
  copyNow(from: string, st: Stats): SnapshotId {
    const small = st.size <= SMALL_INPUT ? readSmallFile(from, SMALL_INPUT) : undefined;
    if (small !== undefined) return this.objects.storeBytes(small.bytes, (small.mode & 0o111) !== 0, this.name());
    const staged = this.stage(from, st.mode & 0o777);
    try {
      return this.objects.absorbFileNow(staged, statSync(staged));
    } catch (e) {
      rmSync(staged, { force: true });
      throw e;
    }
  }

  /**
   * Many host files (a run's inputs the store lacks) copied to staging names
   * on the hash workers, each read once and hashed there, both cores at it
   * (on this thread they took ~0.1 ms a file while the other core idled):
   * what each became, to `adopt` in one transaction; undefined for one to
   * `copyNow` here (over `SMALL_INPUT`), and for all when they are few or
   * there are no workers. A failure removes what the others staged.
   */
  async stageMany(paths: readonly string[]): Promise<(Staged | undefined)[]> {
    const workers = paths.length >= POOL_MIN ? pool() : undefined;
    if (workers === undefined) return paths.map(() => undefined);
    const copies = paths.map((from) => ({ from, to: this.name() }));
    let made;
    try {
      made = await workers.stage(copies, SMALL_INPUT, this.objects.owner, this.objects.dir);
    } catch (e) {
      for (const c of copies) rmSync(c.to, { force: true });
      throw e;
    }
    return made.map((m, n) => ('big' in m ? undefined : { staging: copies[n]!.to, file: m }));
  }

  /** A file `stageMany` staged, stored: recorded where the worker put it in place, else moved into place, or dropped for the sound object of its bytes already there. */
  adopt(staged: Staged): SnapshotId {
    const { file, staging } = staged;
    const id = CasObjects.idOf(file.hex, file.exec);
    return file.placed === true ? this.objects.placed(id, file) : this.objects.adoptStaged(id, staging, file);
  }

  /** Removes staged copies nothing adopted (a stopped ingest's); one adopted has left its staging name. */
  unstage(staged: readonly (Staged | undefined)[]): void {
    for (const s of staged) if (s !== undefined) rmSync(s.staging, { force: true });
  }

  private stage(from: string, mode: number): string {
    return fresh(this.name(), (staged) => {
      try {
        copyFileSync(from, staged, constants.COPYFILE_EXCL);
        chmodSync(staged, mode);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') rmSync(staged, { force: true });
        throw e;
      }
      return staged;
    });
  }

  private name(): string {
    return join(this.tmp, `in-${process.pid}-${++this.staged}`);
  }
}

/**
 * `make` of a new file at `name`; a file already there is a leftover of a
 * killed process that had this one's pid (gc removes those of dead pids
 * only): removed, and made again. Not written over: one left read-only
 * would refuse it (EACCES), unless Shark runs as root.
 */
function fresh<T>(name: string, make: (name: string) => T): T {
  try {
    return make(name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    unlinkSync(name);
    return make(name);
  }
}
