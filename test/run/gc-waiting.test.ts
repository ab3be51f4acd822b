import Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A run started while `gc --delete` collects the store waits for it: it
 * printed its number and then nothing for the seconds gc took, and Ctrl-C
 * meanwhile ended it with `0 run, 0 cached, 0 failed`, its jobs nowhere.
 */
describe('a run started while gc --delete holds the store', () => {
  let rig: Rig;
  let db: Database.Database;
  beforeEach(async () => {
    rig = new Rig('shark-gc-waiting-');
    rig.write('p.md', '# P\n\n```shark-run\necho x > /data/x.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', '# P\n\n```shark-run\necho y > /data/x.txt\n```\n');
    db = new Database(rig.path('.shark/shark.sqlite'));
    // Held by a live process (pid 1) that beats, as a gc does.
    db.prepare('INSERT INTO leases (name, pid, host, run_id, since, beat) VALUES (?, ?, ?, NULL, ?, ?)').run('gc', 1, hostname(), Date.now(), Date.now());
  });
  afterEach(() => {
    db.close();
    rig.cleanup();
  });

  it('says it waits, and for whom, then runs once gc ends', async () => {
    const run = rig.start(['run', 'p.md', '--json']);
    await new Promise((r) => setTimeout(r, 1500));
    db.prepare("DELETE FROM leases WHERE name = 'gc'").run();
    const ended = await run.ended;
    expect(ended.code, ended.stderr).toBe(0);
    const events = ended.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; holder?: { pid: number } });
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['run-start', 'gc-waiting']);
    expect(events[1]!.holder!.pid).toBe(1);
    expect(events.some((e) => e.type === 'job-done')).toBe(true);
  });

  it('counts its jobs skipped when stopped while it waits', async () => {
    const run = rig.start(['run', 'p.md']);
    await new Promise((r) => setTimeout(r, 1500));
    run.process.kill('SIGINT');
    const ended = await run.ended;
    expect(ended.code).toBe(130);
    expect(ended.stdout).toMatch(/^waiting {2}shark gc --delete \(pid 1 on .*\) is collecting the store: this run starts once it ends$/m);
    expect(ended.stdout).toMatch(/interrupted: 0 run, 0 cached, 0 failed, 1 skipped/);
  });
});
