import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/** A map, one job per item (`+`), whose outputs differ each time it runs: a memo that outlived a re-run would show old ids. */
const PER_ITEM = (heading: string): string => `---
inputs:
  items: /data/items/
---
# ${heading}

${fence}shark-run
echo map >> counter; (cat /data/items/*; date +%N) > /data/out/+
${fence}

## Count

${fence}shark-run
ls /data/out/ | wc -l > /data/count.txt
${fence}
`;

interface RunRow {
  job: string;
  step: string;
  key: string;
  status: string;
}

describe('a fully cached map step is remembered', () => {
  let rig: Rig;
  const args = ['-i', 'items=items'];
  const memos = (): number => {
    const db = new Database(rig.path('.shark/shark.sqlite'), { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM step_memos').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const rows = (): RunRow[] => {
    const db = new Database(rig.path('.shark/shark.sqlite'), { readonly: true });
    try {
      return db.prepare('SELECT job, step, key, status FROM run_rows WHERE run_id = (SELECT max(id) FROM runs) ORDER BY job').all() as RunRow[];
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    rig = new Rig();
    for (const name of ['a.txt', 'b.txt', 'c.txt']) rig.write(`items/${name}`, `${name}\n`);
    rig.write('p.md', PER_ITEM('Map'));
  });
  afterEach(() => rig.cleanup());

  it('plans and runs from its memo exactly what deciding job by job gives', async () => {
    expect((await rig.shark(['run', 'p.md', ...args])).code).toBe(0);
    expect(memos()).toBe(0);
    const byJob = await rig.plan('p.md', ...args);
    expect(memos()).toBe(1);
    const byMemo = await rig.plan('p.md', ...args);
    expect(byMemo).toEqual(byJob);
    expect(byMemo.jobs.filter((j) => j.step === 'map').map((j) => [j.job, j.status, Object.keys(j.outputs ?? {})])).toEqual([
      ['map[a.txt]', 'cached', ['/data/out/a.txt']],
      ['map[b.txt]', 'cached', ['/data/out/b.txt']],
      ['map[c.txt]', 'cached', ['/data/out/c.txt']],
    ]);
    // Two cached runs: the first writes a row per job, the second names them; both read as a run always recorded them.
    const firstRows = rows();
    expect((await rig.shark(['run', 'p.md', ...args])).code).toBe(0);
    const written = rows();
    expect((await rig.shark(['run', 'p.md', ...args])).code).toBe(0);
    const named = rows();
    expect(named).toEqual(written);
    expect(named.map((r) => [r.job, r.status])).toEqual([['count', 'cached'], ['map[a.txt]', 'cached'], ['map[b.txt]', 'cached'], ['map[c.txt]', 'cached']]);
    expect(named.map((r) => r.key)).toEqual(firstRows.map((r) => r.key));
    expect(rig.count()).toBe(3);
    const lineage = await rig.shark(['lineage', 'p.md', '/data/out/b.txt']);
    expect(lineage.stdout).toContain('/data/items/b.txt');
  });

  it('shows a step its memo decided in text, and with -v, as deciding job by job shows it', async () => {
    expect((await rig.shark(['run', 'p.md', ...args])).code).toBe(0);
    const forget = (): void => {
      const db = new Database(rig.path('.shark/shark.sqlite'));
      db.exec('DELETE FROM step_memos');
      db.close();
    };
    const plan = async (...more: string[]): Promise<string> => (await rig.shark(['plan', 'p.md', ...args, ...more])).stdout;
    forget();
    const text = await plan();
    forget();
    const verbose = await plan('-v');
    expect(memos()).toBe(1);
    expect(await plan()).toBe(text);
    expect(await plan('-v')).toBe(verbose);
    expect(text).toMatch(/^cached +map +p\.md:\d+ +3 jobs — 3 cached$/m);
    expect(text).toContain('4 jobs: 4 cached, 0 to run');
    expect(verbose.match(/^cached +map\[[abc]\.txt\]/gm)).toHaveLength(3);
  });

  it('names the jobs after the step as it is now when its heading changed', async () => {
    expect((await rig.shark(['run', 'p.md', ...args])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', ...args])).code).toBe(0);
    rig.write('p.md', PER_ITEM('Species'));
    const ran = await rig.shark(['run', 'p.md', ...args, '--json']);
    expect(ran.code).toBe(0);
    expect(rows().map((r) => [r.job, r.step])).toEqual([
      ['count', 'count'], ['species[a.txt]', 'species'], ['species[b.txt]', 'species'], ['species[c.txt]', 'species'],
    ]);
    const cachedEvents = ran.stdout.split('\n').filter((l) => l.includes('"job-cached"')).map((l) => (JSON.parse(l) as { job: string }).job);
    expect(cachedEvents.sort()).toEqual(['count', 'species[a.txt]', 'species[b.txt]', 'species[c.txt]']);
    const logs = await rig.shark(['logs', 'p.md', 'species[b.txt]']);
    expect(logs.code).toBe(0);
    expect((await rig.shark(['logs', 'p.md', 'map[b.txt]'])).code).not.toBe(0);
    const lineage = await rig.shark(['lineage', 'p.md', '/data/count.txt']);
    expect(lineage.stdout).toContain('species[a.txt]');
    expect(lineage.stdout).not.toContain('map[');
    const { runs } = JSON.parse((await rig.shark(['runs', 'p.md', '--json'])).stdout) as { runs: { cached: number }[] };
    expect(runs[0]!.cached).toBe(4);
  });

  it('is not trusted when an output is no longer in the store: the job runs again', async () => {
    expect((await rig.shark(['run', 'p.md', ...args])).code).toBe(0);
    const before = await rig.plan('p.md', ...args);
    expect(memos()).toBe(1);
    const gone = before.jobs.find((j) => j.job === 'map[b.txt]')!.outputs!['/data/out/b.txt']!;
    const hex = gone.slice(gone.indexOf(':') + 1);
    rmSync(rig.path(`.shark/objects/${hex.slice(0, 2)}/${hex.slice(2)}`));
    const after = await rig.plan('p.md', ...args);
    expect(after.jobs.filter((j) => j.status !== 'cached').map((j) => [j.job, j.status])).toEqual([['map[b.txt]', 'run'], ['count', 'blocked']]);
    expect((await rig.shark(['run', 'p.md', ...args])).code).toBe(0);
    expect(rig.count()).toBe(4);
  });

  it('is forgotten when a result it stands on is replaced (--force), so the new outputs are seen', async () => {
    expect((await rig.shark(['run', 'p.md', ...args])).code).toBe(0);
    const old = await rig.plan('p.md', ...args);
    expect(memos()).toBe(1);
    expect((await rig.shark(['run', 'p.md', ...args, '--force', 'map'])).code).toBe(0);
    expect(memos()).toBe(0);
    const now = await rig.plan('p.md', ...args);
    const ids = (plan: typeof old): string[] => plan.jobs.filter((j) => j.step === 'map').map((j) => Object.values(j.outputs ?? {})[0]!);
    expect(ids(now)).not.toEqual(ids(old));
    expect(now.jobs.every((j) => j.status === 'cached')).toBe(true);
  });
});
