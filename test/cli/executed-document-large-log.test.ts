import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLog } from '../../src/lineage/executed-document.js';
import { printableLines, withoutEscapes } from '../../src/printable.js';

const dir = mkdtempSync(join(tmpdir(), 'shark-executed-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How the executed document read a log before: whole, as one string. */
function wholeLines(text: string): string[] {
  const shown = withoutEscapes(text).replace(/`{3,}/g, (m) => m.replace(/`/g, "'"));
  return shown === '' ? [] : shown.trimEnd().split(/\r?\n/).map(printableLines);
}

describe("the executed document's output of a job", () => {
  it('is the first lines and the count of a log of hundreds of megabytes (read whole, it was left out)', () => {
    const log = join(dir, 'big.log');
    writeFileSync(log, 'first\nsecond\n');
    // Sparse: 600 MB of NULs that take no disk, then a last line.
    truncateSync(log, 600_000_000);
    appendFileSync(log, '\nlast\n');
    const { head, count } = readLog(log);
    expect(count).toBe(4);
    expect(head.slice(0, 2)).toEqual(['first', 'second']);
    expect(head[2]).toMatch(/^(\\x00)+$/);
  });

  it('is as before for logs of every shape, long ones read in pieces', () => {
    const many = Array.from({ length: 30_000 }, (_, i) => `line ${i} \x1b[31mred\x1b[0m \`\`\` \r`).join('\n');
    const texts = ['', '\n', '  \n\n', 'a', 'a\r\nb\r\n', 'one\n\n\ntwo  \n \n', '\x1b[2J\n', 'x\n\x1b[0m\n', 'tabs\t\n\t\n', many, `${many}\n\n  \n`];
    for (const [i, text] of texts.entries()) {
      const log = join(dir, `${i}.log`);
      writeFileSync(log, text);
      const lines = wholeLines(text);
      expect(readLog(log)).toEqual({ head: lines.slice(0, 40), count: lines.length });
    }
    expect(readLog(join(dir, 'missing.log'))).toEqual({ head: [], count: 0 });
  });
});
