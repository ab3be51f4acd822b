import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A join of a fixed file in each item's directory (`+/stats.txt`), as a map writes it by name. */
const JOIN = `---
inputs:
  cur: /data/cur/
  st: /data/st/
---
# Join

\`\`\`shark-run
echo "$(cat /data/cur/*.txt)" >> counter; cat /data/cur/*.txt /data/st/+/stats.txt > /data/joined/+
\`\`\`
`;

describe('a join of a file in the item\'s directory (`+/stats.txt`)', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('fails the job whose directory lacks the file without running it, as for a missing item', async () => {
    rig.write('j.md', JOIN);
    rig.write('cur/a.txt', 'a\n');
    rig.write('cur/b.txt', 'b\n');
    rig.write('st/a.txt/stats.txt', '1\n');
    rig.write('st/b.txt/other.txt', '2\n');
    const args = ['-i', 'cur=cur', '-i', 'st=st'];
    const plan = await rig.plan('j.md', ...args);
    expect(plan.jobs.find((j) => j.job === 'join[a.txt]')!.status).toBe('run');
    expect(plan.jobs.find((j) => j.job === 'join[b.txt]')!.reasons).toEqual(['the joined item b.txt/stats.txt is not in /data/st/ (for item b.txt)']);
    const ran = await rig.shark(['run', 'j.md', ...args, '-k', '--json']);
    expect(ran.code, ran.stderr).toBe(1);
    const failed = ran.stdout.split('\n').filter((l) => l.includes('"job-failed"')).map((l) => JSON.parse(l) as { job: string; reason: string; message: string });
    expect(failed.map((f) => [f.job, f.reason, f.message])).toEqual([['join[b.txt]', 'missing-input', 'the joined item b.txt/stats.txt is not in /data/st/ (for item b.txt)']]);
    expect(rig.lines()).toEqual(['a']);
    const after = await rig.plan('j.md', ...args);
    expect(after.jobs.map((j) => [j.job, j.status])).toEqual([['join[a.txt]', 'cached'], ['join[b.txt]', 'run']]);
  });
});

describe('a map writing a file below its item\'s directory (`+/sub/stats.txt`)', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('has the directories for it made, as for any path a step writes, by run and by the script', async () => {
    rig.write('p.md', `---\ninputs:\n  cur: /data/cur/\n---\n\n\`\`\`shark-run\nwc -c < /data/cur/* > /data/out/+/sub/stats.txt\n\`\`\`\n\n\`\`\`shark-publish\n/data/out/\n\`\`\`\n`);
    rig.write('cur/a.txt', 'a\n');
    const ran = await rig.shark(['run', 'p.md', '-i', 'cur=cur']);
    expect([ran.code, ran.stderr]).toEqual([0, '']);
    expect(rig.read('_shark/out/a.txt/sub/stats.txt')).toBe('2\n');
    const script = await rig.shark(['plan', 'p.md', '-i', 'cur=cur', '--script']);
    expect(script.stdout).toContain(`mkdir -p '/data/out'/"$plus_name"/'sub'`);
  });

  it('fails the job that does not write a name it gives (`missing-output`), as for a plain output', async () => {
    rig.write('p.md', `---\ninputs:\n  cur: /data/cur/\n---\n\n\`\`\`shark-run\n[ -s /data/cur/* ] || wc -c < /data/cur/* > /data/out/+/stats.txt\n\`\`\`\n`);
    rig.write('cur/a.txt', 'a\n');
    const ran = await rig.shark(['run', 'p.md', '-i', 'cur=cur', '--json']);
    expect(ran.code, ran.stderr).toBe(1);
    const failed = ran.stdout.split('\n').filter((l) => l.includes('"job-failed"')).map((l) => JSON.parse(l) as { reason: string; message: string });
    expect(failed.map((f) => [f.reason, f.message])).toEqual([['missing-output', 'step did not create /data/out/a.txt/stats.txt']]);
  });

  it('points at the name the job did not write, not at the first name given in the item\'s directory', async () => {
    rig.write('p.md', `---\ninputs:\n  cur: /data/cur/\n---\n\n\`\`\`shark-run\ncat /data/cur/* > /data/out/+/one; true || cat /data/cur/* > /data/out/+/two\n\`\`\`\n`);
    rig.write('cur/a.txt', 'a\n');
    const ran = await rig.shark(['run', 'p.md', '-i', 'cur=cur', '--json']);
    expect(ran.code, ran.stderr).toBe(1);
    const failed = ran.stdout.split('\n').filter((l) => l.includes('"job-failed"')).map((l) => JSON.parse(l) as { where: string; message: string });
    expect(failed.map((f) => [f.where, f.message])).toEqual([['p.md:7:62', 'step did not create /data/out/a.txt/two']]);
  });
});

/** A map writing `stats.txt` and a second file in each item's directory, and a join that reads `stats.txt` alone. */
const MAP_THEN_JOIN = (extra: string): string => `---
inputs:
  cur: /data/cur/
---
# Join

\`\`\`shark-run
wc -c < /data/cur/* > /data/st/+/stats.txt; echo ${extra} > /data/st/+/other.txt
\`\`\`

\`\`\`shark-run
echo "$(cat /data/cur/*.txt)" >> counter; cat /data/cur/*.txt /data/st/+/stats.txt > /data/joined/+
\`\`\`
`;

describe('a join of `+/stats.txt` after a map that writes more beside it', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('is keyed on the file it reads, not the whole item directory: another file changing runs no join job', async () => {
    rig.write('j.md', MAP_THEN_JOIN('x'));
    rig.write('cur/a.txt', 'a\n');
    rig.write('cur/b.txt', 'bb\n');
    const first = await rig.shark(['run', 'j.md', '-i', 'cur=cur']);
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(rig.lines().sort()).toEqual(['a', 'bb']);
    // The map runs again (its command changed), and writes the same stats.txt for each item.
    rig.write('j.md', MAP_THEN_JOIN('y'));
    const again = await rig.shark(['run', 'j.md', '-i', 'cur=cur']);
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(rig.lines().sort()).toEqual(['a', 'bb']);
  });
});

describe('a join of two files of each item\'s directory (`+/one.txt` and `+/two.txt`)', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('has both in the workspace and in the key, not the first alone', async () => {
    rig.write('j.md', MAP_THEN_JOIN('x').replace('/data/st/+/stats.txt > /data/joined/+', '/data/st/+/stats.txt /data/st/+/other.txt > /data/joined/+'));
    rig.write('cur/a.txt', 'a\n');
    const first = await rig.shark(['run', 'j.md', '-i', 'cur=cur']);
    expect([first.code, first.stderr, first.stdout]).toEqual([0, '', expect.stringMatching(/^ok: 2 run/m)]);
    // other.txt changing runs the join again: it reads it.
    rig.write('j.md', MAP_THEN_JOIN('y').replace('/data/st/+/stats.txt > /data/joined/+', '/data/st/+/stats.txt /data/st/+/other.txt > /data/joined/+'));
    const again = await rig.shark(['run', 'j.md', '-i', 'cur=cur']);
    expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/^ok: 2 run/m)]);
    expect(rig.lines()).toEqual(['a', 'a']);
  });
});
