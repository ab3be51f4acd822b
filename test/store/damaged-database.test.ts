import Database from 'better-sqlite3';
import { openSync, writeSync, closeSync, rmSync, statSync, truncateSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A few bytes of `shark.sqlite` damaged behind SQLite's back (a bad disk, a
 * copy taken mid-write): every command says so in one line, never as an
 * internal error (exit 70), and `fsck` reports it rather than "ok".
 */

const PIPELINE = `# damaged

\`\`\`shark-run
echo make >> counter; echo one > /data/single.txt
\`\`\`

\`\`\`shark-run
echo read >> counter; cat /data/single.txt > /data/copy.txt; mkdir /data/dir; echo a > /data/dir/a
\`\`\`

\`\`\`shark-run
cd /data/dir/ && cat a > /data/from-dir.txt
\`\`\`
`;

let rig: Rig;
beforeEach(async () => {
  rig = new Rig('shark-damaged-db-');
  rig.write('p.md', PIPELINE);
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
});
afterEach(() => rig.cleanup());

/** Overwrites the first bytes of the page past the header of `table`'s b-tree (its root page). */
function damageTable(table: string): void {
  const file = rig.path('.shark/shark.sqlite');
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const size = db.pragma('page_size', { simple: true }) as number;
  const root = (db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as { rootpage: number }).rootpage;
  db.close();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(16, 0xde), 0, 16, (root - 1) * size);
  closeSync(fd);
}

describe('a damaged database', () => {
  it('is one line from plan and run, not an internal error', async () => {
    damageTable('result_outputs');
    for (const command of ['plan', 'run']) {
      const r = await rig.shark([command, 'p.md']);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.stderr).toMatch(/the store's database is damaged \(database disk image is malformed\)/);
      expect(r.code).toBe(2);
    }
  });

  // The cached jobs' rows wait to be written a moment: the run that stops on the damage leaves them unwritten, and says nothing more.
  // Met writing them (`run_jobs`), it was a failed step, `cannot record the cached jobs: …`, exit 1.
  it.each(['trees', 'run_jobs'])('is all that run says when met between steps (%s)', async (table) => {
    damageTable(table);
    const r = await rig.shark(['run', 'p.md']);
    expect(r.stderr).toMatch(/the store's database is damaged \(database disk image is malformed\)/);
    expect(r.stdout + r.stderr).not.toMatch(/connection is not open|cannot record|FAILED/);
    expect(r.code).toBe(2);
  });

  // Every open reads `runs`: the damage was said without the ways out.
  it('says the ways out when met opening the store', async () => {
    damageTable('runs');
    const r = await rig.shark(['run', 'p.md']);
    expect(r.stderr).toMatch(/^shark: error: cannot open the store at \S+: the store's database is damaged \(database disk image is malformed\): restore its shark.sqlite from a backup, or move that file aside/);
    expect(r.code).toBe(2);
  });

  // plan reads outputs from `result_outputs`: only a check of the whole database finds damage to `results`.
  it('is found by fsck, which exits 1 and never says ok', async () => {
    damageTable('results');
    const r = await rig.shark(['fsck', 'p.md']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stdout).not.toMatch(/ok: no missing or corrupt data/);
    expect(r.stderr).toMatch(/the store's database is damaged/);
    expect(r.code).toBe(1);
    // A script reading --json is given the damage as a problem, not an empty stdout.
    const json = await rig.shark(['fsck', 'p.md', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ objects: 0, problems: [{ id: rig.path('.shark/shark.sqlite'), problem: 'database', detail: expect.stringMatching(/^the store's database is damaged/) }], repaired: false });
  });

  // Damage met opening the store (a table every open reads, or the file cut short) was exit 2 from fsck too, as from any command.
  it('is found by fsck, exit 1, when met opening the store', async () => {
    damageTable('runs');
    const r = await rig.shark(['fsck', 'p.md']);
    expect(r.stderr).toMatch(/^shark: error: cannot open the store at \S+: the store's database is damaged/);
    expect(r.code).toBe(1);
    const json = await rig.shark(['fsck', 'p.md', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ problems: [{ problem: 'database', detail: expect.stringMatching(/the store's database is damaged/) }] });
  });

  // Bytes changed inside a value leave the file well-formed: SQLite's check passes it.
  it('is one line when a value no longer parses, and fsck finds that too', async () => {
    const db = new Database(rig.path('.shark/shark.sqlite'));
    db.exec("UPDATE trees SET entries = substr(entries, 2)");
    db.close();
    const plan = await rig.shark(['plan', 'p.md']);
    expect(plan.stderr).not.toMatch(/internal error/);
    expect(plan.stderr).toMatch(/the store's database is damaged \(cannot parse the entries of tree:/);
    expect(plan.code).toBe(2);
    const fsck = await rig.shark(['fsck', 'p.md']);
    expect(fsck.stderr).toMatch(/the store's database is damaged \(a value of trees.entries is not valid JSON\)/);
    expect(fsck.code).toBe(1);
  });

  it('is one line when a value parses but is of another shape, and fsck finds that too', async () => {
    const db = new Database(rig.path('.shark/shark.sqlite'));
    db.exec(`UPDATE trees SET entries = replace(entries, '"id"', '"iD"')`);
    db.close();
    for (const [command, code] of [['plan', 2], ['gc', 2], ['fsck', 1]] as const) {
      const r = await rig.shark([command, 'p.md']);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.stderr).toMatch(/the store's database is damaged \(the entries of tree:\w+ recorded in it are not a directory's\)/);
      expect(r.code).toBe(code);
    }
  });

  // A result's record is read whole by the lineage commands and the exports: each said the parse error as a bug.
  it('is one line from the commands that read a result whole when its value no longer parses', async () => {
    const db = new Database(rig.path('.shark/shark.sqlite'));
    db.exec('UPDATE results SET outputs = substr(outputs, 2), record = substr(record, 2), meta = substr(meta, 2)');
    db.close();
    for (const args of [['export', 'prov', 'p.md'], ['export', 'crate', 'p.md', '-o', rig.path('crate')], ['run', 'p.md', '-o', rig.path('out.md')]]) {
      const r = await rig.shark(args);
      expect(r.stderr, args.join(' ')).not.toMatch(/internal error/);
      expect(r.stderr).toMatch(/the store's database is damaged \(cannot parse a result/);
      expect(r.code).toBe(2);
    }
  });

  // Cut to nothing (`truncate -s 0`, a copy that failed): SQLite opens an empty file as a new database, and every run
  // recorded was forgotten without a word, fsck saying ok. Moved aside as the message says, the store is recorded afresh.
  it('is said when the file was emptied, while the store holds data', async () => {
    truncateSync(rig.path('.shark/shark.sqlite'), 0);
    for (const [command, code] of [['fsck', 1], ['plan', 2], ['runs', 2]] as const) {
      const r = await rig.shark([command, 'p.md']);
      expect(r.stderr, command).toMatch(/^shark: error: cannot open the store at \S+: the store's database is damaged \(shark\.sqlite is empty, though the store holds data its runs recorded there\): restore/);
      expect(r.stdout).not.toMatch(/ok: no missing or corrupt data/);
      expect(r.code, command).toBe(code);
    }
    expect(statSync(rig.path('.shark/shark.sqlite')).size).toBe(0);
    rmSync(rig.path('.shark/shark.sqlite'));
    const run = await rig.shark(['run', 'p.md']);
    expect(run.stdout).toMatch(/3 run, 0 cached/);
    expect(run.code).toBe(0);
  });
});
