import { describe, expect, it } from 'vitest';
import { doc, errors } from '../helpers/documents.js';

// `é` typed as one character, and as `e` and a combining accent (macOS, pasted text): the same on screen.
const composed = 'café';
const decomposed = composed.normalize('NFD');

describe('a /data name typed two ways that look alike', () => {
  it('is an error at the later spelling, for a reader that finds nothing, naming the writer', () => {
    expect(errors(doc([
      ['shark-run {id=a}', `echo a > /data/${composed}.txt`],
      ['shark-run {id=b}', `cat /data/${decomposed}.txt > /data/b.txt`],
    ]))).toEqual([
      `6:5: \`/data/${decomposed}.txt\` is not \`/data/${composed}.txt\`, which step \`a\` writes (line 2): they differ only in how an accented letter is encoded `
        + '(decomposed, a letter and its accent apart here, composed, one character each there), which the file system tells apart; type the name the same way in both '
        + `[2:10: step \`a\` writes \`/data/${composed}.txt\` here]`,
    ]);
  });

  it('is an error where the later spelling would be read as a second file written', () => {
    expect(errors(doc([
      ['shark-run {id=a}', `echo a > /data/${decomposed}/x.txt`],
      ['shark-run {id=b}', `sort /data/${composed}/x.txt > /data/b.txt`],
    ]))).toEqual([expect.stringMatching(new RegExp(`^6:6: \`/data/${composed}/x\\.txt\` is not \`/data/${decomposed}/x\\.txt\`, which step \`a\` writes \\(line 2\\)`))]);
  });
});
