import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * `plan` beside a run executing a job: it said plain `run` for it, while a
 * run started now waits for that job and reuses its result.
 */
describe('plan while another run is executing one of its jobs', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig('shark-plan-running-elsewhere-')));
  afterEach(() => rig.cleanup());

  it('notes the jobs running now, in which run, and that a run would wait for them', async () => {
    rig.write('p.md', '# P\n\n```shark-run\necho started >> counter; sleep 5; echo x > /data/x.txt\n```\n');
    const other = rig.start(['run', 'p.md']);
    for (let i = 0; i < 400 && !rig.lines().includes('started'); i++) await new Promise((r) => setTimeout(r, 25));
    const plan = await rig.shark(['plan', 'p.md']);
    const json = JSON.parse((await rig.shark(['plan', 'p.md', '--json'])).stdout) as { notes: string[] };
    other.process.kill('SIGINT');
    await other.ended;
    expect(plan.stdout).toMatch(/^run +p +p\.md:4 +no previous result$/m);
    expect(plan.stdout).toMatch(/^note: 1 job to run is running now in run 1 \(pid \d+ on .+\): a run started now waits for it and reuses its result$/m);
    expect(json.notes).toContainEqual(expect.stringMatching(/^1 job to run is running now in run 1/));
    // Once it is over, nothing is said.
    expect((await rig.shark(['plan', 'p.md'])).stdout).not.toContain('running now');
  });
});
