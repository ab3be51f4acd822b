import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { pageState, serve, type Served } from './serve-rig.js';
import type { PageState } from '../../src/serve/views.js';

// Two blocks in sequence, each slow enough to be seen between the server's polls.
const DOC = '# Two steps\n\n```shark-run {id=a}\nsleep 3; echo a > /data/a.txt\n```\n\n```shark-run {id=b}\nsleep 3; cat /data/a.txt > /data/b.txt\n```\n';

/** The state `/events` sends first: what the page shows now. */
const state = pageState;

/** Each block's status and label, as `id=status (label)`. */
const statuses = (s: PageState): string[] => s.blocks.map((b) => `${b.id}=${b.status} (${b.label})`);

describe('shark serve while a run is in progress', () => {
  const rig = new Rig('shark-serve-live-');
  let served: Served | undefined;

  beforeAll(async () => {
    rig.write('p.md', DOC);
    served = await serve(rig, 'p.md');
  });

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('shows a block waiting for its inputs as waiting, not running', async () => {
    const run = rig.shark(['run', 'p.md']);
    await expect.poll(async () => statuses(await state(served!.url))[0], { timeout: 20_000, interval: 200 }).toMatch(/^a=running/);
    expect(statuses(await state(served!.url))).toEqual(['a=running (running in run 1)', 'b=waiting (waiting in run 1)']);
    await expect.poll(async () => statuses(await state(served!.url))[1], { timeout: 20_000, interval: 200 }).toMatch(/^b=running/);
    expect(statuses(await state(served!.url))[0]).toBe('a=ran (ran in run 1)');
    expect((await run).code).toBe(0);
  }, 40_000);

  it('shows a forced block as running while it runs, and what reads it as the plan before the run had it', async () => {
    // The plan the page starts from is the one made after run 1: both cached, as run 1 made them.
    await expect.poll(async () => statuses(await state(served!.url)), { timeout: 20_000, interval: 200 }).toEqual(['a=ran (ran in run 1)', 'b=ran (ran in run 1)']);
    const run = rig.shark(['run', 'p.md', '--force', 'a']);
    await expect.poll(async () => (await state(served!.url)).run?.id, { timeout: 20_000, interval: 200 }).toBe(2);
    await expect.poll(async () => statuses(await state(served!.url))[0], { timeout: 20_000, interval: 200 }).toMatch(/^a=running/);
    expect(statuses(await state(served!.url))).toEqual(['a=running (running in run 2)', 'b=cached (cached)']);
    expect((await run).code).toBe(0);
  }, 40_000);
});

describe('shark serve while a map runs one job at a time', () => {
  const rig = new Rig('shark-serve-slots-');
  let served: Served | undefined;

  beforeAll(async () => {
    for (let i = 1; i <= 6; i++) rig.write(`in/f${i}.txt`, `${i}\n`);
    rig.write('map.md', '---\ninputs:\n  in: /data/in/\n---\n# Slow map\n\n```shark-run {id=slow}\nsleep 2; cat /data/in/* > /data/out/+\n```\n');
    served = await serve(rig, 'map.md', '-i', 'in=in');
  });

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('shows as running only the job whose command runs (-j 1), the others as waiting for a slot', async () => {
    const run = rig.shark(['run', 'map.md', '-i', 'in=in', '-j', '1']);
    let ended = false;
    void run.then(() => (ended = true));
    const seen: string[][] = [];
    while (!ended) {
      const s = await state(served!.url);
      if (s.run?.status === 'running') seen.push(s.blocks[0]!.jobs.map((j) => `${j.item}=${j.status}`));
      await new Promise((r) => setTimeout(r, 150));
    }
    expect((await run).code).toBe(0);
    const running = seen.map((jobs) => jobs.filter((j) => j.endsWith('=running')));
    const samples = JSON.stringify(seen);
    // Sampled while the run was in progress: one at a time, but for the moment one that ended stores its outputs as the next starts.
    expect(running.filter((r) => r.length > 2), samples).toEqual([]);
    expect(running.filter((r) => r.length === 1).length, samples).toBeGreaterThan(seen.length / 2);
    expect(seen.some((jobs) => jobs.filter((j) => j.endsWith('=waiting')).length >= 4), samples).toBe(true);
  }, 60_000);
});

describe('shark serve while a map runs over what an earlier map of the run writes', () => {
  const rig = new Rig('shark-serve-later-map-');
  let served: Served | undefined;

  beforeAll(async () => {
    for (let i = 1; i <= 6; i++) rig.write(`in/i${i}`, `${i}\n`);
    // B's items are A's outputs: the plan made before the run cannot name them; the run knows them once A is done.
    rig.write('p.md', '# Live\n\n```shark-import\nin /data/in/\n```\n\n## A\n\n```shark-run {id=a}\ncat /data/in/* > /data/a/+\n```\n\n## B\n\n```shark-run {id=b}\nsleep 0.7; cat /data/a/* > /data/b/+\n```\n');
    served = await serve(rig, 'p.md');
  });

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('counts all of the map\'s jobs once the run knows them, and never shows it or the run done before they are', async () => {
    const run = rig.shark(['run', 'p.md', '-j', '1']);
    let ended = false;
    void run.then(() => (ended = true));
    const seen: { banner: string; total: number; done: number; b: string; bStatus: string; bDone: number }[] = [];
    while (!ended) {
      const s = await state(served!.url);
      const b = s.blocks.find((v) => v.id === 'b')!;
      if (s.run?.status === 'running') seen.push({ banner: s.run.label, total: s.run.total, done: s.run.done, b: b.label, bStatus: b.status, bDone: b.done });
      await new Promise((r) => setTimeout(r, 150));
    }
    expect((await run).code).toBe(0);
    const samples = JSON.stringify(seen, null, 1);
    // Between its jobs, with some still to run, B is waiting or running: never ran.
    const midB = seen.filter((s) => s.bDone < 6);
    expect(midB.filter((s) => s.bStatus === 'ran'), samples).toEqual([]);
    // Once B began, its count and the run's are all of their jobs: 6 and 13 (the import, A's 6, B's 6).
    const begun = seen.filter((s) => s.bDone > 0);
    expect(begun.length, samples).toBeGreaterThan(2);
    for (const s of begun) expect(s.b, samples).toMatch(/\/6 jobs/);
    for (const s of begun.filter((x) => x.bDone < 6)) {
      expect(s.total, samples).toBe(13);
      expect(s.banner, samples).toMatch(new RegExp(`^run 1 in progress: ${s.done}/13 jobs done$`));
    }
    // Before, the run does not know how many B has: the banner says its count is of the jobs known so far.
    for (const s of seen.filter((x) => x.bStatus === 'waiting' && x.bDone === 0 && x.total < 13)) {
      expect(s.banner, samples).toMatch(/known so far/);
      expect(s.b, samples).toMatch(/known once its inputs are made/);
    }
  }, 60_000);
});

describe('shark serve while a run of other -e values is in progress', () => {
  const rig = new Rig('shark-serve-other-options-');
  let one: Served | undefined;
  let three: Served | undefined;

  beforeAll(async () => {
    // v depends on V; w reads what v wrote.
    rig.write('p.md', '---\nV: one\n---\n# Variants\n\n```shark-run {id=v}\nsleep 3; echo $V > /data/v.txt\n```\n\n```shark-run {id=w}\ncat /data/v.txt > /data/w.txt\n```\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stderr).toBe(0);
    one = await serve(rig, 'p.md');
    three = await serve(rig, 'p.md', '-e', 'V=three');
  }, 30_000);

  afterAll(async () => {
    await one?.stop();
    await three?.stop();
    rig.cleanup();
  });

  it('shows its own options\' status, not the other run\'s progress, and says that run is of other options', async () => {
    const run = rig.shark(['run', 'p.md', '-e', 'V=two']);
    await expect.poll(async () => (await state(one!.url)).run?.status, { timeout: 20_000, interval: 200 }).toBe('running');
    let ended = false;
    void run.then(() => (ended = true));
    const seen: { one: string[]; three: string[]; banners: string[] }[] = [];
    while (!ended) {
      const [a, b] = [await state(one!.url), await state(three!.url)];
      if (a.run?.status === 'running' && b.run?.status === 'running') seen.push({ one: statuses(a), three: b.blocks.map((v) => v.status), banners: [a.run.label, b.run.label] });
      await new Promise((r) => setTimeout(r, 150));
    }
    expect((await run).code).toBe(0);
    const samples = JSON.stringify(seen, null, 1);
    expect(seen.length, samples).toBeGreaterThan(5);
    for (const s of seen) {
      // Run 1 made them with V=one: run 2, with V=two, is nothing of theirs.
      for (const block of s.one) expect(block, samples).toMatch(/^[vw]=cached \(cached( \(made in run 1\))?\)$/);
      // Never run with V=three: they would run, and run 2 runs none of them.
      expect(s.three, samples).toEqual(['would-run', 'would-run']);
      // Until it starts or records a job, nothing says which options it has.
      for (const banner of s.banners) expect(banner, samples).toMatch(/^run 2 in progress(, with other options or another text of the document than this page's \(-e, -i, an edit\)|: 0\/2 jobs done)$/);
    }
    expect(seen.at(-1)!.banners, samples).toEqual(['run 2 in progress, with other options or another text of the document than this page\'s (-e, -i, an edit)', 'run 2 in progress, with other options or another text of the document than this page\'s (-e, -i, an edit)']);
  }, 60_000);
});

describe('shark serve while a run of an input edited since the page was made is in progress', () => {
  const rig = new Rig('shark-serve-edited-input-');
  let served: Served | undefined;

  beforeAll(async () => {
    rig.write('src.txt', 'one\n');
    rig.write('p.md', '---\ninputs:\n  src: /data/src.txt\n---\n# Edited\n\n```shark-run {id=copy}\nsleep 3; cat /data/src.txt > /data/copy.txt\n```\n');
    served = await serve(rig, 'p.md', '-i', 'src=src.txt');
  });

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('shows the run as this page\'s: the plan is made again as it starts, with the input as the run read it', async () => {
    expect(statuses(await state(served!.url))).toEqual(['copy=would-run (never run — would run now: no previous result)']);
    rig.write('src.txt', 'two\n');
    const run = rig.shark(['run', 'p.md', '-i', 'src=src.txt']);
    await expect.poll(async () => statuses(await state(served!.url)), { timeout: 20_000, interval: 200 }).toEqual(['copy=running (running in run 1)']);
    expect((await state(served!.url)).run?.label).toBe('run 1 in progress: 0/1 jobs done');
    expect((await run).code).toBe(0);
  }, 40_000);
});

describe('shark serve while a map is forced', () => {
  const rig = new Rig('shark-serve-forced-map-');
  let served: Served | undefined;

  beforeAll(async () => {
    for (let i = 1; i <= 4; i++) rig.write(`in/f${i}.txt`, `${i}\n`);
    rig.write('map.md', '---\ninputs:\n  in: /data/in/\n---\n# Forced map\n\n```shark-run {id=slow}\nsleep 1; cat /data/in/* > /data/out/+\n```\n');
    expect((await rig.shark(['run', 'map.md', '-i', 'in=in', '-j', '2'])).code).toBe(0);
    served = await serve(rig, 'map.md', '-i', 'in=in');
  });

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('counts as done only the jobs the forced run finished, the others waiting, not cached as the plan had them', async () => {
    await expect.poll(async () => (await state(served!.url)).blocks[0]!.status, { timeout: 20_000, interval: 200 }).toBe('ran');
    const run = rig.shark(['run', 'map.md', '-i', 'in=in', '-j', '1', '--force', 'slow']);
    let ended = false;
    void run.then(() => (ended = true));
    const seen: { done: number; banner: number; statuses: string }[] = [];
    while (!ended) {
      const s = await state(served!.url);
      if (s.run?.status === 'running' && s.run.id === 2) seen.push({ done: s.blocks[0]!.done, banner: s.run.done, statuses: s.blocks[0]!.jobs.map((j) => j.status).join(',') });
      await new Promise((r) => setTimeout(r, 150));
    }
    expect((await run).code).toBe(0);
    const samples = JSON.stringify(seen, null, 1);
    // Before the run begins the step, its jobs are as the page's plan had them (cached, as documented); from then on:
    const begun = seen.slice(seen.findIndex((s) => !s.statuses.includes('cached')));
    expect(begun.length, samples).toBeGreaterThan(3);
    // the block counts what the banner counts: a forced job not yet run is not done.
    expect(begun.filter((s) => s.done > s.banner), samples).toEqual([]);
    expect(begun.filter((s) => s.statuses.includes('cached')), samples).toEqual([]);
  }, 60_000);
});
