import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { Rig, SHARK } from '../support/rig.js';

describe('Ctrl-C', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('cancels running jobs with their children, keeps finished results, and exits 130', async () => {
    const marker = `shark-interrupt-${process.pid}-${Date.now()}`;
    rig.write('p.md', `# I

## Quick

\`\`\`shark-run
echo quick >> counter; echo fast > /data/quick.txt
\`\`\`

## Slow

\`\`\`shark-run
sh -c 'sleep 30; echo ${marker}' > /data/slow.txt
\`\`\`
`);
    const child = spawn(process.execPath, [SHARK, 'run', 'p.md', '-j', '2'], { cwd: rig.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const t0 = Date.now();
    while (!out.includes('done     quick') && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(out).toMatch(/interrupted: 1 run/);
    // No process of the cancelled job is left behind.
    expect(spawnSync('pgrep', ['-f', marker]).status).not.toBe(0);
    const plan = await rig.plan('p.md');
    expect(plan.jobs.map((j) => [j.step, j.status])).toEqual([['quick', 'cached'], ['slow', 'run']]);
    expect(plan.jobs[1]!.reasons).toEqual(['no previous result']);
  });

  it('logs shows what a job stopped by Ctrl-C printed so far, for a step and a map\'s items (it said the job did not run)', async () => {
    rig.write('in/a.txt', 'a\n');
    rig.write('l.md', `# L\n\n\`\`\`shark-import\nin/ /data/in/\n\`\`\`\n\n\`\`\`shark-run\necho progress one; echo started >> counter; sleep 30; echo x > /data/slow.txt\n\`\`\`\n\n\`\`\`shark-run\necho item $(cat /data/in/*); echo started >> counter; sleep 30; cp /data/in/* /data/out/+\n\`\`\`\n`);
    const child = spawn(process.execPath, [SHARK, 'run', 'l.md', '-j', '2'], { cwd: rig.dir, stdio: ['ignore', 'ignore', 'ignore'] });
    const t0 = Date.now();
    while (rig.count() < 2 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    expect(await new Promise<number | null>((r) => child.on('close', r))).toBe(130);
    const step = await rig.shark(['logs', 'l.md', 'l-2']);
    expect(step.code, step.stderr).toBe(0);
    expect(step.stdout).toMatch(/^==> l-2 \(interrupted while it ran: its log so far\) .*\nprogress one\n$/);
    const item = await rig.shark(['logs', 'l.md', 'l-3']);
    expect(item.stdout).toMatch(/^==> l-3\[a\.txt\] \(interrupted while it ran: its log so far\) .*\nitem a\n$/);
  }, 60_000);

  it('names the signal it stops on: SIGTERM is not Ctrl-C', async () => {
    rig.write('t.md', `# T\n\n\`\`\`shark-run\necho started >> counter; sleep 30; echo late > /data/slow.txt\n\`\`\`\n`);
    const stopped = async (signal: NodeJS.Signals): Promise<{ code: number | null; err: string }> => {
      const child = spawn(process.execPath, [SHARK, 'run', 't.md'], { cwd: rig.dir, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const t0 = Date.now();
      while (rig.count() === 0 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
      child.kill(signal);
      const code = await new Promise<number | null>((r) => child.on('close', r));
      rig.write('counter', '');
      return { code, err };
    };
    expect(await stopped('SIGTERM')).toEqual({ code: 130, err: '\nshark: stopping on SIGTERM: cancelling running jobs (send it again, or Ctrl-C, to quit at once)\n' });
    expect(await stopped('SIGINT')).toEqual({ code: 130, err: '\nshark: stopping: cancelling running jobs (Ctrl-C again to quit at once)\n' });
  }, 60_000);

  it('skips the steps after an interrupted one as interrupted, not as "an input failed", and counts no publish block as a job', async () => {
    rig.write('p.md', `# Int

## Slow

\`\`\`shark-run
echo started >> counter; sleep 30; echo hi > /data/out.txt
\`\`\`

\`\`\`shark-run
cat /data/out.txt > /data/o2.txt
\`\`\`

\`\`\`shark-publish
/data/out.txt
\`\`\`
`);
    const child = spawn(process.execPath, [SHARK, 'run', 'p.md', '--json'], { cwd: rig.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 400 && rig.count() === 0; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGINT');
    expect(await new Promise<number | null>((r) => child.on('close', r))).toBe(130);
    const events = out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; job?: string; reason?: string; summary?: { skipped: number } });
    expect(events.filter((e) => e.type === 'job-skipped').map((e) => [e.job, e.reason])).toEqual([['slow', 'interrupted'], ['slow-2', 'interrupted']]);
    // As plan counts them: 2 jobs (the publish block is none).
    expect(events.find((e) => e.type === 'run-end')!.summary!.skipped).toBe(2);
  });

  it('counts a map it never reached as a map not started, not as one skipped job: the jobs it skipped are jobs plan counts', async () => {
    rig.write('p.md', `# Int

\`\`\`shark-run
echo started >> counter; sleep 30; mkdir -p /data/d; echo a > /data/d/a.txt; echo b > /data/d/b.txt
\`\`\`

\`\`\`shark-run
cat /data/d/* > /data/e/+
\`\`\`
`);
    const child = spawn(process.execPath, [SHARK, 'run', 'p.md'], { cwd: rig.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 400 && rig.count() === 0; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGINT');
    expect(await new Promise<number | null>((r) => child.on('close', r))).toBe(130);
    expect(out).toMatch(/^interrupted: 0 run, 0 cached, 0 failed, 1 skipped, 1 map not started in /m);
  });

  it('stops while it takes a large input in, at once: its steps skipped, and the next run takes the input in whole', async () => {
    for (let i = 0; i < 20_000; i++) rig.write(`items/${i}.txt`, `${i}\n`);
    rig.write('m.md', '---\ninputs:\n  items: /data/items/\n---\n# M\n\n```shark-run\nls /data/items/ | wc -l > /data/n.txt\n```\n\n```shark-publish\n/data/n.txt\n```\n');
    const child = spawn(process.execPath, [SHARK, 'run', 'm.md', '-i', 'items=items', '--json'], { cwd: rig.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const t0 = Date.now();
    while (!out.includes('"run-start"') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    expect(await new Promise<number | null>((r) => child.on('close', r))).toBe(130);
    // Heard as the input was taken in, not once all 20,000 files were stored and the map's jobs skipped one by one.
    const end = JSON.parse(out.trim().split('\n').at(-1)!) as { summary: { status: string; skipped: number; notStarted?: number; executed: number } };
    expect(end.summary).toMatchObject({ status: 'interrupted', executed: 0, skipped: 1 });
    const again = await rig.shark(['run', 'm.md', '-i', 'items=items', '-j', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/1 run, 0 cached, 0 failed/);
    expect(rig.read('_shark/n.txt').trim()).toBe('20000');
  }, 120_000);

  it('ends the jobs of a run killed with SIGKILL, which cannot clean up itself', async () => {
    const marker = `shark-sigkill-${process.pid}-${Date.now()}`;
    rig.write('k.md', `# K\n\n\`\`\`shark-run\necho started >> counter; sh -c 'sleep 30; echo ${marker}' > /data/slow.txt\n\`\`\`\n`);
    const child = spawn(process.execPath, [SHARK, 'run', 'k.md'], { cwd: rig.dir, stdio: 'ignore' });
    for (let i = 0; i < 200 && rig.count() === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(spawnSync('pgrep', ['-f', marker]).status).toBe(0);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      await new Promise((r) => setTimeout(r, 20));
      alive = spawnSync('pgrep', ['-f', marker]).status === 0;
    }
    expect(alive).toBe(false);
  });
});
