import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * `lineage` of a path whose job failed says which job and why. A map job's
 * attempt records its output as `DIR/+` (the pattern): the path it would
 * have written is named from its item.
 */
const PIPELINE = `# Failed

\`\`\`shark-import
in/ /data/in/
\`\`\`

\`\`\`shark-run
grep -q c /data/in/*.txt && exit 3; cp /data/in/*.txt /data/out/+
\`\`\`

\`\`\`shark-run
grep -q c /data/in/*.txt && exit 5; cp /data/in/*.txt /data/renamed/+.csv
\`\`\`

\`\`\`shark-run
echo x > /data/single.txt; exit 4
\`\`\`
`;

describe('shark lineage of what a failed job did not write', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-lineage-failed-');
    rig.write('f.md', PIPELINE);
    rig.write('in/a.txt', 'a\n');
    rig.write('in/c.txt', 'c\n');
    expect((await rig.shark(['run', 'f.md', '-k'])).code).toBe(1);
  });
  afterAll(() => rig.cleanup());

  it('names a single failed job', async () => {
    const ran = await rig.shark(['lineage', 'f.md', '/data/single.txt']);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/\/data\/single\.txt was not produced: job failed-4 \(line 16\) failed in run 1 \(exit status 4\)/);
  });

  it('names the failed map item whose output it is, with or without an extension', async () => {
    const plain = await rig.shark(['lineage', 'f.md', '/data/out/c.txt']);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/\/data\/out\/c\.txt was not produced: job failed-2\[c\.txt\] \(line 8\) failed in run 1 \(exit status 3\)/);
    const renamed = await rig.shark(['lineage', 'f.md', '/data/renamed/c.csv']);
    expect(renamed.code).toBe(1);
    expect(renamed.stderr).toMatch(/\/data\/renamed\/c\.csv was not produced: job failed-3\[c\.txt\] .*exit status 5/);
  });

  it('does not blame a failed item for another item it did not write', async () => {
    const other = await rig.shark(['lineage', 'f.md', '/data/out/b.txt']);
    expect(other.code).toBe(1);
    expect(other.stderr).toBe('shark: no run of this pipeline produced /data/out/b.txt\n');
  });
});

describe('shark lineage of a result a later forced run failed to make again', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-lineage-failed-again-');
    rig.write('p.md', '# Again\n\n```shark-run\necho hi > /data/a.txt; test -z "$FAIL"\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '--force', 'again'], { env: { FAIL: '1' } })).code).toBe(1);
  });
  afterAll(() => rig.cleanup());

  it('says which run made the result plan still finds cached, and how to see it', async () => {
    expect((await rig.shark(['plan', 'p.md'])).stdout).toMatch(/^cached\s+again\s/m);
    const failed = await rig.shark(['lineage', 'p.md', '/data/a.txt']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^shark: \/data\/a\.txt was not produced: job again \(line 4\) failed in run 2 \(exit status 1\); run 1 made it \(ask with --run 1\)\n$/);
    const earlier = await rig.shark(['lineage', 'p.md', '/data/a.txt', '--run', '1']);
    expect(earlier.code).toBe(0);
    expect(earlier.stdout).toContain('→ /data/a.txt');
  });
});

describe('shark lineage of a result whose step never ran because a step upstream failed', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-lineage-upstream-');
    rig.write('p.md', [
      '# Prep\n\n```shark-run\necho 3 > /data/n.txt\n```\n',
      '# Fail\n\n```shark-run\ncat /data/n.txt > /data/mid.txt && exit 3\n```\n',
      '# Sum\n\n```shark-run\nmkdir -p /data/sum && cat /data/mid.txt > /data/sum/x.txt\n```\n',
      '# Other\n\n```shark-run\ncat /data/n.txt > /data/other.txt && exit 0\n```\n',
    ].join('\n'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(1);
  });
  afterAll(() => rig.cleanup());

  it('names the failed job upstream of the step that writes it, in the latest run', async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/sum/x.txt']);
    expect([ran.code, ran.stdout]).toEqual([1, '']);
    expect(ran.stderr).toBe('shark: no run of this pipeline produced /data/sum/x.txt: sum, which writes it, needs what fail writes, and job fail (line 10) failed in run 1, the latest (exit status 3)\n');
    const asked = await rig.shark(['lineage', 'p.md', '/data/sum/x.txt', '--run', '1']);
    expect(asked.stderr).toBe('shark: no job of run 1 produced /data/sum/x.txt: sum, which writes it, needs what fail writes, and job fail (line 10) failed in run 1 (exit status 3)\n');
  });

  it('blames no failure a path does not depend on', async () => {
    const prep = await rig.shark(['lineage', 'p.md', '/data/nosuch.txt']);
    expect(prep.stderr).toBe('shark: no run of this pipeline produced /data/nosuch.txt\n');
  });
});

describe('shark lineage of a result an earlier run made, when a later run skipped its step for a failure upstream', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-lineage-newer-failed-');
    rig.write('in/a.txt', '1\n');
    rig.write('in/c.txt', '2\n');
    rig.write('p.md', '---\ninputs:\n  in: /data/in/\n---\n# Double\n\n```shark-run\nread n < /data/in/*.txt; [ "$n" != 9 ] || exit 3; echo $((n*2)) > /data/out/+\n```\n\n' +
      '# Total\n\n```shark-run\ncd /data/out/ && cat * | awk \'{s+=$1} END {print s}\' > /data/total.txt\n```\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'in=in'])).code).toBe(0);
    rig.write('in/c.txt', '9\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'in=in'])).code).toBe(1);
  });
  afterAll(() => rig.cleanup());

  it("shows that run's result with a note naming the newer run and the failure it skipped the step for (exit 0)", async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/total.txt']);
    expect(ran.code).toBe(0);
    expect(ran.stdout.split('\n')[0]).toBe('note: run 2, the latest, did not make /data/total.txt: total, which writes it, needs what double writes, and job double[c.txt] (line 8) failed in run 2 (exit status 3); this is run 1\'s');
    expect(ran.stdout).toContain('→ /data/total.txt');
  });

  it('says nothing of it for --run, nor for a path the failure did not keep from being made', async () => {
    expect((await rig.shark(['lineage', 'p.md', '/data/total.txt', '--run', '1'])).stdout).not.toContain('note:');
    expect((await rig.shark(['lineage', 'p.md', '/data/out/a.txt'])).stdout).not.toContain('note:');
  });
});
