import type { Stats } from 'node:fs';
import type { Recorded } from './object-records.js';
import type { SnapshotId } from './snapshot-store.js';

/** Where the content-addressed store keeps object `id` under its objects directory `dir` (normal, no trailing slash). */
export function objectPath(dir: string, id: SnapshotId): string {
  const exec = id.startsWith('sha256x:');
  const hex = id.slice(id.indexOf(':') + 1);
  // Concatenated: `dir` is normal already, and a fully cached plan asks for a million paths.
  return `${dir}/${hex.slice(0, 2)}/${hex.slice(2)}${exec ? '.x' : ''}`;
}

/**
 * What an object's `lstat` alone says: sound (it shows `storedMs`, the time
 * every object is given when stored), changed (not a plain file: a link in
 * its place is not followed), or what its record must show.
 */
export function glanceAt(st: Stats, storedMs: number): 'ok' | 'changed' | Recorded {
  if (!st.isFile()) return 'changed';
  if (st.mtimeMs === storedMs) return 'ok';
  return { size: st.size, mtime: String(st.mtimeMs), ino: st.ino };
}
