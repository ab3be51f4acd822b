import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '../../src/store/metadata.js';
import { Leases } from '../../src/store/leases.js';
import { leasedJobs } from '../../src/store/job-leases.js';

describe('leases taken ahead of their jobs', () => {
  it('takes the free ones in one go, hands each out once, and leaves one a live process holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-leases-'));
    try {
      const meta = new Metadata(dir);
      // Another live process (pid 1, on this host) holds b.
      meta.db.prepare('INSERT INTO leases (name, pid, host, run_id, since, beat) VALUES (?, 1, ?, NULL, 0, ?)').run('job:b', hostname(), Date.now());
      const leases = new Leases(meta, null);
      const rows = (): string[] => meta.db.prepare<[], { name: string; pid: number }>('SELECT name, pid FROM leases ORDER BY name').all().map((r) => `${r.name}@${r.pid === process.pid ? 'us' : r.pid}`);
      leases.takeAhead(['a', 'b', 'c'].map((j) => `job:${j}`));
      expect(rows()).toEqual(['job:a@us', 'job:b@1', 'job:c@us']);
      expect(leases.tryAcquire('job:a')).toBeUndefined();
      expect(leases.tryAcquire('job:b')).toMatchObject({ pid: 1 });
      // Given back, a lease taken ahead is gone: taking it again writes it again.
      leases.release('job:c');
      expect(rows()).toEqual(['job:a@us', 'job:b@1']);
      expect(leases.tryAcquire('job:c')).toBeUndefined();
      expect(rows()).toEqual(['job:a@us', 'job:b@1', 'job:c@us']);
      leases.releaseAll();
      expect(rows()).toEqual(['job:b@1']);
      meta.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks whether the work is done only of the leases whose result was there as they were taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-leases-'));
    try {
      const meta = new Metadata(dir);
      const leases = new Leases(meta, null);
      const signal = new AbortController().signal;
      // b's work was finished (by another run) before this one took its lease.
      leases.takeAhead(['a', 'b'].map((j) => `job:${j}`), (names) => new Set(names.filter((n) => n === 'job:b')));
      const asked: string[] = [];
      const done = (name: string) => (): boolean => (asked.push(name), true);
      expect(await leases.acquire('job:a', signal, done('a'))).toEqual({ kind: 'acquired' });
      expect(await leases.acquire('job:b', signal, done('b'))).toEqual({ kind: 'done' });
      expect(asked).toEqual(['b']);
      // Handed out once: asked for again (a forced run's second try), the lease is taken and its work asked after as usual.
      leases.release('job:a');
      expect(await leases.acquire('job:a', signal, done('a'))).toEqual({ kind: 'done' });
      expect(asked).toEqual(['b', 'a']);
      leases.releaseAll();
      meta.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says a group was shared with a live run, skips its leases without a read when asked to, and waits for them otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-leases-'));
    try {
      const meta = new Metadata(dir);
      // b is held by a live process (pid 1); c by one that died (a pid no process has).
      const hold = meta.db.prepare('INSERT INTO leases (name, pid, host, run_id, since, beat) VALUES (?, ?, ?, NULL, 0, ?)');
      hold.run('job:b', 1, hostname(), Date.now());
      hold.run('job:c', 2 ** 22 + 1, hostname(), Date.now());
      const leases = new Leases(meta, null);
      const signal = new AbortController().signal;
      expect(leases.takeAhead(['a', 'b', 'c'].map((j) => `job:${j}`))).toBe(true);
      expect(leases.takeAhead(['job:d'])).toBe(false);
      // The dead holder's is taken over ahead like a free one.
      expect(await leases.acquire('job:c', signal, () => false, undefined, true)).toEqual({ kind: 'acquired' });
      // The live holder's is put off, without reading the database again (it is locked meanwhile).
      const locker = new Database(join(dir, 'shark.sqlite'));
      locker.prepare('BEGIN IMMEDIATE').run();
      const waited: number[] = [];
      expect(await leases.acquire('job:b', signal, () => false, (h) => waited.push(h.pid), true)).toEqual({ kind: 'held' });
      locker.prepare('ROLLBACK').run();
      locker.close();
      // Not taken ahead, and held: read once, and put off.
      hold.run('job:e', 1, hostname(), Date.now());
      expect(await leases.acquire('job:e', signal, () => false, (h) => waited.push(h.pid), true)).toEqual({ kind: 'held' });
      expect(waited).toEqual([]);
      // Asked again without skipping, it waits until its holder lets go, then reuses the work done.
      setTimeout(() => meta.db.prepare("DELETE FROM leases WHERE name = 'job:b'").run(), 100);
      expect(await leases.acquire('job:b', signal, () => true, (h) => waited.push(h.pid))).toEqual({ kind: 'done' });
      expect(waited).toEqual([1]);
      leases.releaseAll();
      meta.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('name the jobs whose commands a run started, until it gives their leases back (what `shark serve` shows as running)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-leases-'));
    try {
      const meta = new Metadata(dir);
      const leases = new Leases(meta, 7);
      const written = (): Promise<void> => new Promise((r) => setTimeout(r, 300));
      leases.takeAhead(['job:k1', 'job:k2']);
      expect(await leases.acquire('job:k3', new AbortController().signal, () => false)).toEqual({ kind: 'acquired' });
      // A lease that is not a job's names none.
      leases.tryAcquire('publish:/tmp/x');
      // Taken, ahead or not, but no command started: none runs yet.
      await written();
      expect(leasedJobs(meta, 7)).toEqual([]);
      leases.running('job:k1', 'map[a.txt]');
      leases.running('job:k3', 'sum');
      // A lease it does not hold names nothing.
      leases.running('job:k9', 'other');
      await written();
      expect(leasedJobs(meta, 7)).toEqual([{ job: 'map[a.txt]', key: 'k1' }, { job: 'sum', key: 'k3' }]);
      expect(leasedJobs(meta, 8)).toEqual([]);
      leases.release('job:k1');
      expect(leasedJobs(meta, 7)).toEqual([{ job: 'sum', key: 'k3' }]);
      // One that ends before it is written never is.
      leases.running('job:k2', 'map[b.txt]');
      leases.release('job:k2');
      await written();
      expect(leasedJobs(meta, 7)).toEqual([{ job: 'sum', key: 'k3' }]);
      leases.releaseAll();
      expect(leasedJobs(meta, 7)).toEqual([]);
      meta.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
