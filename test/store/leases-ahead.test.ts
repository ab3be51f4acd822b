import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '../../src/store/metadata.js';
import { Leases } from '../../src/store/leases.js';

describe('leases taken ahead of their jobs', () => {
  it('takes the free ones in one go, hands each out once, and leaves one a live process holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-leases-'));
    try {
      const meta = new Metadata(dir);
      // Another live process (pid 1, on this host) holds b.
      meta.db.prepare('INSERT INTO leases (name, pid, host, run_id, since, beat) VALUES (?, 1, ?, NULL, 0, 0)').run('job:b', hostname());
      const leases = new Leases(meta, null);
      const rows = (): string[] => meta.db.prepare<[], { name: string; pid: number }>('SELECT name, pid FROM leases ORDER BY name').all().map((r) => `${r.name}@${r.pid === process.pid ? 'us' : r.pid}`);
      leases.takeAhead(['job:a', 'job:b', 'job:c']);
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
});
