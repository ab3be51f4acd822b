import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig, SHARK } from '../support/rig.js';

/** Runs the real binary with stdout or stderr on /dev/full, where every write fails with ENOSPC. */
function sharkOnFullDisk(rig: Rig, args: string[], stream: 'stdout' | 'stderr'): Promise<{ code: number | null; out: string }> {
  const full = openSync('/dev/full', 'w');
  return new Promise((done) => {
    const stdio = stream === 'stdout' ? ['ignore', full, 'pipe'] as const : ['ignore', 'pipe', full] as const;
    const child = spawn(process.execPath, [SHARK, ...args], { cwd: rig.dir, stdio: [...stdio] });
    closeSync(full);
    let out = '';
    (stream === 'stdout' ? child.stderr : child.stdout)!.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => (clearTimeout(timer), done({ code, out })));
  });
}

/**
 * A write to stdout that fails other than for the reader leaving (a full
 * disk, an i/o error) is a failure, said on stderr, exit 1, as `ls > /dev/full`
 * fails: only a closed pipe (EPIPE) ends quietly with 141.
 */
describe.skipIf(!existsSync('/dev/full'))('standard output that cannot be written', () => {
  const rig = new Rig();
  rig.write('p.md', '# P\n\n```shark-run\necho hi > /data/hi.txt\n```\n');
  rig.write('slow.md', '# S\n\n```shark-run\nsleep 30; echo late > /data/late.txt\n```\n');
  afterAll(() => rig.cleanup());

  it('plan > /dev/full says so on stderr and exits 1 (it exited 141, saying nothing)', async () => {
    const ran = await sharkOnFullDisk(rig, ['plan', 'p.md'], 'stdout');
    expect(ran.out).toBe('shark: error: cannot write to standard output: no space left on device\n');
    expect(ran.code).toBe(1);
  });

  it('run > /dev/full says so, cancels its jobs and exits 1 (it was cancelled in silence)', async () => {
    const t = Date.now();
    const ran = await sharkOnFullDisk(rig, ['run', 'slow.md'], 'stdout');
    expect(ran.out).toBe('shark: error: cannot write to standard output: no space left on device\n');
    expect(ran.code).toBe(1);
    expect(Date.now() - t).toBeLessThan(20_000);
  });

  it('check 2> /dev/full exits 1, not 141: there is nowhere to say why', async () => {
    const ran = await sharkOnFullDisk(rig, ['check', 'nope.md'], 'stderr');
    expect(ran.out).toBe('');
    expect(ran.code).toBe(1);
  });
});
