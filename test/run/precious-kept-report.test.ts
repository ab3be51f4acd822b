import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

interface Event {
  type: string;
  job?: string;
  kept?: boolean;
  reason?: string;
  summary?: { kept?: number; cached: number };
}

const events = (stdout: string): Event[] => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);

/** A `{precious}` map over imported items, and a reader whose result is published. */
const PIPELINE = `${fence}shark-import
in/ /data/in/
${fence}

## Slow

${fence}shark-run {precious}
cat /data/in/*.txt > /data/slow/+
${fence}

## Sum

${fence}shark-run
cd /data/slow/ && cat *.txt > /data/out.txt
${fence}

${fence}shark-publish
/data/out.txt
${fence}
`;

describe('run tells of {precious} jobs it kept although what they read changed', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    rig.write('in/a.txt', '1\n');
    rig.write('in/b.txt', '1\n');
  });
  afterEach(() => rig.cleanup());

  it('says a note per step after the run, as plan says them', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('in/a.txt', '2\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^ {2}kept \(precious\): slow — 1 job kept although input \/data\/in\/a\.txt changed \([0-9a-f]+… → [0-9a-f]+…\); shark run --force slow to recompute$/m);
    // Still stale on the next run: said again.
    expect((await rig.shark(['run', 'p.md'])).stdout).toContain('kept (precious): slow — 1 job kept');

    rig.write('in/b.txt', '2\n');
    const both = await rig.shark(['run', 'p.md']);
    expect(both.stdout).toMatch(/kept \(precious\): slow — 2 jobs kept although input \/data\/in\/a\.txt changed \([^)]*\), and 1 other change; shark run --force slow to recompute/);
    expect(both.stdout.match(/kept \(precious\)/g)).toHaveLength(1);
  });

  it('marks the kept job-cached events and counts them in the summary', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const fresh = events((await rig.shark(['run', 'p.md', '--json'])).stdout);
    expect(fresh.filter((e) => e.type === 'job-cached').every((e) => e.kept === undefined && e.reason === undefined)).toBe(true);
    expect(fresh.find((e) => e.type === 'run-end')?.summary?.kept).toBeUndefined();

    rig.write('in/a.txt', '2\n');
    const out = events((await rig.shark(['run', 'p.md', '--json'])).stdout);
    const cached = out.filter((e) => e.type === 'job-cached');
    expect(cached.find((e) => e.job === 'slow[a.txt]')).toMatchObject({ kept: true, reason: expect.stringMatching(/^input \/data\/in\/a\.txt changed \(/) as string });
    expect(cached.find((e) => e.job === 'slow[b.txt]')?.kept).toBeUndefined();
    expect(out.find((e) => e.type === 'run-end')?.summary).toMatchObject({ kept: 1, cached: 3 });
  });
});
