import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { Rig } from '../support/rig.js';

const PIPELINE = ['```shark-run', 'echo ran >> counter; echo a > /data/a.txt', '```', ''].join('\n');

describe('run -o to a path the executed document cannot be written to', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-run-output-');
    rig.write('p.md', PIPELINE);
    mkdirSync(rig.path('outdir'));
  });
  afterEach(() => rig.cleanup());

  for (const [out, why] of [['outdir', 'it is a directory'], ['.', 'it is a directory'], ['..', 'it is a directory'], ['missing/x.md', 'no such directory missing']] as const) {
    it(`refuses -o ${out} before anything runs, in one line`, async () => {
      const ran = await rig.shark(['run', 'p.md', '-o', out]);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toBe(`shark: error: cannot write ${out}: ${why}\n`);
      expect(rig.count()).toBe(0);
      expect(readdirSync(rig.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
      expect(readdirSync(rig.path('outdir'))).toEqual([]);
      // Nor is the store made for it (an empty .shark/ was left behind).
      expect(rig.exists('.shark')).toBe(false);
    });
  }

  it('writes a name of up to the 255 bytes a name may have (its temporary sibling went past them from 236)', async () => {
    const name = 'o'.repeat(255);
    const ran = await rig.shark(['run', 'p.md', '-o', name]);
    expect([ran.code, ran.stderr]).toEqual([0, '']);
    expect(rig.read(name)).toContain('<!-- shark: ');
  });

  it('says a path in the store to be made is the store\'s, once it is made', async () => {
    const ran = await rig.shark(['run', 'p.md', '-o', '.shark/x.md']);
    expect([ran.code, ran.stderr]).toEqual([2, `shark: error: will not write .shark/x.md: it is inside the store ${rig.path('.shark')}\n`]);
    expect(rig.count()).toBe(0);
  });

  it('writes into a FIFO or character device in place, never replacing it with a file (as root, -o /dev/null replaced /dev/null)', async () => {
    execFileSync('mkfifo', [rig.path('fifo')]);
    const reader = spawn('cat', [rig.path('fifo')]);
    let read = '';
    reader.stdout.on('data', (d: Buffer) => (read += d.toString()));
    const closed = new Promise((done) => reader.on('close', done));
    expect((await rig.shark(['run', 'p.md', '-o', 'fifo'])).code).toBe(0);
    // Replaced by a file, the FIFO would never get a writer: the reader is let go after a while.
    const timer = setTimeout(() => reader.kill(), 5000);
    await closed;
    clearTimeout(timer);
    expect(read).toContain('<!-- shark: ');
    expect(lstatSync(rig.path('fifo')).isFIFO()).toBe(true);
    // A link to a character device is written through, not replaced (as /dev/stdout is).
    symlinkSync('/dev/null', rig.path('null'));
    expect((await rig.shark(['run', 'p.md', '-o', 'null'])).code).toBe(0);
    expect(lstatSync(rig.path('null')).isSymbolicLink()).toBe(true);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(readdirSync(rig.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('names a path with an escape sequence escaped: it reached the terminal', async () => {
    const ran = await rig.shark(['run', 'p.md', '-o', 'no\x1b[31m/x.md']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe('shark: error: cannot write "no\\u001b[31m/x.md": no such directory "no\\u001b[31m"\n');
  });

  it('still writes a good path', async () => {
    expect((await rig.shark(['run', 'p.md', '-o', 'outdir/ex.md'])).code).toBe(0);
    expect(rig.read('outdir/ex.md')).toContain('<!-- shark: ');
    expect(readdirSync(rig.path('outdir'))).toEqual(['ex.md']);
  });
});
