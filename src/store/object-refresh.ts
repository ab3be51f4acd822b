import { lstatSync, type Stats } from 'node:fs';
import { glanceAt } from './object-file.js';
import { sameRecord, type ObjectRecords, type Recorded } from './object-records.js';
import type { SnapshotId } from './snapshot-store.js';

/** An object whose stat no longer shows what was recorded, as seen just before `fsck` re-hashes it. */
export interface Sighting {
  readonly st: Stats;
  readonly was: Recorded;
}

/**
 * What `fsck` notes of an object before re-hashing it: a plain file that
 * neither shows the stored time nor what its record says (a `touch`, a
 * `cp -r` of the project: new times and inodes), so that every read takes
 * it for changed. Undefined when a read trusts it already, or it is not a
 * plain file (never trusted), or it has no record (trusted by its name).
 */
export function sightingOf(path: string, id: SnapshotId, records: ObjectRecords): Sighting | undefined {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st === undefined) return undefined;
  const seen = glanceAt(st);
  if (typeof seen === 'string') return undefined;
  const was = records.fresh(id);
  return was === undefined || sameRecord(was, seen) ? undefined : { st, was };
}

/**
 * After a re-hash found the bytes of a sighted object sound: records what it
 * shows now, so `plan` and `run` trust it again. Only when nothing touched it
 * while it was hashed (its stat, ctime included, is the one sighted), and
 * only over the record read before (`ObjectRecords.refresh`): a write since
 * moves its time away from the new record, and a run that healed or removed
 * it meanwhile keeps its own. The stored time is not put back: a write
 * landing between the re-hash and that would be hidden from every read.
 */
export function refreshSighted(path: string, id: SnapshotId, sighting: Sighting, records: ObjectRecords): boolean {
  const now = stillAsSighted(path, sighting);
  return now !== undefined && records.refresh(id, sighting.was, now);
}

/** The object's stat now, if it is still the one sighted (nothing wrote or replaced it since); else undefined. */
export function stillAsSighted(path: string, sighting: Sighting): Stats | undefined {
  const now = lstatSync(path, { throwIfNoEntry: false });
  return now !== undefined && sameStat(now, sighting.st) ? now : undefined;
}

function sameStat(a: Stats, b: Stats): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.dev === b.dev;
}
