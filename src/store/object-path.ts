import type { SnapshotId } from './snapshot-store.js';

/** Where the content-addressed store keeps object `id` under its objects directory `dir` (normal, no trailing slash). */
export function objectPath(dir: string, id: SnapshotId): string {
  const exec = id.startsWith('sha256x:');
  const hex = id.slice(id.indexOf(':') + 1);
  // Concatenated: `dir` is normal already, and a fully cached plan asks for a million paths.
  return `${dir}/${hex.slice(0, 2)}/${hex.slice(2)}${exec ? '.x' : ''}`;
}
