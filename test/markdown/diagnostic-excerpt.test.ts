import { describe, expect, it } from 'vitest';
import { error, formatDiagnostic } from '../../src/diagnostics.js';

/** The excerpt lines under the message: the source line and the caret line. */
function excerpt(line: string, col: number): string[] {
  return formatDiagnostic(error('p.md', { line: 1, col }, 'bad'), line).split('\n').slice(1);
}

describe('the excerpt under a diagnostic', () => {
  it('escapes control characters of the line, the caret still under its character', () => {
    const line = 'echo \x1b]0;pwned\x07\x1b[31mRED\x1b[0m > /data/../etc/x';
    const [text, caret] = excerpt(line, line.indexOf('/data') + 1);
    expect(text).toBe('    1 | echo \\x1b]0;pwned\\x07\\x1b[31mRED\\x1b[0m > /data/../etc/x');
    expect(caret!.indexOf('^')).toBe(text!.indexOf('/data'));
    expect(excerpt('a\u202eb\u009bc\td', 7)).toEqual(['    1 | a\\u202eb\\x9bc d', '      |               ^']);
  });

  it('escapes control characters a message quotes from the document', () => {
    const d = error('p.md', { line: 1, col: 7 }, '`jobs` must be a positive whole number, not `\x1b[31mnope`', [{ at: { line: 2, col: 1 }, message: 'here \x07' }]);
    expect(formatDiagnostic(d, 'jobs: "\x1b[31mnope"').split('\n')).toEqual([
      'p.md:1:7: error: `jobs` must be a positive whole number, not `\\x1b[31mnope`',
      '    1 | jobs: "\\x1b[31mnope"',
      '      |       ^',
      'p.md:2:1: note: here \\x07',
    ]);
  });

  it('shows a window of a long line around the column, marking the cut sides', () => {
    const line = `echo ${'a'.repeat(50_000)} > /data/../x`;
    const col = line.indexOf('/data') + 1;
    const [text, caret] = excerpt(line, col);
    expect(text!.length).toBeLessThan(140);
    expect(text).toMatch(/^ {4}1 \| …a+ > \/data\/\.\.\/x$/);
    expect(caret!.indexOf('^')).toBe(text!.indexOf('/data'));
    const [start, under] = excerpt(line, 6);
    expect(start).toMatch(/^ {4}1 \| echo a+…$/);
    expect(start!.length).toBeLessThan(140);
    expect(under!.indexOf('^')).toBe(start!.indexOf('a'));
    const [middle, below] = excerpt(`${'b'.repeat(1000)}X${'c'.repeat(1000)}`, 1001);
    expect(middle).toMatch(/^ {4}1 \| …b+Xc+…$/);
    expect(below!.indexOf('^')).toBe(middle!.indexOf('X'));
  });

  it('puts the caret under its character after wide characters and combining marks', () => {
    // A terminal draws an ideograph two columns wide and a combining accent in none: the caret follows what it draws.
    const [wide, underWide] = excerpt('echo 種子種子 > /data/a.txt; cat /data/zz.txt', 30);
    expect(wide).toBe('    1 | echo 種子種子 > /data/a.txt; cat /data/zz.txt');
    expect(underWide).toBe(`      | ${' '.repeat(33)}^`);
    const [, underAccent] = excerpt('echo e\u0301e\u0301 > /data/a.txt; cat /data/zz.txt', 30);
    expect(underAccent).toBe(`      | ${' '.repeat(27)}^`);
  });
});
