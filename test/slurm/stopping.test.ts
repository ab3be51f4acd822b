import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { describeSlurm } from './rig.js';
import { execFileSync } from 'node:child_process';
import { runningUnder, scancelNamed, squeueNames } from './run-rig.js';

const fence = '```';
const env = { SHARK_SLURM_POLL_MS: '250' };

type Event = { type: string; job?: string; reason?: string; message?: string };
const eventsOf = (stdout: string): Event[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Event);

/** A map over i1..i20 whose items 3, 7 and 13 fail; each item says in `ran` that it started. */
function partlyFailing(rig: Rig, heading: string): void {
  rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', `# ${heading}`, '', `${fence}shark-run`,
    `n=$(cat /data/in/*); echo $n >> ${rig.path('ran')}; case $n in 3|7|13) echo "bad item $n" >&2; exit 3;; esac; sleep 0.3; cp /data/in/* /data/out/+`, fence, ''].join('\n'));
  for (let n = 1; n <= 20; n++) rig.write(`in/i${n}.txt`, `${n}\n`);
}

/** How a run under Slurm stops starting jobs, as a local run does. */
describeSlurm('shark run --executor slurm stopping', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-slurm-stop-');
  });
  afterEach(() => {
    for (const name of ['shark:p:first-failure', 'shark:p:pending-cancelled']) scancelNamed(name);
    rig.cleanup();
  });

  it('without -k, starts no job after the first failure: the pending tasks are cancelled, a task\'s later items never start, all are skipped', async () => {
    partlyFailing(rig, 'First failure');
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm', '--items-per-task', '4', '-j', '1', '--json'], { env, timeoutMs: 120_000 });
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    const events = eventsOf(ran.stdout);
    const started = rig.lines('ran');
    // One task at a time (-j 1): everything up to the first bad item ran, nothing after it.
    expect(started.filter((n) => ['3', '7', '13'].includes(n))).toEqual([started.at(-1)]);
    const failed = events.filter((e) => e.type === 'job-failed');
    expect(failed).toEqual([expect.objectContaining({ job: `first-failure[i${started.at(-1)}.txt]`, reason: 'exit' })]);
    const skipped = events.filter((e) => e.type === 'job-skipped' && e.job!.startsWith('first-failure['));
    expect(skipped).toHaveLength(20 - started.length);
    expect(skipped.every((e) => e.reason === 'an earlier job failed')).toBe(true);
    expect(events.filter((e) => e.type === 'job-done' && e.job!.startsWith('first-failure['))).toHaveLength(started.length - 1);
    expect(squeueNames()).not.toContain('shark:p:first-failure');
  }, 150_000);

  it('fails an array task cancelled outside Shark before it started at once, as cancelled outside Shark (reason signal)', async () => {
    rig.write('p.md', [`${fence}shark-import`, 'in/ /data/in/', fence, '', '# Pending cancelled', '', `${fence}shark-run`, 'sleep 1; cp /data/in/* /data/out/+', fence, ''].join('\n'));
    for (let n = 1; n <= 6; n++) rig.write(`in/i${n}.txt`, `${n}\n`);
    const child = rig.start(['run', 'p.md', '--executor', 'slurm', '-k', '-j', '1', '--json'], { env, timeoutMs: 120_000 });
    const task = await runningUnder(child, rig.dir, 60_000, 'shark:p:pending-cancelled');
    // The last task waits behind the others (-j 1): Slurm drops it from the array's record at once.
    execFileSync('scancel', [`${task.split('_')[0]}_5`]);
    const ended = await child.ended;
    expect(ended.code, ended.stdout + ended.stderr).toBe(1);
    const failed = eventsOf(ended.stdout).filter((e) => e.type === 'job-failed');
    expect(failed).toEqual([expect.objectContaining({ reason: 'signal', message: expect.stringContaining('cancelled outside Shark') })]);
    expect(eventsOf(ended.stdout).filter((e) => e.type === 'job-done' && e.job!.startsWith('pending-cancelled['))).toHaveLength(5);
  }, 150_000);
});
