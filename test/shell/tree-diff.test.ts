import { describe, expect, it } from 'vitest';
import { diffTrees, type Scan } from '../../src/shell/tree.js';
import type { SnapshotId, TreeEntry } from '../../src/store/snapshot-store.js';

/** A stored directory of files named by their ids, and the scan of what it became. */
const trees = new Map<SnapshotId, TreeEntry[]>();
function stored(id: SnapshotId, entries: Record<string, SnapshotId>): SnapshotId {
  trees.set(id, Object.entries(entries).map(([name, e]) => ({ name, id: e })));
  return id;
}
const scanned = (id: SnapshotId, children?: Record<string, Scan>): Scan => (children === undefined ? { id } : { id, children: new Map(Object.entries(children)) });
const entriesOf = (id: SnapshotId): readonly TreeEntry[] | undefined => trees.get(id);

describe('what a command in the interactive mode did to /data', () => {
  it('names the smallest paths created, changed and deleted, in order, a directory in both compared entry by entry', () => {
    const before = stored('tree:0', { 'a.txt': 'sha256:a', keep: stored('tree:k', { 'x.txt': 'sha256:x', 'y.txt': 'sha256:y' }), gone: 'sha256:g' });
    const after = scanned('tree:1', {
      'a.txt': scanned('sha256:a2'),
      keep: scanned('tree:k2', { 'x.txt': scanned('sha256:x'), 'y.txt': scanned('sha256:y2'), 'z.txt': scanned('sha256:z') }),
      new: scanned('tree:n', { 'n.txt': scanned('sha256:n') }),
    });
    expect(diffTrees(before, after, entriesOf)).toEqual([
      { path: '/data/a.txt', kind: 'changed' },
      { path: '/data/gone', kind: 'deleted' },
      { path: '/data/keep/y.txt', kind: 'changed' },
      { path: '/data/keep/z.txt', kind: 'created' },
      { path: '/data/new', kind: 'created' },
    ]);
  });

  it('finds the one file changed among 50,000 of a directory', () => {
    const n = 50_000;
    const names = Array.from({ length: n }, (_, i) => `f${i}.txt`);
    const before = stored('tree:big', Object.fromEntries(names.map((name, i) => [name, `sha256:${i}`])));
    const after = scanned('tree:big2', Object.fromEntries(names.map((name, i) => [name, scanned(i === 31_337 ? 'sha256:new' : `sha256:${i}`)])));
    expect(diffTrees(before, after, entriesOf)).toEqual([{ path: '/data/f31337.txt', kind: 'changed' }]);
  });
});
