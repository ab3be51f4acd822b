import { chmodSync, readdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';
import { until } from '../slurm/run-rig.js';

/**
 * A colleague's store, which this user may read but not write: the commands
 * that only read answer from it, those that write say so in one line.
 */
const PIPELINE = '# Shared\n\n```shark-import\nin/ /data/in/\n```\n\n## Map\n\n```shark-run\ncp /data/in/*.txt /data/out/+\n```\n';

describe('a store read-only to the user', () => {
  const rig = new Rig('shark-read-only-store-');
  const { skip, shark } = unprivileged(rig);
  beforeAll(async () => {
    rig.write('p.md', PIPELINE);
    rig.write('in/a.txt', 'a\n');
    rig.write('in/b.txt', 'b\n');
    // Run by its owner (the tests' user): `.shark/` and its database are not writable by `nobody`.
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it.skipIf(skip !== undefined)('is read by runs, plan, lineage, logs, fsck and a gc dry run', async () => {
    const before = readdirSync(rig.path('.shark')).sort();
    const runs = await shark('runs', 'p.md');
    noCrash(runs.stderr);
    expect(runs.stdout).toMatch(/^1 +ok /m);
    const plan = await shark('plan', 'p.md');
    noCrash(plan.stderr);
    expect(plan.stdout).toContain('3 jobs: 3 cached, 0 to run');
    const lineage = await shark('lineage', 'p.md', '/data/out/a.txt');
    expect(lineage.stdout).toMatch(/^map\[a\.txt\]/);
    expect((await shark('logs', 'p.md', 'map')).code).toBe(0);
    const fsck = await shark('fsck');
    noCrash(fsck.stderr);
    expect(fsck.code).toBe(0);
    expect((await shark('gc', 'p.md')).stdout).toContain('would free 0 objects');
    expect(readdirSync(rig.path('.shark')).sort()).toEqual(before);
  });

  it.skipIf(skip !== undefined)('answers attest for runs never signed, which made no table of envelopes (no envelope, no crash)', async () => {
    const attest = await shark('attest', 'p.md', '/data/out/a.txt');
    noCrash(attest.stderr);
    expect(attest.stderr).toContain('no envelope for map[a.txt]');
    expect(attest.code).toBe(1);
  });

  it.skipIf(skip !== undefined)('refuses run, gc --delete and fsck --repair in one line, exit 2', async () => {
    rig.write('in/c.txt', 'c\n');
    for (const args of [['run', 'p.md'], ['gc', 'p.md', '--delete'], ['fsck', '--repair']]) {
      const ran = await shark(...args);
      noCrash(ran.stderr);
      expect(ran.stderr).toMatch(/^shark: error: the store at \S*\.shark is read-only to you: `shark \w+[^`]*` writes to it \(run it as the store's owner, or give it a store of its own: --store DIR\)\n$/);
      expect(ran.code).toBe(2);
    }
    expect((await rig.shark(['plan', 'p.md'])).stdout).toContain('1 to run');
  });
});

/** Two signed runs published and a third killed while it ran: every history command, on the store's records alone. */
const SIGNED = PIPELINE + '\n## Join\n\n```shark-run\ncd /data/out/ && cat *.txt > /data/all.txt\n```\n\n```shark-publish\n/data/all.txt\n```\n';

describe('the history of a store read-only to the user', () => {
  const rig = new Rig('shark-read-only-history-');
  const { skip, shark } = unprivileged(rig);
  beforeAll(async () => {
    rig.write('p.md', SIGNED);
    rig.write('in/a.txt', 'a\n');
    rig.write('in/b.txt', 'b\n');
    expect((await rig.shark(['keygen', '-o', 'k'])).code).toBe(0);
    expect((await rig.shark(['keygen', '-o', 'other'])).code).toBe(0);
    chmodSync(rig.path('other.key'), 0o644);
    expect((await rig.shark(['run', 'p.md', '--sign', 'k.key'])).code).toBe(0);
    rig.write('in/b.txt', 'c\n');
    expect((await rig.shark(['run', 'p.md', '--sign', 'k.key'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it.skipIf(skip !== undefined)('answers why, diff, export, attest and verify, and refuses sign in one line', async () => {
    const before = readdirSync(rig.path('.shark')).sort();
    const why = await shark('why', '_shark/all.txt');
    expect(why.stdout).toContain('made by join as /data/all.txt, run 2 of p.md');
    const diff = await shark('diff', 'p.md', '/data/all.txt');
    noCrash(diff.stderr);
    expect(diff.stdout).toMatch(/^\/data\/all\.txt in run 1 \(\w+…\) → \/data\/all\.txt in run 2/);
    expect((await shark('export', 'prov', 'p.md')).code).toBe(0);
    expect((await shark('export', 'crate', 'p.md', '-o', 'crate')).stdout).toBe('crate: run 2, 4 jobs, 37 entities\n');
    expect((await shark('attest', 'p.md', '/data/all.txt')).code).toBe(0);
    expect((await shark('verify', 'p.md', '/data/all.txt', '--key', 'k.pub')).stdout).toContain('/data/all.txt: verified 4 envelopes');
    const sign = await shark('sign', 'p.md', '/data/all.txt', '--key', 'other.key');
    expect(sign.stderr).toMatch(/^shark: error: the store at \S*\.shark is read-only to you: `shark sign` writes to it \(run it as the store's owner, or give it a store of its own: --store DIR\)\n$/);
    expect(sign.code).toBe(2);
    expect(readdirSync(rig.path('.shark')).sort()).toEqual(before);
  });

  it.skipIf(skip !== undefined)('reads a store a killed run left its -wal in, with its -shm or without', async () => {
    rig.write('p.md', SIGNED + '\n## Slow\n\n```shark-run\nsleep 60; cat /data/all.txt > /data/slow.txt\n```\n');
    const running = rig.start(['run', 'p.md']);
    await until(() => rig.exists('.shark/logs/3'), 30_000, 'run 3 started');
    await new Promise((r) => setTimeout(r, 1000));
    running.process.kill('SIGKILL');
    await running.ended;
    expect(rig.exists('.shark/shark.sqlite-wal')).toBe(true);
    const runs = await shark('runs', 'p.md');
    noCrash(runs.stderr);
    expect(runs.stdout).toMatch(/^3 +interrupted /m);
    expect((await shark('lineage', 'p.md', '/data/all.txt')).stdout).toMatch(/^join /);
    // Copied without its index file (-shm): the run's last writes, in the -wal, are read through a merged copy of its own.
    rmSync(rig.path('.shark/shark.sqlite-shm'));
    const copied = await shark('runs', 'p.md');
    noCrash(copied.stderr);
    expect(copied.stderr).toBe('');
    expect(copied.stdout).toMatch(/^3 +interrupted /m);
    expect((await shark('logs', 'p.md', 'join', '--run', '3')).stdout).toBe('==> join (cached, line 16) (printed nothing)\n');
    expect(readdirSync(rig.path('.shark')).sort()).toEqual(['logs', 'objects', 'shark.sqlite', 'shark.sqlite-wal', 'tmp']);
    // Its files made read-only too (`chmod a-w`): the copies kept that mode, and could not be merged.
    for (const f of ['shark.sqlite', 'shark.sqlite-wal']) chmodSync(rig.path(`.shark/${f}`), 0o444);
    const readOnly = await shark('runs', 'p.md');
    expect([readOnly.stderr, readOnly.code]).toEqual(['', 0]);
    expect(readOnly.stdout).toMatch(/^3 +interrupted /m);
  });

  it.skipIf(skip !== undefined)('one the user may not even look into (made under umask 077) is said unreadable, not never made', async () => {
    chmodSync(rig.path('.shark'), 0o700);
    try {
      for (const command of ['runs', 'logs']) {
        const r = await shark(command, 'p.md');
        noCrash(r.stderr);
        expect([r.code, r.stderr]).toEqual([2, 'shark: error: cannot read the store at .shark: permission denied (its folder is another user\'s, not open to you: ask them to chmod it, or run as them)\n']);
      }
    } finally {
      chmodSync(rig.path('.shark'), 0o755);
    }
  });
});
