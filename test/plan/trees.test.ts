import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sortEntries, treeId } from '../../src/store/content-id.js';
import type { TreeEntry } from '../../src/store/snapshot-store.js';
import { descend, overlay, type Part } from '../../src/plan/trees.js';

/** Trees in memory, as a store keeps them: entries in name order, by id. */
function trees(): { entriesOf: (id: string) => readonly TreeEntry[] | undefined; compose: (e: readonly TreeEntry[]) => string } {
  const known = new Map<string, readonly TreeEntry[]>();
  return {
    entriesOf: (id) => known.get(id),
    compose: (entries) => {
      const sorted = sortEntries(entries);
      const id = treeId(sorted);
      known.set(id, sorted);
      return id;
    },
  };
}

describe('trees: items found in and composed into directories of many entries', () => {
  it('finds every entry of a large directory by name, and none that is not there', () => {
    const { entriesOf, compose } = trees();
    // Names whose order as text is not their numeric order, with non-ASCII ones.
    const names = Array.from({ length: 3000 }, (_, i) => `${i}.txt`).concat(['é.txt', 'Z.txt', 'a b.txt', '東京.txt']);
    const dir = compose(names.map((name) => ({ name, id: `sha256:${name}` })));
    const top = compose([{ name: 'AVES', id: dir }]);
    for (const name of names) expect(descend(top, `AVES/${name}`, entriesOf)).toBe(`sha256:${name}`);
    expect(descend(top, 'AVES/3000.txt', entriesOf)).toBeUndefined();
    expect(descend(top, 'AVES/0.txt/deeper', entriesOf)).toBeUndefined();
    expect(descend(top, 'MAMMALIA/0.txt', entriesOf)).toBeUndefined();
  });

  it('finds entries of a directory whose entries are not in name order too', () => {
    const unsorted: TreeEntry[] = [{ name: 'b', id: 'sha256:b' }, { name: 'a', id: 'sha256:a' }, { name: 'c', id: 'sha256:c' }];
    const entriesOf = (id: string): readonly TreeEntry[] | undefined => (id === 'tree:x' ? unsorted : undefined);
    expect(['a', 'b', 'c'].map((n) => descend('tree:x', n, entriesOf))).toEqual(['sha256:a', 'sha256:b', 'sha256:c']);
  });

  it('composes a map whose items sit in subdirectories into the same tree as written directly', () => {
    const { entriesOf, compose } = trees();
    const parts: Part[] = [];
    for (const taxon of ['AVES', 'MAMMALIA']) for (let i = 0; i < 2000; i++) parts.push({ rel: `${taxon}/${i}.tif`, id: `sha256:${taxon}${i}`, by: `item ${taxon}/${i}` });
    const composed = overlay('/data/out', undefined, parts, entriesOf, compose);
    const direct = compose(['AVES', 'MAMMALIA'].map((taxon) => ({
      name: taxon, id: compose(Array.from({ length: 2000 }, (_, i) => ({ name: `${i}.tif`, id: `sha256:${taxon}${i}` }))),
    })));
    expect(composed).toEqual({ ok: true, id: direct });
    const twice = overlay('/data/out', undefined, [...parts, { rel: 'AVES/7.tif', id: 'sha256:other', by: 'item other' }], entriesOf, compose);
    expect(twice).toEqual({ ok: false, message: '/data/out/AVES/7.tif is written by two steps: item AVES/7 and item other' });
  });
});

describe('a tree id is the hash of its entries, however many', () => {
  it('is the same whether the text is hashed whole or a piece at a time (a large directory), non-ASCII names included', () => {
    const whole = (sorted: readonly TreeEntry[]): string => `tree:${createHash('sha256').update(sorted.map((e) => `${e.name}\0${e.id}\n`).join('')).digest('hex')}`;
    for (const n of [0, 1, 255, 256, 5000]) {
      const sorted = sortEntries(Array.from({ length: n }, (_, i) => ({ name: `${i % 7 === 0 ? '東京' : 'é'}-${i}.txt`, id: `sha256:${String(i).padStart(64, '0')}` })));
      expect(treeId(sorted)).toBe(whole(sorted));
    }
  });
});
