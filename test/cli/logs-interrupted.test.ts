import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { Rig, SHARK } from '../support/rig.js';

const fence = '```';

/**
 * A map of eight items at -j 2 stopped by Ctrl-C once two items ended ok and
 * two more were running: a job stopped while it ran has no row, only the log
 * it wrote so far, and the four never started have neither.
 */
describe('shark logs of a map a Ctrl-C stopped', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-logs-interrupted-');
    for (const n of 'abcdefgh') rig.write(`in/${n}.txt`, n === 'a' || n === 'b' ? 'fast\n' : 'slow\n');
    rig.write('p.md', `## Get\n\n${fence}shark-import\nin/ /data/in/\n${fence}\n\n## Map\n\n${fence}shark-run\necho "starting on $(basename /data/in/*.txt)"; basename /data/in/*.txt >> counter; grep -q fast /data/in/*.txt || sleep 30; cat /data/in/*.txt > /data/out/+\n${fence}\n`);
    const child = spawn(process.execPath, [SHARK, 'run', 'p.md', '-j', '2'], { cwd: rig.dir, stdio: ['ignore', 'ignore', 'ignore'] });
    const t0 = Date.now();
    while (rig.count() < 4 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    expect(await new Promise<number | null>((r) => child.on('close', r))).toBe(130);
    // In the order the two launchers reached them: a and b first, c and d each after one of them.
    expect([...rig.lines()].sort()).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt']);
  }, 60_000);
  afterAll(() => rig.cleanup());

  it('says an item that never started did not run (it showed the others\' logs as its own)', async () => {
    const never = await rig.shark(['logs', 'p.md', 'map[f.txt]']);
    expect([never.code, never.stdout, never.stderr]).toEqual([1, '', 'shark: job `map[f.txt]` has no row in run 1: it did not run (run 1 was interrupted before it ran)\n']);
  });

  it('shows a stopped item\'s log so far alone', async () => {
    const stopped = await rig.shark(['logs', 'p.md', 'map[d.txt]']);
    expect([stopped.code, stopped.stderr]).toEqual([0, '']);
    expect(stopped.stdout).toMatch(/^==> map\[d\.txt\] \(interrupted while it ran: its log so far\) \S+\/logs\/1\/\S+\nstarting on d\.txt\n$/);
  });

  it('lists the map\'s items that ended as ok, and those stopped as interrupted', async () => {
    const all = await rig.shark(['logs', 'p.md', 'map']);
    expect([all.code, all.stderr]).toEqual([0, '']);
    const heads = all.stdout.split('\n').filter((l) => l.startsWith('==> ')).map((l) => l.replace(/\) \S+$/, ')')).sort();
    expect(heads).toEqual([
      '==> map[a.txt] (ok, line 10)',
      '==> map[b.txt] (ok, line 10)',
      '==> map[c.txt] (interrupted while it ran: its log so far)',
      '==> map[d.txt] (interrupted while it ran: its log so far)',
    ]);
    // With no block named: every block's, the stopped ones too.
    const every = await rig.shark(['logs', 'p.md']);
    expect([every.code, every.stderr]).toEqual([0, '']);
    expect(every.stdout.split('\n').filter((l) => l.startsWith('==> ')).map((l) => l.replace(/\) \S+$/, ')')).sort()).toEqual(['==> get (ok, line 4)', ...heads]);
    const ok = await rig.shark(['logs', 'p.md', 'map[a.txt]']);
    expect(ok.stdout).toMatch(/^==> map\[a\.txt\] \(ok, line 10\) \S+\nstarting on a\.txt\n$/);
  });
});

/**
 * A job that prints nothing, stopped by SIGTERM while it ran: it started,
 * so `logs` says it was interrupted with nothing printed, not that it never
 * ran (an ok job that printed nothing leaves no log; this one keeps one).
 */
describe('shark logs of a silent job a SIGTERM stopped', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-logs-silent-');
    rig.write('p.md', `# Silent\n\n## Slow\n\n${fence}shark-run\necho started >> counter; sleep 30; echo done > /data/out.txt\n${fence}\n`);
    const child = spawn(process.execPath, [SHARK, 'run', 'p.md'], { cwd: rig.dir, stdio: ['ignore', 'ignore', 'ignore'] });
    const t0 = Date.now();
    while (rig.count() < 1 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
    expect(rig.count()).toBe(1);
  }, 60_000);
  afterAll(() => rig.cleanup());

  it('says it was interrupted while it ran and printed nothing, not that it never ran', async () => {
    const shown = await rig.shark(['logs', 'p.md', 'slow']);
    expect([shown.code, shown.stdout, shown.stderr]).toEqual([0, '==> slow (interrupted while it ran: it printed nothing)\n', '']);
    // With no block named, not `run 1 ran no job`: it ran one, stopped.
    const every = await rig.shark(['logs', 'p.md']);
    expect([every.code, every.stdout, every.stderr]).toEqual([0, '==> slow (interrupted while it ran: it printed nothing)\n', '']);
  });
});

/**
 * Jobs running when their run was killed (`kill -9`): what one printed is in
 * its log as it came, shown as its log so far; one that printed nothing has
 * no log, only the lease naming the job the dead run left. `logs` said the
 * run was interrupted before the job ran.
 */
describe('shark logs of a job running when its run was killed', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-logs-killed-');
    rig.write('p.md', `# Killed\n\n## Slow\n\n${fence}shark-run\necho started >> counter; sleep 30; echo done > /data/out.txt\n${fence}\n\n## Talk\n\n${fence}shark-run\necho hi; echo started >> counter; sleep 30; echo done > /data/talk.txt\n${fence}\n`);
    const child = spawn(process.execPath, [SHARK, 'run', 'p.md', '-j', '2'], { cwd: rig.dir, stdio: ['ignore', 'ignore', 'ignore'] });
    const t0 = Date.now();
    while (rig.count() < 2 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    // The lease names the job once its command started, within 100 ms.
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    expect(rig.count()).toBe(2);
  }, 60_000);
  afterAll(() => rig.cleanup());

  it('says it was running when the run was killed, not that it never ran', async () => {
    const said = '==> slow (running when run 1 was killed: no log; what it printed was lost)\n';
    const shown = await rig.shark(['logs', 'p.md', 'slow']);
    expect([shown.code, shown.stdout, shown.stderr]).toEqual([0, said, '']);
    // A short line reaches the log as it is printed (it was held back in memory, and lost with the run).
    const talk = await rig.shark(['logs', 'p.md', 'talk']);
    expect([talk.code, talk.stdout, talk.stderr]).toEqual([0, expect.stringMatching(/^==> talk \(interrupted while it ran: its log so far\) .*\.log\nhi\n$/), '']);
    const every = await rig.shark(['logs', 'p.md']);
    expect([every.code, every.stdout, every.stderr]).toEqual([0, said + talk.stdout, '']);
  });

  it('once `gc` removed the lease, says nothing tells whether it started, not that it never ran', async () => {
    expect((await rig.shark(['gc', 'p.md', '--delete'])).code).toBe(0);
    const shown = await rig.shark(['logs', 'p.md', 'slow']);
    expect([shown.code, shown.stdout, shown.stderr]).toEqual([1, '', 'shark: block `slow` has no job in run 1: run 1 was killed, and left no record of whether its jobs started\n']);
  });
});
