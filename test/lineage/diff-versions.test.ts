import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';
const sum = 'find /data/current/ /data/scenario/ -type f -exec cat {} + > /data/sum.txt';
const DOC = `## Ranges\n\n${fence}shark-import\nfile:in/ /data/in/\n${fence}\n\n## Filter\n\n${fence}shark-run\ncat /data/in/*.txt > /data/filtered/+\n${fence}\n\n` +
  `## Current\n\n${fence}shark-run {precious}\nwc -c < /data/filtered/*.txt > /data/current/+\n${fence}\n\n` +
  `## Scenario\n\n${fence}shark-run\nwc -w < /data/filtered/*.txt > /data/scenario/+\n${fence}\n\n## Sum\n\n${fence}shark-run\n${sum}\n${fence}\n`;

/**
 * After an input changed, a `{precious}` map kept its item made from the
 * old versions of the jobs upstream, and its sibling map read the new ones:
 * the result's ancestry holds `ranges` and `filter[b.txt]` in two versions
 * each, unchanged in the next run.
 */
describe('shark diff of an ancestry holding jobs in two versions, both the same', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('in/a.txt', 'a 1\n');
    rig.write('in/b.txt', 'b 2\n');
    rig.write('p.md', DOC);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('in/b.txt', 'b 22\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', DOC.replace(sum, sum.replace('/data/current/ /data/scenario/', '/data/scenario/ /data/current/')));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('lists each job once and counts the pipeline\'s jobs (it listed both versions alike, and counted 10 jobs of 8)', async () => {
    const text = await rig.shark(['diff', 'p.md', '/data/sum.txt']);
    expect([text.code, text.stderr]).toEqual([1, '']);
    expect(text.stdout.split('\n').filter((l) => l.startsWith('same')).map((l) => l.split(/ +/)[1])).toEqual([
      'ranges', 'filter[a.txt]', 'filter[b.txt]', 'current[a.txt]', 'current[b.txt]', 'scenario[a.txt]', 'scenario[b.txt]',
    ]);
    expect(text.stdout).toMatch(/\n8 jobs: 1 root cause, 7 same\n$/);
    const json = JSON.parse((await rig.shark(['diff', 'p.md', '/data/sum.txt', '--json'])).stdout) as { steps: { job: string }[]; summary: Record<string, number> };
    expect(json.steps).toHaveLength(8);
    expect(json.summary).toEqual({ 'root-cause': 1, same: 7 });
  });
});

/**
 * A host input changed, and a `{precious}` map kept its item made from the
 * old content: the new ancestry read the input in both versions, and the
 * changed input was no root cause (every changed job was `propagated`).
 */
describe('shark diff when a kept precious item read the host input\'s old content', () => {
  const doc = `---\ninputs:\n  nums: /data/nums.csv\n---\n\n## Prep\n\n${fence}shark-run\nmkdir -p /data/split/ && awk -F, -v d=/data/split/ '{ print $2 > (d $1 ".txt") }' /data/nums.csv\n${fence}\n\n` +
    `## Slow\n\n${fence}shark-run {precious}\ncat /data/split/*.txt > /data/slow/+\n${fence}\n\n## Fast\n\n${fence}shark-run\ncat /data/split/*.txt > /data/fast/+\n${fence}\n\n` +
    `## Report\n\n${fence}shark-run\ncat /data/slow/a.txt /data/slow/b.txt /data/fast/a.txt /data/fast/b.txt > /data/report.txt\n${fence}\n`;
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('p.md', doc);
    rig.write('nums.csv', 'a,1\nb,2\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'nums=nums.csv'])).code).toBe(0);
    rig.write('nums.csv', 'a,1\nb,3\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'nums=nums.csv'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('names the changed host input as the root cause, in text and --json', async () => {
    const text = await rig.shark(['diff', 'p.md', '/data/report.txt']);
    expect(text.code).toBe(1);
    expect(text.stdout.split('\n')[1]).toMatch(/^root cause +input \/data\/nums\.csv +host input \/data\/nums\.csv changed \(e5fd3808… → d92644f4…\)$/);
    const json = JSON.parse((await rig.shark(['diff', 'p.md', '/data/report.txt', '--json'])).stdout) as { summary: Record<string, number> };
    expect(json.summary['root-cause']).toBe(1);
  });
});
