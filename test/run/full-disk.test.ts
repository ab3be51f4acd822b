import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportUncaught } from '../../src/cli/process-guards.js';
import { Rig, type Ran } from '../support/rig.js';
import { mountSmallDisk } from '../support/small-disk.js';

/**
 * A store on a full disk: a 1 MiB tmpfs (root only; mounting one is the
 * honest way to fill a disk). A full disk is a job failure with reason
 * `store`, or one line and exit 1 when the store cannot record anything:
 * never an internal error, and nothing left behind that keeps the disk full.
 */
const PIPELINE = `# Big

\`\`\`shark-run {id=small}
echo hi > /data/small.txt
\`\`\`

\`\`\`shark-run {id=big}
head -c 3000000 /dev/zero > /data/big.bin
\`\`\`
`;
const QUIET = PIPELINE.replace('> /data/big.bin', '> /data/big.bin 2>/dev/null');
const SMALL = '# Small\n\n```shark-run {id=small}\necho hi > /data/small.txt\n```\n';

const rig = new Rig();
const disk = rig.path('small');
const skip = mountSmallDisk(disk);

/** What runs left in the store's tmp/ (the background removal of a run's workspaces given a moment to end). */
async function leftInTmp(): Promise<string[]> {
  const tmp = join(disk, '.shark/tmp');
  for (let i = 0; i < 50; i++) {
    if (!existsSync(tmp) || readdirSync(tmp).length === 0) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return readdirSync(tmp);
}

/** Fills what is left of the disk with one file. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full.
  } finally {
    closeSync(fd);
  }
}

const noCrash = (ran: Ran): void => expect(ran.stdout + ran.stderr).not.toMatch(/internal error|\n\s+at /);

describe.skipIf(skip !== undefined)(`a store on a full disk${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  afterAll(() => {
    spawnSync('umount', [disk]);
    rig.cleanup();
  });

  it('a job whose log cannot be written fails with reason store, exit 1, and its workspace is removed', async () => {
    rig.write('small/p.md', PIPELINE);
    const ran = await rig.shark(['run', 'small/p.md', '-k']);
    noCrash(ran);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/FAILED {3}big\n.*cannot write the job's log: ENOSPC.*its output after that was dropped/);
    expect(ran.stdout).toMatch(/failed: big at small\/p\.md:8:1 \(store\)/);
    expect(await leftInTmp()).toEqual([]);
    // The disk is not left full: the next run gets as far (whether the small job's result, or
    // that it was reused, could be recorded depends on when the big one filled the disk; and when
    // the small job runs again and fails too, the space its workspace frees can take the big one's
    // last words, so that its log is whole and its failure is its command's).
    const again = await rig.shark(['run', 'small/p.md', '-k', '--json']);
    noCrash(again);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/"type":"job-failed","job":"big".*"reason":"(store|exit)"/);
    expect(await leftInTmp()).toEqual([]);
  });

  it('a job that says nothing and fails on the full disk is a failure, recorded, and its workspace is removed', async () => {
    rig.write('small/p.md', QUIET);
    const ran = await rig.shark(['run', 'small/p.md']);
    noCrash(ran);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/failed: big at small\/p\.md:8:1 \(exit\)/);
    expect(await leftInTmp()).toEqual([]);
    const runs = await rig.shark(['runs', 'small/p.md']);
    expect(runs.stdout.split('\n')[1]).toMatch(/failed/);
  });

  it('on a disk left full, run and gc --delete say so in one line, and gc --delete frees what killed runs left', async () => {
    rig.write('small/q.md', SMALL);
    // What a run killed on the full disk left: a workspace named by a process that is gone.
    const dead = spawnSync('true').pid!;
    const leftover = join(disk, `.shark/tmp/ws-${dead}-big-XXXXXX/data`);
    mkdirSync(leftover, { recursive: true });
    fill(join(leftover, 'big.bin'));
    const blocked = await rig.shark(['run', 'small/q.md']);
    noCrash(blocked);
    expect(blocked.stderr).toMatch(/^shark: error: .*(disk is full|no space left)/i);
    expect(blocked.stderr.trim().split('\n')).toHaveLength(1);
    expect(blocked.code).toBe(1);
    const gc = await rig.shark(['gc', 'small/q.md', '--delete']);
    noCrash(gc);
    expect(existsSync(leftover)).toBe(false);
    const after = await rig.shark(['run', 'small/q.md']);
    noCrash(after);
    expect(after.code).toBe(0);
  });

  it('gc --delete that cannot record what it frees advises freeing space, not running gc --delete', async () => {
    // Room to open the database, not to write gc's lease (as found on this machine's tmpfs).
    fill(join(disk, 'filler'));
    truncateSync(join(disk, 'filler'), statSync(join(disk, 'filler')).size - 40 * 1024);
    try {
      const gc = await rig.shark(['gc', 'small/q.md', '--delete']);
      noCrash(gc);
      expect(gc.code).toBe(1);
      expect(gc.stderr.trim().split('\n')).toHaveLength(1);
      expect(gc.stderr).toMatch(/^shark: error: .*(disk is full|no space left)/i);
      expect(gc.stderr).not.toMatch(/gc FILE --delete/);
    } finally {
      rmSync(join(disk, 'filler'));
    }
  });

  it('gc --delete on a disk too full to open the store, tmp/ cleared, advises freeing space outside the store (exit 1)', async () => {
    // Not even room for the database's shared-memory file: the store cannot be opened.
    fill(join(disk, 'filler'));
    try {
      const gc = await rig.shark(['gc', 'small/q.md', '--delete']);
      noCrash(gc);
      expect(gc.code).toBe(1);
      expect(gc.stderr.trim().split('\n')).toHaveLength(1);
      expect(gc.stderr).toMatch(/^shark: error: cannot open the store at .*: its disk is full \(.*\); free some space on its disk outside the store, then run gc again/);
    } finally {
      rmSync(join(disk, 'filler'));
    }
  });

  it('gc --delete on a disk full of results says so in one line (exit 1)', async () => {
    fill(join(disk, 'filler'));
    try {
      const gc = await rig.shark(['gc', 'small/q.md', '--delete']);
      noCrash(gc);
      expect([0, 1]).toContain(gc.code);
      if (gc.code === 1) expect(gc.stderr).toMatch(/^shark: error: .*(disk is full|no space left)/i);
    } finally {
      rmSync(join(disk, 'filler'));
    }
  });
});

describe('an error for want of space that reaches the command', () => {
  it.each([
    ['SQLITE_FULL', 'database or disk is full'],
    ['ENOSPC', 'ENOSPC: no space left on device, write'],
  ])('(%s) is one line and exit 1, not an internal error', (code, message) => {
    let said = '';
    expect(reportUncaught(Object.assign(new Error(message), { code }), (s) => (said += s))).toBe(1);
    expect(said).toBe(`shark: error: the store refused a write: ${message} (free some space; \`shark gc FILE --delete\` removes what killed runs left)\n`);
  });

  it('from gc itself, advises freeing space, not running gc --delete', () => {
    let said = '';
    expect(reportUncaught(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }), (s) => (said += s), 'gc')).toBe(1);
    expect(said).toBe('shark: error: the store refused a write: database or disk is full (free some space on its disk outside the store, then run gc again: gc itself needs a little room to record what it removes)\n');
  });

  it('any other is still a bug (exit 70)', () => {
    expect(reportUncaught(new Error('boom'), () => undefined)).toBe(70);
  });
});
