import Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

describe('publishing while another process keeps the store locked', () => {
  let rig: Rig | undefined;
  afterEach(() => rig?.cleanup());

  it('fails the publish step (reason store) with the database\'s words, not an internal error', async () => {
    rig = new Rig();
    const db = rig.path('.shark/shark.sqlite');
    rig.write('p.md', '# publish\n\n```shark-run\necho x > /data/x.txt\n```\n\n```shark-publish\n/data/x.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // This process holds the publish target's lease, so the run waits for it; two seconds after the
    // job ends (its result recorded), another writer takes the database for longer than a run waits (10 s).
    // Started with nohup: what a job leaves running is hung up as it ends.
    rig.write('p.md', `# publish\n\n\`\`\`shark-run\nnohup sh -c 'sleep 2; sqlite3 ${db} "BEGIN IMMEDIATE;" ".shell sleep 13" "ROLLBACK;"' >/dev/null 2>&1 & sleep 0.5\necho y > /data/x.txt\n\`\`\`\n\n\`\`\`shark-publish\n/data/x.txt\n\`\`\`\n`);
    const store = new Database(db);
    const now = Date.now();
    store.prepare('INSERT INTO leases (name, pid, host, run_id, since, beat) VALUES (?, ?, ?, NULL, ?, ?)').run(`publish:${rig.path('_shark/x.txt')}`, process.pid, hostname(), now, now);
    try {
      const ran = await rig.shark(['run', 'p.md'], { timeoutMs: 60_000 });
      expect(ran.stderr).not.toContain('internal error');
      expect(ran.code).toBe(1);
      expect(ran.stdout + ran.stderr).toMatch(/cannot publish \/data\/x\.txt to .*: database is locked/);
    } finally {
      store.prepare('DELETE FROM leases').run();
      store.close();
    }
    await new Promise((r) => setTimeout(r, 3000)); // the other writer lets go
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.read('_shark/x.txt')).toBe('y\n');
  }, 90_000);
});
