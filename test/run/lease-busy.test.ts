import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

describe("taking a job's lease while another process keeps the store locked", () => {
  let rig: Rig | undefined;
  afterEach(() => rig?.cleanup());

  it('fails the job (reason store) with the database\'s words, not an internal error', async () => {
    rig = new Rig();
    const db = rig.path('.shark/shark.sqlite');
    rig.write('p.md', '# lease\n\n```shark-run {id=b}\necho b > /data/b.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const store = new Database(db);
    const { key } = store.prepare("SELECT key FROM run_jobs WHERE job = 'b'").get() as { key: string };
    // This process holds the job's lease, so a forced run waits for it, trying again and again; meanwhile
    // another writer takes the database for longer than one try waits (10 s).
    const now = Date.now();
    store.prepare('INSERT INTO leases (name, pid, host, run_id, since, beat) VALUES (?, ?, ?, NULL, ?, ?)').run(`job:${key}`, process.pid, (await import('node:os')).hostname(), now, now);
    let locker: ReturnType<typeof spawn> | undefined;
    try {
      const run = rig.start(['run', 'p.md', '--force', 'b', '--json'], { timeoutMs: 60_000 });
      // Once the run waits for the lease (on a loaded machine its start can take longer than any fixed pause).
      await new Promise<void>((waiting) => {
        let seen = '';
        run.process.stdout!.on('data', (d: Buffer) => ((seen += d.toString()), seen.includes('"job-waiting"') && waiting()));
      });
      locker = spawn('sqlite3', [db, 'BEGIN IMMEDIATE;', '.shell sleep 13', 'ROLLBACK;'], { stdio: 'ignore' });
      const ran = await run.ended;
      expect(ran.stderr).not.toContain('internal error');
      expect(ran.code).toBe(1);
      const failed = ran.stdout.split('\n').filter((l) => l.includes('"job-failed"')).map((l) => JSON.parse(l) as { job: string; reason: string; message: string });
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ job: 'b', reason: 'store' });
      expect(failed[0]!.message).toMatch(/cannot take the job's lease: database is locked/);
    } finally {
      await new Promise((r) => (locker === undefined || locker.exitCode !== null ? r(undefined) : locker.on('exit', r)));
      store.prepare('DELETE FROM leases').run();
      store.close();
    }
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  }, 90_000);
});
