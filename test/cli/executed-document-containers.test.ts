import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** An output name that would be a shell line if it ever landed inside a block. */
const CRAFTED = 'a;touch PWNED;#';

/** Blocks in a quote, in a list in a quote, and a quote that goes on after its block. */
const PIPELINE = [
  '```shark-import',
  'in/ /data/in/',
  '```',
  '',
  '> ```shark-run {id=quoted}',
  '> cat /data/in/* > /data/out/+',
  '> ```',
  '',
  'Some text.',
  '',
  '> - a list in a quote',
  '>',
  '>   ```shark-run {id=listed}',
  '>   ls /data/out/ > /data/all.txt',
  '>   ```',
  '',
  '> ```shark-run {id=goes-on}',
  '> wc -c < /data/all.txt > /data/count.txt',
  '> ```',
  '>',
  '> the quote goes on',
  '',
  '```text',
  'plain',
  '```',
  '',
  '```shark-run {id=last}',
  'cat /data/count.txt > /data/last.txt',
  '```',
  '',
].join('\n');

describe('the executed document of blocks in quotes and lists', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-executed-containers-');
    rig.write(`in/${CRAFTED}`, '1');
    rig.write('p.md', PIPELINE);
  });
  afterEach(() => rig.cleanup());

  it('puts each block\'s notes after it, inside its quote, never inside another block', async () => {
    expect((await rig.shark(['run', 'p.md', '-o', 'ex.md'])).code).toBe(0);
    const executed = rig.read('ex.md');
    // The document's own lines are all there, in order, with the notes between them.
    const original = PIPELINE.split('\n');
    const kept = executed.split('\n').filter((l) => original.includes(l));
    expect(kept.filter((l) => l !== '' && l !== '>')).toEqual(original.filter((l) => l !== '' && l !== '>'));
    // The notes of a quoted block stay in its quote; the crafted name is in a note, not on a line of its own.
    expect(executed).toContain('> ```\n>\n> <!-- shark: quoted, run 1 -->\n');
    expect(executed).toContain('>   ```\n>\n>   <!-- shark: listed, run 1 -->\n');
    expect(executed).toContain('> <!-- shark: goes-on, run 1 -->');
    for (const line of executed.split('\n').filter((l) => l.includes(CRAFTED))) expect(line).toMatch(/^(?:> )?<!-- .* -->$/);
    // The blocks after the quoted ones are untouched.
    expect(executed).toContain('```text\nplain\n```');
    expect(executed).toContain('```shark-run {id=last}\ncat /data/count.txt > /data/last.txt\n```');

    const check = async (file: string): Promise<string> => (await rig.shark(['check', file])).stdout.replace(file, 'F');
    expect(await check('ex.md')).toBe(await check('p.md'));
    const steps = async (file: string): Promise<string[]> => (await rig.plan(file)).jobs.map((j) => j.step).sort();
    expect(await steps('ex.md')).toEqual(await steps('p.md'));
    const rerun = await rig.shark(['run', 'ex.md']);
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    expect(rig.exists('PWNED')).toBe(false);
  });
});

describe('the executed document of a CRLF document', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-executed-crlf-');
    rig.write('p.md', ['# T', '', '> ```shark-run', '> echo a; echo b > /data/b.txt', '> ```', '', 'End.', ''].join('\r\n'));
  });
  afterEach(() => rig.cleanup());

  it('ends the lines it adds as the document ends its own', async () => {
    expect((await rig.shark(['run', 'p.md', '-o', 'ex.md'])).code).toBe(0);
    const executed = rig.read('ex.md');
    expect(executed).toContain('> <!-- shark: t, run 1 -->\r\n');
    expect(executed).toContain('> ```text\r\n> a\r\n> ```\r\n');
    expect(executed.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
  });
});
