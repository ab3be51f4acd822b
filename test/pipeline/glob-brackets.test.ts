import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';

const fence = '```';
const doc = (command: string): string =>
  `${fence}shark-run\nmkdir -p /data/x && touch /data/x/a\n${fence}\n\n${fence}shark-run\n${command}\n${fence}\n`;
const problems = (command: string): string[] =>
  loadPipeline('p.md', doc(command)).diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.message}`);

describe('brackets in wildcards', () => {
  it('reports an unclosed `[` at its place, since it would match nothing', () => {
    expect(problems('cat /data/x/[ab* > /data/out.txt')).toEqual([
      '6:13: unclosed `[` in the wildcard `[ab*`: close the set with `]`, as in `[ab]*`',
    ]);
    expect(problems('cat /data/x/*.[ch > /data/out.txt')).toEqual([
      '6:15: unclosed `[` in the wildcard `*.[ch`: close the set with `]`, as in `[ab]*`',
    ]);
  });

  it('accepts closed sets, a `]` first in the set, negation and classes', () => {
    for (const glob of ['[ab]*', '*.[ch]', '[!.]*', '[^a]*', '[]a]*', '[!]a]*', '[[:alpha:]]*', 'a[[]*']) {
      expect(problems(`cat /data/x/${glob} > /data/out/+`), glob).toEqual([]);
    }
  });
});
