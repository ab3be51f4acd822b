import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '../../src/store/metadata.js';
import { Leases } from '../../src/store/leases.js';

describe('a lease the database refused to drop', () => {
  it('is dropped when the run gives back all it holds (releaseAll), not left for gc as a killed run\'s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shark-leases-'));
    try {
      const meta = new Metadata(dir);
      const leases = new Leases(meta, null);
      const rows = (): string[] => meta.db.prepare('SELECT name FROM leases ORDER BY name').pluck().all() as string[];
      expect(leases.tryAcquire('job:a')).toBeUndefined();
      expect(leases.tryAcquire('job:b')).toBeUndefined();
      // The disk full as the job ends: the drop is refused, as SQLite refuses it then.
      meta.db.exec("CREATE TEMP TRIGGER full BEFORE DELETE ON leases BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END");
      leases.release('job:a');
      expect(rows()).toEqual(['job:a', 'job:b']);
      // Room again by the run's end (its workspaces removed).
      meta.db.exec('DROP TRIGGER full');
      leases.releaseAll();
      expect(rows()).toEqual([]);
      meta.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
