import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';

/**
 * A host job's key holds the content of the local files its command names
 * (and its `{deps}`), read when its step is decided. One edited while the
 * job runs gives a result made with other bytes than the key says: stored
 * under that key, reverting the edit would serve it as the old script's
 * result. The command edits the file itself here, as a user's editor would
 * while a long job runs, so the test needs no timing.
 */

const fence = '```';

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-changed-')));
afterEach(() => rig.cleanup());

interface Event {
  readonly type: string;
  readonly job?: string;
  readonly reason?: string;
  readonly message?: string;
}

async function run(): Promise<{ code: number | null; events: Event[] }> {
  const ran = await rig.shark(['run', 'p.md', '--json']);
  return { code: ran.code, events: ran.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event) };
}

describe('a local file changed while its job runs', () => {
  it('fails the job instead of keeping a result the key does not describe', async () => {
    rig.write('conf.txt', 'v1\n');
    rig.write('p.md', `# use

${fence}shark-run
printf 'v2\\n' > conf.txt; cat conf.txt > /data/out.txt
${fence}
`);
    const first = await run();
    expect(first.code).toBe(1);
    const failed = first.events.filter((e) => e.type === 'job-failed');
    expect(failed.map((e) => [e.job, e.reason])).toEqual([['use', 'changed-file']]);
    expect(failed[0]?.message).toMatch(/^local file conf\.txt changed \(.+\) while the job ran/);
    // The edit reverted: no result of v1's key was made with v2's bytes.
    rig.write('conf.txt', 'v1\n');
    const plan = await rig.plan('p.md');
    expect(toRun(plan)).toEqual(['use']);
  });

  it('fails the job when a {deps} file changed while it ran', async () => {
    rig.write('lib.txt', 'a\n');
    rig.write('p.md', `# use

${fence}shark-run {deps=lib.txt}
echo b >> lib.txt; echo x > /data/out.txt
${fence}
`);
    const first = await run();
    expect(first.code).toBe(1);
    const failed = first.events.find((e) => e.type === 'job-failed');
    expect(failed?.reason).toBe('changed-file');
    expect(failed?.message).toMatch(/^dependency lib\.txt changed/);
  });

  it('keeps the result of a job that makes a file it names, absent when planned', async () => {
    rig.write('p.md', `# use

${fence}shark-run
date +%N > scratch.txt; cat scratch.txt > /data/out.txt
${fence}
`);
    expect((await run()).code).toBe(0);
    // Named and there now: the key changes, as format.md says ("runs again once after it first made it").
    expect(toRun(await rig.plan('p.md'))).toEqual(['use']);
  });

  it('keeps the result of a job whose files did not change', async () => {
    rig.write('conf.txt', 'v1\n');
    rig.write('p.md', `# use

${fence}shark-run
cat conf.txt > /data/out.txt
${fence}
`);
    expect((await run()).code).toBe(0);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });
});
