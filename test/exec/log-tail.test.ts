import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tailOf } from '../../src/exec/run/tail.js';

describe('tailOf: the last lines of a failed job\'s log', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shark-tail-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the last lines of a short log', () => {
    const log = join(dir, 'short.log');
    writeFileSync(log, Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
    expect(tailOf(log, 3)).toBe('line 28\nline 29\nline 30');
  });

  it('reads only the end of a log too large to be a string (sparse: no disk)', () => {
    const log = join(dir, 'huge.log');
    writeFileSync(log, 'first\n');
    truncateSync(log, 600 * 1024 * 1024);
    appendFileSync(log, '\nsecond to last\nthe error\n');
    expect(tailOf(log, 2)).toBe('second to last\nthe error');
  });

  it('cuts a line too long for a screen, saying how much more the log holds (65,000 characters took 800 rows)', () => {
    const log = join(dir, 'long.log');
    writeFileSync(log, `${'a'.repeat(300_000)}\n${'b'.repeat(5000)}\nthe error\n`);
    expect(tailOf(log, 2)).toBe(`${'b'.repeat(1000)}… (4,000 more characters in the log)\nthe error`);
  });

  it('gives nothing for a log that is not there', () => {
    expect(tailOf(join(dir, 'none.log'))).toBe('');
  });
});
