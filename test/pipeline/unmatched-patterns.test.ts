import { describe, expect, it } from 'vitest';
import { doc, errors, load } from '../helpers/documents.js';

const IMPORT: [string, string] = ['shark-import {id=get}', 'in/ /data/in/'];
const UP: [string, string] = ['shark-run {id=up}', 'tr a-z A-Z < /data/in/*.txt > /data/up/+.up'];

describe('a map whose pattern nothing written can match', () => {
  it('is an error at the pattern, naming what the writer writes', () => {
    expect(errors(doc([IMPORT, UP, ['shark-run {id=twice}', 'cat /data/up/*.txt > /data/twice/+']]))).toEqual([
      '10:5: nothing written to /data/up/ can match `*.txt`: up writes /data/up/+.up (names ending .up); this map would run 0 jobs',
    ]);
  });

  it('names every writer of the directory, fixed names included', () => {
    expect(errors(doc([
      IMPORT, UP,
      ['shark-run {id=notes}', 'echo hi > /data/up/notes.md'],
      ['shark-run {id=twice}', 'cat /data/up/*.txt > /data/twice/+'],
    ]))).toEqual([
      '14:5: nothing written to /data/up/ can match `*.txt`: up writes /data/up/+.up (names ending .up), notes writes /data/up/notes.md; this map would run 0 jobs',
    ]);
  });

  it('checks a pattern of several levels by its first', () => {
    expect(errors(doc([IMPORT, UP, ['shark-run {id=deep}', 'cat /data/up/*.txt/x > /data/deep/+']]))).toHaveLength(1);
  });

  it('is no error when any writer could write a matching name', () => {
    const ok = (reader: string, ...writers: [string, string][]): void => void load(doc([IMPORT, ...writers, ['shark-run {id=r}', reader]]));
    ok('cat /data/up/*.up > /data/r/+', UP);
    ok('cat /data/up/*p > /data/r/+', UP);
    ok('cat /data/up/* > /data/r/+', UP);
    ok('cat /data/up/*.{txt,up} > /data/r/+', UP);
    ok('cat /data/up/*.txt > /data/r/+', UP, ['shark-run {id=fixed}', 'echo hi > /data/up/extra.txt']);
    // `+` keeps its items' names, a directory written whole holds anything, names made at run time are unknown.
    ok('cat /data/up/*.csv > /data/r/+', ['shark-run {id=up}', 'cp /data/in/*.txt /data/up/+']);
    ok('cat /data/up/*.csv > /data/r/+', ['shark-run {id=up}', 'cp -r /data/in/ /data/up/']);
    ok('cat /data/up/*.csv > /data/r/+', ['shark-run {id=up}', 'for s in a b; do echo $s > /data/up/$s.txt; done']);
  });

  it('is no error over a frontmatter input, which holds whatever it holds', () => {
    load(doc([['shark-run {id=r}', 'cat /data/in/*.txt > /data/r/+']], 'inputs:\n  in: /data/in/'));
  });
});
