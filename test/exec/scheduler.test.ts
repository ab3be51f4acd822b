import { describe, expect, it } from 'vitest';
import { Scheduler, type Demand, type Turn } from '../../src/exec/scheduler.js';

const CANCELLED = Symbol('cancelled');

/** A job the test starts and ends by hand: it records when it was admitted. `clock`: the scheduler's, which `end` moves on by `ms`. */
function harness(capacity: ConstructorParameters<typeof Scheduler>[0], signal?: AbortSignal, clock?: { t: number; ms: number; deepest: number[] }) {
  const s = clock === undefined ? new Scheduler(capacity, signal) : new Scheduler(capacity, signal, (d) => clock.deepest.push(d), () => clock.t);
  const started: string[] = [];
  const turns = new Map<string, Turn>();
  const ends = new Map<string, () => void>();
  const results = new Map<string, Promise<unknown>>();
  const submit = (name: string, demand: Partial<Demand> = {}, lane?: string): void => {
    results.set(name, s.run({ slots: 1, memory: 0, pool: undefined, ...demand }, (turn) => new Promise<string>((done) => {
      started.push(name);
      turns.set(name, turn);
      ends.set(name, () => done(name));
    }), CANCELLED, lane));
  };
  /** The job `name` was queued behind, if any. */
  const behind = (name: string): string | undefined => [...turns].find(([, t]) => t === turns.get(name)?.after)?.[0];
  const end = async (name: string): Promise<void> => {
    const f = ends.get(name);
    if (f === undefined) throw new Error(`${name} has not started`);
    if (clock !== undefined) clock.t += clock.ms;
    f();
    await results.get(name);
    await tick();
  };
  /** The jobs waiting behind `name`, each behind the one before it. */
  const queue = (name: string): string[] => {
    const chain: string[] = [];
    for (let t = turns.get(name)?.follower; t !== undefined; t = t.follower) chain.push([...turns].find(([, u]) => u === t)![0]);
    return chain;
  };
  return { s, started, submit, end, results, behind, queue, turns };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Scheduler', () => {
  it('runs up to its slots at once, one slot per job by default', async () => {
    const h = harness({ slots: 2, memory: Infinity, pools: new Map() });
    for (const n of ['a', 'b', 'c', 'd']) h.submit(n);
    await tick();
    expect(h.started).toEqual(['a', 'b']);
    await h.end('a');
    expect(h.started).toEqual(['a', 'b', 'c']);
    await h.end('b');
    await h.end('c');
    expect(h.started).toEqual(['a', 'b', 'c', 'd']);
    await h.end('d');
    expect(await h.results.get('d')).toBe('d');
  });

  it('counts a job\'s threads against the slots', async () => {
    const h = harness({ slots: 4, memory: Infinity, pools: new Map() });
    h.submit('big', { slots: 3 });
    h.submit('two', { slots: 2 });
    h.submit('one', { slots: 1 });
    await tick();
    // `two` does not fit beside `big`; `one` behind it would take the slot `two` waits for, so it waits too.
    expect(h.started).toEqual(['big']);
    await h.end('big');
    expect(h.started).toEqual(['big', 'two', 'one']);
  });

  it('clamps a job asking for more slots than there are to all of them', async () => {
    const h = harness({ slots: 2, memory: Infinity, pools: new Map() });
    h.submit('huge', { slots: 64 });
    h.submit('after');
    await tick();
    expect(h.started).toEqual(['huge']);
    await h.end('huge');
    expect(h.started).toEqual(['huge', 'after']);
  });

  it('never starts jobs whose memory adds up to more than the limit', async () => {
    const h = harness({ slots: 8, memory: 10, pools: new Map() });
    h.submit('m6', { memory: 6 });
    h.submit('m5', { memory: 5 });
    h.submit('m4', { memory: 4 });
    await tick();
    expect(h.started).toEqual(['m6']);
    await h.end('m6');
    expect(h.started).toEqual(['m6', 'm5', 'm4']);
  });

  it('lets jobs that need no memory pass one waiting for memory, without taking the slots it needs', async () => {
    const h = harness({ slots: 4, memory: 10, pools: new Map() });
    h.submit('hog', { memory: 8 });
    h.submit('waits', { memory: 8, slots: 2 });
    h.submit('small1');
    h.submit('small2');
    h.submit('small3');
    await tick();
    // hog holds 1 slot; `waits` keeps 2 of the 3 free ones; one is left for the small jobs.
    expect(h.started).toEqual(['hog', 'small1']);
    await h.end('small1');
    expect(h.started).toEqual(['hog', 'small1', 'small2']);
    await h.end('hog');
    expect(h.started).toEqual(['hog', 'small1', 'small2', 'waits', 'small3']);
  });

  it('runs at most a pool\'s size of its jobs at once, and others pass them', async () => {
    const h = harness({ slots: 8, memory: Infinity, pools: new Map([['db', 1]]) });
    h.submit('db1', { pool: 'db' });
    h.submit('db2', { pool: 'db' });
    h.submit('free');
    h.submit('db3', { pool: 'db' });
    await tick();
    expect(h.started).toEqual(['db1', 'free']);
    await h.end('db1');
    expect(h.started).toEqual(['db1', 'free', 'db2']);
    await h.end('free');
    expect(h.started).toEqual(['db1', 'free', 'db2']);
    await h.end('db2');
    expect(h.started).toEqual(['db1', 'free', 'db2', 'db3']);
  });

  it('never starves a job that needs every slot: jobs behind it wait', async () => {
    const h = harness({ slots: 4, memory: Infinity, pools: new Map() });
    for (const n of ['a', 'b', 'c']) h.submit(n);
    h.submit('all', { slots: 4 });
    for (let i = 0; i < 20; i++) h.submit(`later${i}`);
    await tick();
    expect(h.started).toEqual(['a', 'b', 'c']);
    await h.end('a');
    await h.end('b');
    // Two slots free, yet nothing behind `all` starts.
    expect(h.started).toEqual(['a', 'b', 'c']);
    await h.end('c');
    expect(h.started).toEqual(['a', 'b', 'c', 'all']);
    await h.end('all');
    expect(h.started).toEqual(['a', 'b', 'c', 'all', 'later0', 'later1', 'later2', 'later3']);
  });

  it('starts waiting jobs in the order they came', async () => {
    const h = harness({ slots: 1, memory: Infinity, pools: new Map() });
    for (let i = 0; i < 5; i++) h.submit(`j${i}`);
    for (let i = 0; i < 5; i++) {
      await tick();
      expect(h.started.at(-1)).toBe(`j${i}`);
      await h.end(`j${i}`);
    }
  });

  it('on abort, gives every waiting job its cancelled value, and starts nothing more', async () => {
    const controller = new AbortController();
    const h = harness({ slots: 1, memory: Infinity, pools: new Map() }, controller.signal);
    h.submit('running');
    h.submit('waiting');
    await tick();
    controller.abort();
    expect(await h.results.get('waiting')).toBe(CANCELLED);
    h.submit('late');
    expect(await h.results.get('late')).toBe(CANCELLED);
    await h.end('running');
    expect(h.started).toEqual(['running']);
  });

  it('frees a job\'s share when it throws', async () => {
    const s = new Scheduler({ slots: 1, memory: Infinity, pools: new Map([['p', 1]]) });
    const failing = s.run({ slots: 1, memory: 0, pool: 'p' }, () => {
      throw new Error('boom');
    }, CANCELLED);
    await expect(failing).rejects.toThrow('boom');
    expect(await s.run({ slots: 1, memory: 0, pool: 'p' }, () => 'next', CANCELLED)).toBe('next');
  });

  it('handles many jobs in one queue', async () => {
    const s = new Scheduler({ slots: 3, memory: Infinity, pools: new Map() });
    let running = 0;
    let most = 0;
    const all = Array.from({ length: 2000 }, (_, i) => s.run({ slots: 1, memory: 0, pool: undefined }, async () => {
      running++;
      most = Math.max(most, running);
      await Promise.resolve();
      running--;
      return i;
    }, CANCELLED));
    expect((await Promise.all(all)).length).toBe(2000);
    expect(most).toBe(3);
  });

  describe('lanes', () => {
    it('queues the head behind a running job of its lane, and passes that job\'s share to it', async () => {
      const h = harness({ slots: 1, memory: Infinity, pools: new Map() });
      h.submit('a', {}, 'L');
      h.submit('b', {}, 'L');
      h.submit('other');
      await tick();
      expect(h.started).toEqual(['a', 'b']);
      expect(h.behind('b')).toBe('a');
      // The share went from a to b: the job of no lane still waits for it.
      await h.end('a');
      expect(h.started).toEqual(['a', 'b']);
      await h.end('b');
      expect(h.started).toEqual(['a', 'b', 'other']);
      expect(h.behind('other')).toBeUndefined();
    });

    it('queues one job behind each running job, and the next behind a queued job once it holds the share', async () => {
      const h = harness({ slots: 2, memory: Infinity, pools: new Map() });
      for (const n of ['a', 'b', 'c', 'd', 'e']) h.submit(n, {}, 'L');
      await tick();
      expect(h.started).toEqual(['a', 'b', 'c', 'd']);
      expect([h.behind('c'), h.behind('d')]).toEqual(['a', 'b']);
      await h.end('b');
      expect(h.started.at(-1)).toBe('e');
      expect(h.behind('e')).toBe('d');
    });

    it('never passes the head, and never queues a job behind one of another demand or lane', async () => {
      const h = harness({ slots: 1, memory: Infinity, pools: new Map() });
      h.submit('a', {}, 'L');
      h.submit('first');
      h.submit('b', {}, 'L');
      h.submit('c', { memory: 5 }, 'L');
      h.submit('d', {}, 'M');
      await tick();
      expect(h.started).toEqual(['a']);
      await h.end('a');
      expect(h.started).toEqual(['a', 'first']);
      await h.end('first');
      // b starts in its own right; c (another demand) and d (another lane) are not queued behind it.
      expect(h.started).toEqual(['a', 'first', 'b']);
      await h.end('b');
      expect(h.started).toEqual(['a', 'first', 'b', 'c']);
    });

    it('a queued job that ends before the one ahead of it (it never ran) leaves the share to that one', async () => {
      const h = harness({ slots: 1, memory: Infinity, pools: new Map() });
      h.submit('a', {}, 'L');
      h.submit('b', {}, 'L');
      await tick();
      await h.end('b');
      h.submit('c', {}, 'L');
      h.submit('other');
      await tick();
      expect(h.started).toEqual(['a', 'b']);
      await h.end('a');
      expect(h.started).toEqual(['a', 'b', 'c']);
      expect(h.behind('c')).toBeUndefined();
    });

    it('queues up to eight of a lane of short jobs behind its running job, each behind the one before', async () => {
      const clock = { t: 1000, ms: 1, deepest: [] as number[] };
      const h = harness({ slots: 1, memory: Infinity, pools: new Map() }, undefined, clock);
      h.submit('a', {}, 'L');
      h.submit('b', {}, 'L');
      for (let i = 0; i < 12; i++) h.submit(`j${i}`, {}, 'L');
      h.submit('other');
      await tick();
      // Nothing is known of the lane's pace yet: one job waits.
      expect(h.started).toEqual(['a', 'b']);
      await h.end('a');
      // a held its share for 1 ms: the lane's queue may hold 20 ms of its jobs, eight at most.
      expect(clock.deepest).toEqual([8]);
      expect(h.started).toEqual(['a', 'b', ...Array.from({ length: 8 }, (_, i) => `j${i}`)]);
      expect(h.queue('b')).toEqual(Array.from({ length: 8 }, (_, i) => `j${i}`));
      // One job runs at a time: the share passes down the chain, and the job of no lane still waits for it.
      await h.end('b');
      expect(h.queue('j0')).toEqual(['j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'j7', 'j8']);
      expect(h.started.at(-1)).toBe('j8');
      expect(h.started).not.toContain('other');
    });

    it('never queues two jobs behind one: a job that holds the share with a queue behind it takes no other', async () => {
      const clock = { t: 1000, ms: 1, deepest: [] as number[] };
      const h = harness({ slots: 2, memory: Infinity, pools: new Map() }, undefined, clock);
      for (let i = 0; i < 60; i++) h.submit(`j${i}`, {}, 'L');
      await tick();
      for (let i = 0; i < 40; i++) {
        await h.end(`j${i}`);
        const ahead = h.started.map((n) => h.behind(n)).filter((b) => b !== undefined);
        expect(new Set(ahead).size, `after j${i}`).toBe(ahead.length);
      }
      // Two chains, one per slot, never longer than one running job and eight behind it.
      const running = h.started.filter((n) => h.turns.get(n)!.after === undefined && !h.turns.get(n)!.settled);
      expect(running.length).toBe(2);
      for (const n of running) expect(h.queue(n).length).toBeLessThanOrEqual(8);
    });

    it('keeps the share with the running job when jobs queued behind it end first, in any order (they never ran)', async () => {
      const clock = { t: 1000, ms: 1, deepest: [] as number[] };
      const h = harness({ slots: 1, memory: Infinity, pools: new Map() }, undefined, clock);
      h.submit('a', {}, 'L');
      h.submit('b', {}, 'L');
      await tick();
      await h.end('a');
      for (const n of ['c', 'd', 'e']) h.submit(n, {}, 'L');
      h.submit('other');
      await tick();
      expect(h.queue('b')).toEqual(['c', 'd', 'e']);
      // The launcher died under b: those queued behind it end before it, the last first.
      await h.end('e');
      await h.end('c');
      await h.end('d');
      expect(h.started).not.toContain('other');
      await h.end('b');
      expect(h.started.at(-1)).toBe('other');
      // One share, given back once: a second job of no lane still waits for it.
      h.submit('another');
      await tick();
      expect(h.started).not.toContain('another');
      await h.end('other');
      expect(h.started.at(-1)).toBe('another');
    });

    it('keeps one job waiting per running job in a lane of long jobs, and a deep queue no longer once they are long', async () => {
      const clock = { t: 1000, ms: 100, deepest: [] as number[] };
      const h = harness({ slots: 1, memory: Infinity, pools: new Map() }, undefined, clock);
      for (const n of ['a', 'b', 'c', 'd', 'e']) h.submit(n, {}, 'L');
      await tick();
      await h.end('a');
      expect(h.queue('b')).toEqual(['c']);
      await h.end('b');
      expect(h.queue('c')).toEqual(['d']);
      expect(clock.deepest).toEqual([]);
      // Short jobs deepen it; long ones again make it one (a moving average: a few of them).
      clock.ms = 1;
      for (let i = 0; i < 30; i++) h.submit(`s${i}`, {}, 'L');
      for (const n of ['c', 'd', 'e', ...Array.from({ length: 12 }, (_, i) => `s${i}`)]) await h.end(n);
      expect(clock.deepest.at(-1)).toBeGreaterThan(1);
      clock.ms = 200;
      await h.end('s12');
      expect(clock.deepest.at(-1)).toBe(1);
    });

    it('asks for no more staging once a lane\'s jobs are all over, or have stopped ending for a second', async () => {
      const clock = { t: 1000, ms: 1, deepest: [] as number[] };
      const h = harness({ slots: 2, memory: Infinity, pools: new Map() }, undefined, clock);
      h.submit('f1', {}, 'F');
      h.submit('f2', {}, 'F');
      await tick();
      await h.end('f1');
      expect(clock.deepest).toEqual([8]);
      // The step's last job ends: nothing of the lane is left to stage for.
      await h.end('f2');
      expect(clock.deepest).toEqual([8, 1]);
      // Another lane deepens, and its running job then takes two seconds: when a job of a third lane ends, it is forgotten.
      h.submit('s1', {}, 'S');
      for (const n of ['g1', 'g2', 'g3']) h.submit(n, {}, 'G');
      await tick();
      await h.end('g1');
      expect(clock.deepest).toEqual([8, 1, 8]);
      clock.ms = 2000;
      await h.end('s1');
      expect(clock.deepest).toEqual([8, 1, 8, 1]);
    });

    it('never runs more than the budget at once, whatever order jobs end in', async () => {
      const s = new Scheduler({ slots: 3, memory: 10, pools: new Map([['p', 2]]) });
      const ended = new Map<Turn, Promise<void>>();
      let running = 0;
      let most = 0;
      let memory = 0;
      let inPool = 0;
      let queued = 0;
      let seed = 7;
      const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
      const all = Array.from({ length: 600 }, (_, i) => {
        const demand: Demand = { slots: 1 + (i % 7 === 0 ? 1 : 0), memory: i % 5 === 0 ? 4 : 0, pool: i % 3 === 0 ? 'p' : undefined };
        return s.run(demand, (turn) => {
          const done = (async () => {
            // Like the host executor: a queued job starts when the job ahead of it has ended.
            if (turn.after !== undefined) {
              queued++;
              await ended.get(turn.after);
            }
            running += demand.slots;
            memory += demand.memory;
            inPool += demand.pool === undefined ? 0 : 1;
            most = Math.max(most, running);
            expect(memory).toBeLessThanOrEqual(10);
            expect(inPool).toBeLessThanOrEqual(2);
            for (let n = random(4); n > 0; n--) await new Promise((r) => setImmediate(r));
            running -= demand.slots;
            memory -= demand.memory;
            inPool -= demand.pool === undefined ? 0 : 1;
          })();
          ended.set(turn, done);
          return done.then(() => i);
        }, CANCELLED, i % 2 === 0 ? 'even' : 'odd');
      });
      expect((await Promise.all(all)).length).toBe(600);
      expect(most).toBeLessThanOrEqual(3);
      expect(queued).toBeGreaterThan(50);
      // Ended jobs hold no link to one another: a lane of a million would keep every one alive.
      expect([...ended.keys()].filter((t) => t.after !== undefined || t.follower !== undefined)).toEqual([]);
    });
  });
});
