import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { describeSlurm } from './rig.js';
import { jobcompLines, runningUnder, scancelNamed, until } from './run-rig.js';

const fence = '```';
/** Poll Slurm often: the tests wait for tasks that take seconds each on a two-CPU node. */
const env = { SHARK_SLURM_POLL_MS: '250' };

/**
 * `shark gc` on a store Slurm jobs use: the jobs a killed run left queued or
 * running keep their workspaces, so that they run on their inputs and the
 * next run adopts them.
 */
describeSlurm('shark gc with Slurm jobs', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-slurm-gc-');
  });
  afterEach(() => rig.cleanup());

  it('gc --delete after a killed run leaves its queued and running jobs their workspaces: each job runs once, on its input, and the next run adopts it', async () => {
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Keep', '', `${fence}shark-run`,
      `echo "ran $(cat /data/in/*)" >> ${rig.path('counter')}; sleep 4; cp /data/in/* /data/out/+`, fence, ''].join('\n'));
    for (const name of ['a', 'b', 'c', 'd']) rig.write(`in/${name}.txt`, `${name}\n`);
    // Two CPUs: two tasks run, two wait in the queue.
    const first = rig.start(['run', 'p.md', '--executor', 'slurm', '-j', '4'], { env, timeoutMs: 120_000 });
    await runningUnder(first, rig.dir);
    first.process.kill('SIGKILL');
    await first.ended;
    // Without Slurm's commands gc cannot tell which jobs still run: it keeps every workspace they name.
    const blind = await rig.shark(['gc', 'p.md', '--delete'], { env: { PATH: rig.path('no-slurm') } });
    expect(blind.code, blind.stderr).toBe(0);
    expect(blind.stderr).toMatch(/^shark: warning: 4 workspaces of Slurm jobs kept: cannot ask Slurm which jobs are still queued or running \(squeue not found/m);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toMatch(/keeping the workspaces of Slurm job \d+: Slurm still lists it \(queued, running, or ended within its MinJobAge\); a run takes over what it computed/);
    const second = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--json'], { env, timeoutMs: 120_000 });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(rig.lines().sort()).toEqual(['ran a', 'ran b', 'ran c', 'ran d']);
    const arrays = jobcompLines(rig.dir).filter((l) => l.includes('Name=shark:p:keep ')).map((l) => /ArrayJobId=(\d+)/.exec(l)?.[1]);
    expect(new Set(arrays).size).toBe(1);
    expect((await rig.plan('p.md')).summary).toEqual({ cached: 5, run: 0, blocked: 0 });
  }, 180_000);

  it('names several jobs it keeps the workspaces of in the plural (it said "what them computed")', async () => {
    rig.write('p.md', ['# One', '', `${fence}shark-run`, 'sleep 4; echo 1 > /data/one.txt', fence, '',
      '# Two', '', `${fence}shark-run`, 'sleep 4; echo 2 > /data/two.txt', fence, ''].join('\n'));
    const first = rig.start(['run', 'p.md', '--executor', 'slurm', '-j', '2'], { env, timeoutMs: 120_000 });
    await runningUnder(first, rig.dir);
    // Both submissions' job ids recorded: a run killed before sbatch answered leaves a workspace gc names by its folder.
    const byJob = rig.path('.shark/slurm/by-job');
    await until(() => existsSync(byJob) && readdirSync(byJob).length >= 2, 60_000, 'both Slurm job ids recorded');
    first.process.kill('SIGKILL');
    await first.ended;
    try {
      const gc = await rig.shark(['gc', 'p.md']);
      expect(gc.code, gc.stderr).toBe(0);
      expect(gc.stdout).toMatch(/keeping the workspaces of Slurm jobs \d+, \d+: Slurm still lists them \(queued, running, or ended within its MinJobAge\); a run takes over what they computed, and gc frees them once Slurm has forgotten them\n/);
    } finally {
      for (const name of ['shark:p:one', 'shark:p:two']) scancelNamed(name);
    }
  }, 120_000);

  it('gc removes the folders of submissions Slurm has let go of (the dry run says so first), and keeps those of jobs it still holds', async () => {
    rig.write('p.md', '# Fold\n\n```shark-run\necho x > /data/x.txt\n```\n');
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm'], { env, timeoutMs: 120_000 });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const slurmDir = rig.path('.shark/slurm');
    const submissions = (): string[] => readdirSync(slurmDir).filter((n) => n !== 'by-job').sort();
    const [recent] = submissions();
    // Slurm holds a job that ended for MinJobAge (5 minutes here), then forgets it: the same submission, as Slurm has
    // forgotten it, and as an sbatch that printed no job id left it.
    cpSync(join(slurmDir, recent!), join(slurmDir, 'shark_p_fold-1-old'), { recursive: true });
    writeFileSync(join(slurmDir, 'by-job', '999999999'), join(slurmDir, 'shark_p_fold-1-old'));
    cpSync(join(slurmDir, recent!), join(slurmDir, 'shark_p_fold-2-no-id'), { recursive: true });
    expect(submissions()).toHaveLength(3);

    const dry = await rig.shark(['gc', 'p.md']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^would remove 2 Slurm submission folders of ended jobs, \d+\.\d MB$/m);
    expect(submissions()).toHaveLength(3);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toMatch(/^removed 2 Slurm submission folders of ended jobs, \d+\.\d MB$/m);
    expect(submissions()).toEqual([recent]);
    expect(existsSync(join(slurmDir, 'by-job', '999999999'))).toBe(false);
    expect(readdirSync(join(slurmDir, 'by-job'))).toHaveLength(1);
    expect((await rig.plan('p.md')).summary).toEqual({ cached: 1, run: 0, blocked: 0 });
  }, 180_000);
});
