import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { Rig } from '../support/rig.js';

const MAP = '# M\n\n```shark-import {id=m4}\nin /data/in/\n```\n\n```shark-run {id=aoh}\necho "doing $(ls /data/in)"; cat /data/in/* > /data/aoh/+\n```\n';

/** Run 1 maps every item; run 2 only `wren`, named as the target. */
describe('shark logs of an earlier run', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    for (const n of ['robin', 'wren', 'crow']) rig.write(`in/${n}.geojson`, `${n}\n`);
    rig.write('p.md', MAP);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', 'aoh[wren.geojson]', '--force', 'aoh[wren.geojson]'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('says an item the targets left out did not run, and which run has its last log', async () => {
    const left = await rig.shark(['logs', 'p.md', 'aoh[robin.geojson]']);
    expect(left.code).toBe(1);
    expect(left.stderr).toBe("shark: job `aoh[robin.geojson]` has no row in run 2: it did not run (left out by run 2's targets); its last log: run 1 (shark logs p.md 'aoh[robin.geojson]' --run 1)\n");
    // A name no run had still matches nothing.
    expect((await rig.shark(['logs', 'p.md', 'aoh[nope.geojson]'])).stderr).toContain('no job of run 2 matches `aoh[nope.geojson]`');
  });

  it('--run N shows that run\'s logs', async () => {
    const one = await rig.shark(['logs', 'p.md', 'aoh[robin.geojson]', '--run', '1']);
    expect([one.code, one.stderr]).toEqual([0, '']);
    expect(one.stdout).toMatch(/^==> aoh\[robin\.geojson\] \(ok, line 8\) \S+\/logs\/1\/\S+\n/);
    const all = await rig.shark(['logs', 'p.md', 'aoh', '--run', '1']);
    expect(all.stdout.match(/^==> /gm)).toHaveLength(3);
  });

  it('refuses a run that is none of the document\'s as lineage does (exit 2)', async () => {
    const none = await rig.shark(['logs', 'p.md', '--run', '7']);
    expect([none.code, none.stdout, none.stderr]).toEqual([2, '', 'shark: error: run 7 is not a run of this pipeline (its runs: 1, 2)\n']);
    const lineage = await rig.shark(['lineage', 'p.md', '/data/aoh', '--run', '7']);
    expect(lineage.stderr).toBe(none.stderr);
    const word = await rig.shark(['logs', 'p.md', '--run', 'x']);
    expect(word.code).toBe(2);
    expect(word.stderr).toContain('--run expects a whole number, not `x`');
  });
});

describe('shark logs of a sweep\'s map item the targets left out', () => {
  let rig: Rig;
  afterAll(() => rig.cleanup());

  it('says it did not run and which run has its last log, as of a map without axes (it matched nothing)', async () => {
    rig = new Rig();
    for (const [path, n] of [['A/x.txt', '1'], ['A/z.txt', '3'], ['B/y.txt', '2']]) rig.write(`in/${path}`, `${n}\n`);
    rig.write('p.md', "---\nT: [A, B]\n---\n\n## Get\n\n```shark-import\nfile:in/ /data/in/\n```\n\n## Double\n\n```shark-run\necho hello; awk '{print $1*2}' /data/in/%{T}/*.txt > /data/out/%{T}/+\n```\n");
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '/data/out/A/x.txt', '--force', 'double[T=A][x.txt]'])).code).toBe(0);
    const left = await rig.shark(['logs', 'p.md', 'double[T=A][z.txt]']);
    expect([left.code, left.stdout, left.stderr]).toEqual([1, '', "shark: job `double[T=A][z.txt]` has no row in run 2: it did not run (left out by run 2's targets); its last log: run 1 (shark logs p.md 'double[T=A][z.txt]' --run 1)\n"]);
    // Named without its instance: said as plan and run say it (it listed the blocks).
    const bare = await rig.shark(['logs', 'p.md', 'double[x.txt]']);
    expect([bare.code, bare.stdout, bare.stderr]).toEqual([1, '', 'shark: `double[x.txt]` names no instance of double, a sweep: a job of its map is named with its instance, as `double[T=A][x.txt]` (instances: double[T=A], double[T=B])\n']);
  });
});

describe('shark logs of a failure fixed since', () => {
  let rig: Rig;
  afterAll(() => rig.cleanup());

  it('shows the failed job of run N under the block as it is now, after its command was fixed and ran again', async () => {
    rig = new Rig();
    const doc = (pattern: string): string =>
      `# F\n\n## Make\n\n\`\`\`shark-run\necho hello > /data/a.txt\n\`\`\`\n\n## Check\n\n\`\`\`shark-run\necho checking; grep -q ${pattern} /data/a.txt && echo ok > /data/b.txt\n\`\`\`\n`;
    rig.write('f.md', doc('bye'));
    expect((await rig.shark(['run', 'f.md'])).code).toBe(1);
    expect((await rig.shark(['run', 'f.md'])).code).toBe(1);
    rig.write('f.md', doc('hello'));
    expect((await rig.shark(['run', 'f.md'])).code).toBe(0);
    for (const run of ['1', '2']) {
      const old = await rig.shark(['logs', 'f.md', 'check', '--run', run]);
      expect([old.code, old.stderr]).toEqual([0, '']);
      expect(old.stdout).toMatch(new RegExp(`^==> check \\(failed, line 12\\) \\S+/logs/${run}/\\S+\\nchecking\\n$`));
    }
  });
});

describe('shark logs of a failed job whose log file was removed', () => {
  let rig: Rig;
  afterAll(() => rig.cleanup());

  it('says the log is gone, not that the job printed nothing (a failed job always has its log file)', async () => {
    rig = new Rig();
    rig.write('f.md', '# F\n\n```shark-run\necho checking; exit 3; echo ok > /data/b.txt\n```\n');
    expect((await rig.shark(['run', 'f.md'])).code).toBe(1);
    const before = await rig.shark(['logs', 'f.md']);
    const log = /^==> f \(failed, line 4\) (\S+)\n/.exec(before.stdout)?.[1];
    expect(log).toBeDefined();
    rmSync(log!);
    const after = await rig.shark(['logs', 'f.md']);
    expect([after.code, after.stderr, after.stdout]).toEqual([0, '', `==> f (failed, line 4) ${log} (the log file is gone: it was removed since the run)\n`]);
  });

  it('of a run an older Shark recorded, which made no log for a failed job that printed nothing: does not say it was removed', async () => {
    rig?.cleanup();
    rig = new Rig();
    rig.write('f.md', '# F\n\n```shark-run\nexit 3; echo ok > /data/b.txt\n```\n');
    expect((await rig.shark(['run', 'f.md'])).code).toBe(1);
    const log = /^==> f \(failed, line 4\) (\S+)\n/.exec((await rig.shark(['logs', 'f.md'])).stdout)?.[1];
    rmSync(log!);
    // As such a Shark recorded the row: before run_jobs.identity (every failed row has it since), no file when the job printed nothing.
    const db = new Database(rig.path('.shark/shark.sqlite'));
    db.exec('UPDATE run_jobs SET identity = NULL');
    db.close();
    const after = await rig.shark(['logs', 'f.md']);
    expect([after.code, after.stderr, after.stdout]).toEqual([0, '', `==> f (failed, line 4) ${log} (no log file: the job printed nothing, or the log was removed since the run)\n`]);
  });

  it('of an ok job, when the logs of the store were removed (its run folder of logs gone): does not say it printed nothing', async () => {
    rig?.cleanup();
    rig = new Rig();
    rig.write('f.md', '# F\n\n```shark-run\necho hello; echo ok > /data/b.txt\n```\n');
    expect((await rig.shark(['run', 'f.md'])).code).toBe(0);
    const log = /^==> f \(ok, line 4\) (\S+)\n/.exec((await rig.shark(['logs', 'f.md'])).stdout)?.[1];
    expect(log).toBeDefined();
    rmSync(rig.path('.shark/logs'), { recursive: true });
    const after = await rig.shark(['logs', 'f.md']);
    expect([after.code, after.stderr, after.stdout]).toEqual([0, '', `==> f (ok, line 4) ${log} (no log file: the job printed nothing, or the log was removed since the run)\n`]);
  });
});

describe('shark logs of an item the map never had, in a run that failed', () => {
  let rig: Rig;
  afterAll(() => rig.cleanup());

  it('says nothing matches, not that the item was skipped after the failure (the run recorded every job of the map)', async () => {
    rig = new Rig();
    for (const n of ['1', '2', '3']) rig.write(`in/i${n}.txt`, `${n}\n`);
    rig.write('p.md', '# M\n\n```shark-import {id=get}\nin /data/in/\n```\n\n```shark-run {id=dbl}\nv=$(cat /data/in/*); [ "$v" != 3 ] || exit 3; echo $((v*2)) > /data/dbl/+\n```\n');
    expect((await rig.shark(['run', 'p.md', '-k'])).code).toBe(1);
    const none = await rig.shark(['logs', 'p.md', 'dbl[i9.txt]']);
    expect([none.code, none.stdout, none.stderr]).toEqual([1, '', 'shark: no job of run 1 matches `dbl[i9.txt]` (blocks: get, dbl)\n']);
    // An item the map had is still found, failed or not.
    expect((await rig.shark(['logs', 'p.md', 'dbl[i3.txt]'])).stdout).toMatch(/^==> dbl\[i3\.txt\] \(failed, line 8\) /);
    // One an earlier run had: that run's log is named.
    rmSync(rig.path('in/i1.txt'));
    expect((await rig.shark(['run', 'p.md', '-k'])).code).toBe(1);
    const gone = await rig.shark(['logs', 'p.md', 'dbl[i1.txt]']);
    expect([gone.code, gone.stdout, gone.stderr]).toEqual([1, '', "shark: job `dbl[i1.txt]` has no row in run 2: it did not run (dbl had no such item in run 2); its last log: run 1 (shark logs p.md 'dbl[i1.txt]' --run 1)\n"]);
  });
});

describe('shark logs of a name no job of a sweep has', () => {
  it('lists the blocks in the document\'s order, a block\'s instances by their values as numbers', async () => {
    const rig = new Rig();
    try {
      rig.write('p.md', '---\nN: [10, 2]\n---\n# Z\n\n```shark-run {id=zeta}\necho %{N} > /data/z/%{N}.txt\n```\n\n# A\n\n```shark-run {id=alpha}\ncat /data/z/10.txt /data/z/2.txt > /data/a.txt\n```\n');
      expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
      const none = await rig.shark(['logs', 'p.md', 'nosuch']);
      expect(none.stderr).toBe('shark: no job of run 1 matches `nosuch` (blocks: zeta[N=2], zeta[N=10], alpha)\n');
    } finally {
      rig.cleanup();
    }
  });
});
