import { chmodSync, constants, copyFileSync, rmSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { CasObjects } from './cas-objects.js';
import { readSmallFile } from './hash.js';
import type { SnapshotId } from './snapshot-store.js';

/**
 * An input file of at most this many bytes is read into memory to be stored (`copyNow`), where most of
 * a copy's cost is its system calls; a larger one is copied, and shares its blocks where the file
 * system clones (`copy_file_range` on btrfs, XFS).
 */
const SMALL_INPUT = 64 * 1024;

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
    if (small !== undefined) {
      const exec = (small.mode & 0o111) !== 0;
      return fresh(this.name(), (staging) => this.objects.storeBytes(small.bytes, exec, staging));
    }
    const staged = this.stage(from, st.mode & 0o777);
    try {
      return this.objects.absorbFileNow(staged, statSync(staged));
    } catch (e) {
      rmSync(staged, { force: true });
      throw e;
    }
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
