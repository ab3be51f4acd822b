import { describe, expect, it } from 'vitest';
import { treeEntriesOf, treeIdsOf } from '../../src/store/tree-text.js';

const HEX = 'ab'.repeat(32);
const text = (entries: readonly { name: string; id: string }[]): string => JSON.stringify(entries);

describe("a tree's stored text read without JSON.parse", () => {
  it('gives what JSON.parse gives for every name JSON.stringify escapes', () => {
    const names = ['0.txt', 'a"b', 'back\\slash', 'ends with \\', 'tab\there', 'line\nbreak', '","id":"x', '{"name":"', 'ünïcødé ✓', '\u0001', ''];
    const entries = names.map((name, n) => ({ name, id: n % 2 === 0 ? `sha256:${HEX}` : `tree:${HEX}` }));
    expect(treeEntriesOf(text(entries))).toEqual(entries);
    expect(treeIdsOf(text(entries))).toEqual(entries.map((e) => e.id));
    expect(treeEntriesOf('[]')).toEqual([]);
  });

  it('keeps a link whose target holds an escape right, through JSON.parse', () => {
    const entries = [{ name: 'l', id: 'link:a"b\\c' }];
    const written = text(entries);
    expect(treeEntriesOf(written) ?? JSON.parse(written)).toEqual(entries);
    expect(treeIdsOf(written)).toBeUndefined();
  });

  it('refuses any text that is not exactly what Shark writes, so JSON.parse judges it', () => {
    const good = text([{ name: 'a', id: `sha256:${HEX}` }, { name: 'b', id: `sha256:${HEX}` }]);
    const damaged = [
      good.slice(0, -1), // cut short
      `${good}x`, // trailing text
      good.replace('},{', '}{'), // entries not separated
      good.replace('"name"', '"nane"'), // another key
      good.replace(`"id":"sha256:${HEX}"}`, `"id":"sha256:${HEX}","x":1}`), // an extra key
      good.replace('"a"', '"a"b"'), // an unescaped quote in a name
      good.replace('"a"', '"a\\q"'), // an escape JSON does not have
      good.replace('"a"', '"a\nb"'), // a raw control character
      '{}',
      '',
    ];
    for (const t of damaged) {
      expect(treeEntriesOf(t), t).toBeUndefined();
      let parsed: unknown;
      try {
        parsed = JSON.parse(t);
      } catch {
        parsed = undefined;
      }
      // Where the text is still JSON, it is not the entries written: the caller's shape check then decides.
      expect(parsed, t).not.toEqual(JSON.parse(good));
    }
  });
});
