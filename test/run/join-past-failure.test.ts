import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

type Event = { type: string; job?: string; reason?: string; summary?: { executed: number; cached: number; failed: number; skipped: number; notStarted?: number } };

const events = (stdout: string): Event[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
const jobs = (stdout: string, type: string): string[] => events(stdout).filter((e) => e.type === type).map((e) => e.job!).sort();
const end = (stdout: string): Event['summary'] => events(stdout).find((e) => e.type === 'run-end')!.summary;

/** An AOH per species (one fails), a join of it per species, a plain map over the join's items, and a join behind the join. */
const LIFE = `---
inputs:
  species: /data/species/
---
# Life

\`\`\`shark-run {id=aoh}
mkdir -p /data/aoh/+ && grep -v wren /data/species/* > /data/aoh/+/aoh.txt
\`\`\`

\`\`\`shark-run {id=delta}
cat /data/species/* /data/aoh/+/aoh.txt > /data/delta/+
\`\`\`

\`\`\`shark-run {id=each}
cat /data/delta/* > /data/each/+
\`\`\`

\`\`\`shark-run {id=next}
cat /data/species/* /data/delta/+ > /data/next/+
\`\`\`
`;

describe('under -k, maps behind a map of which one item failed', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', LIFE);
    for (const s of ['finch', 'robin', 'wren']) rig.write(`species/${s}.txt`, `${s}\n`);
  });
  afterEach(() => rig.cleanup());

  it('run the items whose joined item was made, skip the failed one\'s, and plan says the same', async () => {
    const ran = await rig.shark(['run', 'p.md', '-i', 'species=species', '-k', '--json']);
    expect(ran.code).toBe(1);
    expect(jobs(ran.stdout, 'job-done')).toEqual([
      'aoh[finch.txt]', 'aoh[robin.txt]', 'delta[finch.txt]', 'delta[robin.txt]',
      'each[finch.txt]', 'each[robin.txt]', 'next[finch.txt]', 'next[robin.txt]',
    ]);
    expect(jobs(ran.stdout, 'job-failed')).toEqual(['aoh[wren.txt]']);
    expect(events(ran.stdout).filter((e) => e.type === 'job-skipped').map((e) => [e.job, e.reason]).sort()).toEqual([
      ['delta[wren.txt]', 'an input failed'], ['each[wren.txt]', 'an input failed'], ['next[wren.txt]', 'an input failed'],
    ]);
    expect(end(ran.stdout)).toMatchObject({ executed: 8, cached: 0, failed: 1, skipped: 3 });
    expect(end(ran.stdout)!.notStarted).toBeUndefined();
    // The next plan: what ran is cached, and only the failed item's jobs wait for it.
    const plan = await rig.plan('p.md', '-i', 'species=species');
    expect(plan.jobs.filter((j) => j.status !== 'cached').map((j) => [j.job, j.status])).toEqual([
      ['aoh[wren.txt]', 'run'], ['delta[wren.txt]', 'blocked'], ['each[wren.txt]', 'blocked'], ['next[wren.txt]', 'blocked'],
    ]);
    // Failing again, the run does as that plan says.
    const again = await rig.shark(['run', 'p.md', '-i', 'species=species', '-k', '--json']);
    expect(end(again.stdout)).toMatchObject({ executed: 0, cached: 8, failed: 1, skipped: 3 });
    expect(end(again.stdout)!.notStarted).toBeUndefined();
  });

  it('decide a map behind item by item when a whole run over the items made is remembered (its step memo)', async () => {
    rig.write('k.md', '# Keep going\n\n```shark-import\nin/ /data/in/\n```\n\n```shark-run {id=double}\n'
      + "awk '$1 == \"bad\" { exit 3 } { print $1 * 2 }' /data/in/*.txt > /data/double/+\n```\n\n"
      + "```shark-run {id=square}\nawk '{ print $1 * $1 }' /data/double/*.txt > /data/square/+\n```\n");
    rig.write('in/a.txt', '1\n');
    rig.write('in/b.txt', '2\n');
    rig.write('in/c.txt', 'bad\n');
    expect((await rig.shark(['run', 'k.md', '-k'])).code).toBe(1);
    // A whole run without the failing item: the square map's memo answers for items a and b.
    rmSync(rig.path('in/c.txt'));
    expect((await rig.shark(['run', 'k.md'])).code).toBe(0);
    rig.write('in/c.txt', 'bad\n');
    const ran = await rig.shark(['run', 'k.md', '-k', '--json']);
    expect(jobs(ran.stdout, 'job-failed')).toEqual(['double[c.txt]']);
    expect(jobs(ran.stdout, 'job-cached')).toEqual(['double[a.txt]', 'double[b.txt]', 'keep-going', 'square[a.txt]', 'square[b.txt]']);
    expect(events(ran.stdout).filter((e) => e.type === 'job-skipped').map((e) => e.job)).toEqual(['square[c.txt]']);
    expect(end(ran.stdout)!.notStarted).toBeUndefined();
  });

  it('count the skipped jobs in the map\'s line at the terminal, and no map as not started', async () => {
    const ran = await rig.shark(['run', 'p.md', '-i', 'species=species', '-k', '-j', '1']);
    expect(ran.stdout).toMatch(/^done {5}delta: 2 run, 0 cached, 1 skipped \(/m);
    expect(ran.stdout).toMatch(/^FAILED: 8 run, 0 cached, 1 failed, 3 skipped in /m);
  });

  it('without -k, stop as before: the maps behind are not started', async () => {
    const ran = await rig.shark(['run', 'p.md', '-i', 'species=species', '-j', '1', '--json']);
    expect(ran.code).toBe(1);
    expect(jobs(ran.stdout, 'job-done').filter((j) => !j.startsWith('aoh'))).toEqual([]);
  });
});
