import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import { removeLeftovers } from './cas-collect.js';
import { holderAlive, type HolderRow } from './liveness.js';
import { openAlone } from './metadata-schema.js';

/** Less free space than this on a store's disk, and a database that would not open, is a full disk. */
const ROOM = 1024 * 1024;

/** Whether the disk holding `dir` is (nearly) full: where opening a store failed, the reason to give. */
export function noRoom(dir: string): boolean {
  try {
    const fs = statfsSync(dir);
    // A file system of no blocks (/proc, /sys) holds no store, and is not full: it takes no files.
    return fs.blocks > 0 && fs.bavail * fs.bsize < ROOM;
  } catch {
    return false;
  }
}

/**
 * Frees what killed runs left in the tmp/ of the content-addressed store in
 * `dir` (a crashed job's workspace may be what filled its disk), for a
 * `gc --delete` that could not open the store for want of space. Only when
 * the database, read by this process alone, names no live run, and no
 * other process has it open: then no workspace there is in use but those
 * in `spare` (Slurm jobs of killed runs still use them). Returns whether it
 * looked.
 */
export function makeRoom(dir: string, spare?: ReadonlySet<string>): boolean {
  let live: number;
  try {
    const db = openAlone(join(dir, 'shark.sqlite'));
    try {
      // A store written before runs recorded their start times has no such column (an old Shark filled the disk).
      const hasStart = db.prepare("SELECT 1 FROM pragma_table_info('runs') WHERE name = 'pid_start'").get() !== undefined;
      const runs = db.prepare<[], HolderRow>(`SELECT pid, host, beat${hasStart ? ', pid_start' : ''} FROM runs WHERE status = 'running'`).all();
      live = runs.filter((r) => holderAlive(r)).length;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
  if (live > 0) return false;
  removeLeftovers(join(dir, 'tmp'), spare);
  return true;
}
