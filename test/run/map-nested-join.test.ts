import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { Rig, toRun } from '../support/rig.js';

const rm = (rig: Rig, rel: string): void => rmSync(rig.path(rel));

type Event = { type: string; job?: string; message?: string; where?: string };

function events(stdout: string): Event[] {
  return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
}

const done = (stdout: string): string[] => events(stdout).filter((e) => e.type === 'job-done').map((e) => e.job!).sort();

/** Species two levels down, per taxon; an AOH per species and scenario; a join of the two scenarios; a reduce. */
const LIFE = `---
inputs:
  species: /data/species/
---
# Life

## Area of habitat, current

\`\`\`shark-run
echo "current $(cat /data/species/*/*.geojson)" > /data/aohs/current/+.txt
\`\`\`

## Area of habitat, restore

\`\`\`shark-run
echo "restore $(cat /data/species/*/*.geojson)" > /data/aohs/restore/+.txt
\`\`\`

## Delta p

\`\`\`shark-run
paste -d ' ' /data/aohs/current/*/*.txt /data/aohs/restore/+ > /data/deltap/+
\`\`\`

## Sum

\`\`\`shark-run
find /data/deltap -type f | sort | while IFS= read -r f; do cat "$f"; done > /data/sum.txt
\`\`\`
`;

describe('nested maps, +.EXT and joins', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', LIFE);
    rig.write('species/AVES/robin.geojson', 'robin\n');
    rig.write('species/AVES/wren.geojson', 'wren\n');
    rig.write('species/AMPHIBIA/toad.geojson', 'toad\n');
    rig.write('species/README', 'not a species\n');
  });
  afterEach(() => rig.cleanup());

  it('runs one job per file two levels down, writes +.tif outputs, and joins the same item across directories', async () => {
    const ran = await rig.shark(['run', 'p.md', '-i', 'species=species', '--json']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(done(ran.stdout)).toEqual([
      'area-of-habitat-current[AMPHIBIA/toad.geojson]', 'area-of-habitat-current[AVES/robin.geojson]', 'area-of-habitat-current[AVES/wren.geojson]',
      'area-of-habitat-restore[AMPHIBIA/toad.geojson]', 'area-of-habitat-restore[AVES/robin.geojson]', 'area-of-habitat-restore[AVES/wren.geojson]',
      'delta-p[AMPHIBIA/toad.txt]', 'delta-p[AVES/robin.txt]', 'delta-p[AVES/wren.txt]',
      'sum',
    ]);
    const publish = await rig.shark(['lineage', 'p.md', '/data/deltap/AVES/robin.txt', '--json']);
    expect(publish.code, publish.stderr).toBe(0);
    rig.write('pub.md', `${LIFE}\n\`\`\`shark-publish:out\n/data/sum.txt\n/data/aohs/current/\n\`\`\`\n`);
    expect((await rig.shark(['run', 'pub.md', '-i', 'species=species'])).code).toBe(0);
    expect(rig.read('out/sum.txt')).toBe('current toad restore toad\ncurrent robin restore robin\ncurrent wren restore wren\n');
    expect(rig.exists('out/aohs/current/AVES/robin.txt')).toBe(true);
  });

  it('passes hostile names two levels down as one argument and never executes them', async () => {
    rig.write('species/$(touch pwned)/a b.geojson', 'x\n');
    rig.write("species/it's/`touch pwned2`.geojson", 'y\n');
    const ran = await rig.shark(['run', 'p.md', '-i', 'species=species', '--json']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.exists('pwned') || rig.exists('pwned2')).toBe(false);
    expect(done(ran.stdout)).toContain("delta-p[it's/`touch pwned2`.txt]");
    expect(done(ran.stdout)).toContain('delta-p[$(touch pwned)/a b.txt]');
  });

  it('re-runs exactly the jobs of the changed item and their dependants', async () => {
    expect((await rig.shark(['run', 'p.md', '-i', 'species=species'])).code).toBe(0);
    rig.write('species/AVES/wren.geojson', 'a changed wren\n');
    const plan = await rig.plan('p.md', '-i', 'species=species');
    // The join waits for its upstream jobs to run before its items are known.
    expect(toRun(plan)).toEqual(['area-of-habitat-current[AVES/wren.geojson]', 'area-of-habitat-restore[AVES/wren.geojson]', 'delta-p', 'sum']);
    const ran = await rig.shark(['run', 'p.md', '-i', 'species=species', '--json']);
    expect(done(ran.stdout)).toEqual(['area-of-habitat-current[AVES/wren.geojson]', 'area-of-habitat-restore[AVES/wren.geojson]', 'delta-p[AVES/wren.txt]', 'sum']);
  });

  const JOIN = `---
inputs:
  current: /data/aohs/current/
  restore: /data/aohs/restore/
---
# Join

\`\`\`shark-run {id=delta}
paste -d ' ' /data/aohs/current/*.txt /data/aohs/restore/+ > /data/deltap/+
\`\`\`

\`\`\`shark-run {id=sum}
find /data/deltap -type f | sort | while IFS= read -r f; do cat "$f"; done > /data/sum.txt
\`\`\`
`;
  const scenarios = (rig: Rig): void => {
    for (const s of ['robin', 'wren', 'toad']) {
      rig.write(`current/${s}.txt`, `${s} now\n`);
      rig.write(`restore/${s}.txt`, `${s} restored\n`);
    }
  };
  const args = ['-i', 'current=current', '-i', 'restore=restore'];

  it('re-runs one join job when one item of one joined directory changes', async () => {
    rig.write('j.md', JOIN);
    scenarios(rig);
    const first = await rig.shark(['run', 'j.md', ...args, '--json']);
    expect(first.code, first.stdout).toBe(0);
    expect(done(first.stdout)).toEqual(['delta[robin.txt]', 'delta[toad.txt]', 'delta[wren.txt]', 'sum']);
    rig.write('restore/wren.txt', 'wren restored twice\n');
    expect(toRun(await rig.plan('j.md', ...args))).toEqual(['delta[wren.txt]', 'sum']);
    const ran = await rig.shark(['run', 'j.md', ...args, '--json']);
    expect(done(ran.stdout)).toEqual(['delta[wren.txt]', 'sum']);
  });

  it('fails the job whose joined item does not exist, naming the item and the directory', async () => {
    rig.write('j.md', JOIN);
    scenarios(rig);
    rig.write('current/wren.txt', 'wren now\n');
    rm(rig, 'restore/wren.txt');
    const ran = await rig.shark(['run', 'j.md', ...args, '--keep-going', '--json']);
    expect(ran.code).toBe(1);
    const failed = events(ran.stdout).filter((e) => e.type === 'job-failed');
    expect(failed.map((e) => [e.job, e.message, e.where])).toEqual([
      ['delta[wren.txt]', 'the joined item wren.txt is not in /data/aohs/restore/ (for item wren.txt)', 'j.md:9:39'],
    ]);
    expect(done(ran.stdout)).toEqual(['delta[robin.txt]', 'delta[toad.txt]']);
    const plan = await rig.plan('j.md', ...args);
    expect(plan.jobs.find((j) => j.job === 'delta[wren.txt]')!.reasons).toEqual(['the joined item wren.txt is not in /data/aohs/restore/ (for item wren.txt)']);
  });
});

describe('several steps writing one directory', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('gives a reader the union of what each step wrote, and fails a name two steps write', async () => {
    rig.write('d.md', `# D

\`\`\`shark-run {id=download}
echo shapes > /data/tmf/ecoregions/ecoregions.geojson
\`\`\`

\`\`\`shark-run {id=rasters}
echo "counter" >> counter; mkdir -p /data/tmf/ecoregions && cat /data/tmf/ecoregions/ecoregions.geojson > /data/tmf/ecoregions/1.tif; cp /data/tmf/ecoregions/ecoregions.geojson /data/tmf/ecoregions/2.tif
\`\`\`

\`\`\`shark-run {id=list}
ls /data/tmf/ecoregions/ > /data/list.txt
\`\`\`

\`\`\`shark-publish
/data/list.txt
\`\`\`
`);
    const ran = await rig.shark(['run', 'd.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.read('_shark/list.txt')).toBe('1.tif\n2.tif\necoregions.geojson\n');
    const dag = await rig.shark(['dag', 'd.md', '--format', 'json']);
    const blocks = (JSON.parse(dag.stdout) as { blocks: { id: string; after: string[] }[] }).blocks;
    expect(blocks.find((b) => b.id === 'list')!.after.sort()).toEqual(['download', 'rasters']);

    // A name both provide is found once the directory holding it is made: the later writer fails, naming both.
    rig.write('c.md', '# C\n\n```shark-run {id=a}\nmkdir -p /data/t/ && echo a > /data/t/x\n```\n\n```shark-run {id=b}\necho b > /data/t/x\n```\n\n```shark-run {id=list}\nls /data/t/ > /data/list.txt\n```\n');
    const clash = await rig.shark(['run', 'c.md']);
    expect(clash.code).toBe(1);
    expect(clash.stdout + clash.stderr).toContain('`/data/t/x` is written by two steps: `a` (its directory /data/t/ holds it) and `b` (each path has one writer)');
    // Its reason is the conflict, not a missing input: a map's item and another step's file of the same name, alike.
    expect(clash.stdout).toMatch(/failed: b at c\.md:8:10 \(conflict\)/);
    rig.write('items/a.txt', 'a\n');
    rig.write('m.md', '---\ninputs:\n  in: /data/in/\n---\n# M\n\n```shark-run\ncat /data/in/*.txt > /data/out/+\n```\n\n```shark-run {id=extra}\necho extra > /data/out/a.txt\n```\n\n```shark-run {id=all}\ncd /data/out/ && cat * > /data/all.txt\n```\n');
    const item = await rig.shark(['run', 'm.md', '-i', 'in=items', '--json']);
    expect(item.code).toBe(1);
    // Known once the map's items are: the map fails before any of its jobs runs, at the other writer (item-writers.test.ts).
    expect(item.stdout).toContain('"step":"m","where":"m.md:12:14","message":"`/data/out/a.txt` is written by two steps: `m` (its item `a.txt`, as /data/out/+) and `extra` (each path has one writer)","reason":"conflict"');
  });

  it('reports a directory that is only listed and that nothing writes, located', async () => {
    rig.write('n.md', '# N\n\n```shark-run\nls /data/x/ > /data/list.txt\n```\n');
    const checked = await rig.shark(['check', 'n.md']);
    expect(checked.code).toBe(2);
    expect(checked.stderr + checked.stdout).toContain('n.md:4:4: error: nothing writes /data/x/: `ls` only reads it');
  });

  it('hints to add the trailing / to a map\'s output directory', async () => {
    rig.write('h.md', '---\ninputs:\n  s: /data/s/\n---\n\n```shark-run\naoh --species /data/s/* --output /data/aohs/current\n```\n');
    const checked = await rig.shark(['check', 'h.md']);
    expect(checked.code).toBe(2);
    expect(checked.stderr + checked.stdout).toContain('h.md:7:34: error: `/data/aohs/current` would be written by every job of this map over /data/s/*: if it is a directory the jobs write into, add the trailing `/` (/data/aohs/current/)');
  });
});
