import { describe, expect, it } from 'vitest';
import { doc, errors } from '../helpers/documents.js';

/**
 * A step that reads what only a step further down writes (a summary put at
 * the top, as a Snakefile's `rule all` is): the error names that writer and
 * says to move the block, instead of "nothing writes" and a suggestion to
 * import the path or declare it as an input.
 */
describe('a read of a path written only below the reader', () => {
  it('names the writer below for a reader, a map, a join and a `<`', () => {
    expect(errors(doc([
      ['shark-run {id=early}', 'find /data/aoh/ -type f > /data/list.txt'],
      ['shark-run {id=mapped}', 'cat /data/later/* > /data/m/+'],
      ['shark-run {id=redirected}', 'wc -l < /data/n.txt > /data/count.txt'],
      ['shark-run {id=make}', 'seq 3 > /data/n.txt\nseq 2 > /data/later/a.txt'],
      ['shark-run {id=aoh}', 'cat /data/later/* > /data/aoh/+'],
    ]))).toEqual([
      '2:6: `/data/aoh/` is written only below this step, by `aoh` (line 19): a step reads what the steps above it write, so move this block below that one [19:21: step `aoh` writes `/data/aoh` here]',
      '6:5: `/data/later/` is written only below this step, by `make.2` (line 15): a step reads what the steps above it write, so move this block below that one [15:9: step `make.2` writes into `/data/later/` here]',
      '10:9: `/data/n.txt` is written only below this step, by `make.1` (line 14): a step reads what the steps above it write, so move this block below that one [14:9: step `make.1` writes `/data/n.txt` here]',
    ]);
  });

  it('names each instance of a sweep\'s writer, and still says "nothing writes" of a path nothing writes', () => {
    expect(errors(doc([
      ['shark-run {id=sum}', 'find /data/aoh/%{T}/ -type f > /data/sum/%{T}.txt\ncat /data/nowhere.txt > /data/x/%{T}.txt'],
      ['shark-run {id=aoh}', 'echo %{T} > /data/aoh/%{T}/one.txt'],
    ], 'T: [a, b]'))).toEqual([
      '6:6: `/data/aoh/a/` is written only below this step, by `aoh[T=a]` (line 11): a step reads what the steps above it write, so move this block below that one [11:13: step `aoh[T=a]` writes into `/data/aoh/a/` here]',
      '6:6: `/data/aoh/b/` is written only below this step, by `aoh[T=b]` (line 11): a step reads what the steps above it write, so move this block below that one [11:13: step `aoh[T=b]` writes into `/data/aoh/b/` here]',
      '7:5: nothing writes /data/nowhere.txt: `cat` only reads it; write it in an earlier step, import it, or name it as a frontmatter input',
    ]);
  });
});
