import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { Rig, toRun } from '../support/rig.js';

const pipeline = (word: string): string => `# gc

## Make

\`\`\`shark-run
echo make >> counter; yes ${word} | head -c 200000 > /data/big.txt
\`\`\`

## Use

\`\`\`shark-run
echo use >> counter; wc -c < /data/big.txt > /data/size.txt
\`\`\`
`;

describe('shark gc (content-addressed store)', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('keeps the latest run, frees the rest, and only with --delete', async () => {
    rig.write('p.md', pipeline('a'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', pipeline('b'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.lines()).toEqual(['make', 'use', 'make', 'use']);

    const dry = await rig.shark(['gc', 'p.md']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/keeping p\.md run 2 \(latest finished run, 2 results\)/);
    // The 200 kB of a's; size.txt is the same for both versions, so it stays.
    expect(dry.stdout).toMatch(/would free 1 object, 0\.2 MB \(dry run/);
    expect((await rig.shark(['gc', 'p.md'])).stdout).toBe(dry.stdout);
    // `--dry-run` (`-n`), as a user of other tools types it, is the default said out loud; with --delete, a usage error.
    expect((await rig.shark(['gc', '--dry-run', 'p.md'])).stdout).toBe(dry.stdout);
    const both = await rig.shark(['gc', '-n', '--delete', 'p.md']);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining("'-n, --dry-run' cannot be used with option '--delete'")]);

    const real = await rig.shark(['gc', 'p.md', '--delete']);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/freed 1 object, 0\.2 MB\n$/);
    expect((await rig.shark(['gc', 'p.md'])).stdout).toMatch(/would free 0 objects, 0\.0 MB/);

    // The latest version is all there; the old one would have to run again.
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    rig.write('p.md', pipeline('a'));
    const plan = await rig.plan('p.md');
    expect(toRun(plan)).toEqual(['make', 'use']);
    expect(plan.jobs[0]!.reasons).toEqual(["the previous result's data is no longer in the store"]);
  });

  it('keeps what the document as it is now would reuse after an edit undone (a branch checked out again), though no run since made it', async () => {
    rig.write('p.md', pipeline('a'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', pipeline('b'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', pipeline('a'));
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    const real = await rig.shark(['gc', 'p.md', '--delete']);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('keeping p.md run 2 (latest finished run, 2 results), and the results the document as it is now would reuse, made before its last edit (make; 1 result)');
    // plan said cached before gc; so it does after.
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('keeps, after an edit undone, what the steps below made of what it kept (their text unchanged, their inputs the old ones)', async () => {
    const chain = (word: string): string => pipeline(word).replace('wc -c < /data/big.txt', 'head -c 20 /data/big.txt');
    rig.write('p.md', chain('a'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', chain('b'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', chain('a'));
    const real = await rig.shark(['gc', 'p.md', '--delete']);
    expect(real.stdout).toContain('made before its last edit (make, use; 2 results)');
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('keeps, after an edit undone above a map, the reduce that read the directory the map made (it was freed, and run again)', async () => {
    const doc = (to: string): string => ['```shark-import', 'in/ /data/in/', '```', '', '## m', '', '```shark-run', `tr a-z ${to} < /data/in/* > /data/up/+`, '```', '',
      '## s', '', '```shark-run', 'cd /data/up/ && cat * > /data/all.txt', '```', ''].join('\n');
    for (const name of ['a', 'b', 'c']) rig.write(`in/${name}`, `${name}\n`);
    rig.write('r.md', doc('A-Z'));
    expect((await rig.shark(['run', 'r.md'])).code).toBe(0);
    rig.write('r.md', doc('b-za'));
    expect((await rig.shark(['run', 'r.md'])).code).toBe(0);
    rig.write('r.md', doc('A-Z'));
    expect(toRun(await rig.plan('r.md'))).toEqual([]);
    const real = await rig.shark(['gc', 'r.md', '--delete']);
    expect(real.stdout).toContain('made before its last edit (m, s; 4 results)');
    expect(toRun(await rig.plan('r.md'))).toEqual([]);
  });

  it('keeps, after an edit undone, a step two below whose input a later run had kept already (it was freed)', async () => {
    const doc = (a: string, c: string): string => ['## a', '', '```shark-run', `echo ${a} > /data/a.txt`, '```', '', '## b', '', '```shark-run', 'cat /data/a.txt /data/a.txt > /data/b.txt', '```', '',
      '## c', '', '```shark-run', `${c} < /data/b.txt > /data/c.txt`, '```', ''].join('\n');
    for (const [a, c] of [['one', 'wc -c'], ['three', 'wc -c'], ['one', 'wc -l'], ['one', 'wc -c'], ['three', 'wc -c']]) {
      rig.write('q.md', doc(a!, c!));
      expect((await rig.shark(['run', 'q.md'])).code).toBe(0);
    }
    rig.write('q.md', doc('one', 'wc -c'));
    expect(toRun(await rig.plan('q.md'))).toEqual([]);
    expect((await rig.shark(['gc', 'q.md', '--delete'])).code).toBe(0);
    expect(toRun(await rig.plan('q.md'))).toEqual([]);
  });

  it('counts what it frees as disk use, as du does: 300 small objects are not 0.0 MB', async () => {
    const doc = (word: string): string => ['```shark-run', `for i in $(seq 300); do echo ${word}$i > /data/many/$i.txt; done`, '```', ''].join('\n');
    rig.write('m.md', doc('a'));
    expect((await rig.shark(['run', 'm.md'])).code).toBe(0);
    const before = spawnSync('du', ['-sk', rig.path('.shark/objects')], { encoding: 'utf8' }).stdout;
    rig.write('m.md', doc('b'));
    expect((await rig.shark(['run', 'm.md'])).code).toBe(0);
    const dry = await rig.shark(['gc', 'm.md']);
    const said = Number(/would free 30\d objects, ([\d.]+) MB/.exec(dry.stdout)?.[1]);
    // 300 files of a few bytes take a block each: about 1.2 MB of disk on ext4, where their sizes add up to 2 kB.
    expect(said).toBeGreaterThan(0.5);
    expect(Number.parseInt(before, 10) * 1024 / 1e6).toBeGreaterThan(said * 0.8);
  });

  it('with --delete, removes the leases a killed run left, and no live one', async () => {
    rig.write('p.md', pipeline('a'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const dead = spawnSync('true').pid!;
    const db = new Database(rig.path('.shark/shark.sqlite'));
    // Rows as an older Shark wrote them (no start time): a live holder is one that beats.
    const put = db.prepare('INSERT INTO leases (name, pid, host, run_id, since, beat) VALUES (?, ?, ?, NULL, 0, ?)');
    put.run('job:left-by-a-killed-run', dead, hostname(), Date.now());
    put.run('job:held-by-a-live-one', 1, hostname(), Date.now());
    const dry = await rig.shark(['gc', 'p.md']);
    expect(dry.stdout).toMatch(/^would remove 1 lease left by killed runs$/m);
    const real = await rig.shark(['gc', 'p.md', '--delete']);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/removed 1 lease left by killed runs/);
    expect(db.prepare('SELECT name FROM leases').pluck().all()).toEqual(['job:held-by-a-live-one']);
    db.close();
  });

  it('a killed gc\'s own lease: the dry run and --delete agree (--delete takes it over and gives it back)', async () => {
    rig.write('p.md', pipeline('a'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const db = new Database(rig.path('.shark/shark.sqlite'));
    db.prepare('INSERT INTO leases (name, pid, host, run_id, since, beat) VALUES (?, ?, ?, NULL, 0, 0)').run('gc', spawnSync('true').pid!, hostname());
    const dry = await rig.shark(['gc', 'p.md']);
    const real = await rig.shark(['gc', 'p.md', '--delete']);
    expect(real.code).toBe(0);
    const leaseLines = (out: string): string[] => out.split('\n').filter((l) => /lease/.test(l)).map((l) => l.replace(/^would remove/, 'removed'));
    expect(leaseLines(dry.stdout)).toEqual(leaseLines(real.stdout));
    expect(db.prepare('SELECT name FROM leases').pluck().all()).toEqual([]);
    db.close();
  });

  it('the dry run during a live run says --delete would refuse now, as what that run is storing counts as freeable', async () => {
    rig.write('p.md', pipeline('a'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('k.md', '# k\n\n```shark-run\necho started >> counter; sleep 30; echo x > /data/x.txt\n```\n');
    const live = rig.start(['run', 'k.md']);
    for (let i = 0; i < 400 && !rig.lines().includes('started'); i++) await new Promise((r) => setTimeout(r, 25));
    const dry = await rig.shark(['gc', 'p.md']);
    live.process.kill('SIGINT');
    await live.ended;
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^would free \d+ objects?, [\d.]+ MB \(dry run: run \d+ of k\.md \(pid \d+\) is in progress, so --delete would refuse now; what it stores is counted here\)$/m);
  });

  it('the dry run says what --delete removes of what killed runs left: their working folders, with their size', async () => {
    rig.write('p.md', pipeline('a'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('k.md', '# k\n\n```shark-run\nhead -c 3000000 /dev/zero > /data/big.bin; echo started >> counter; sleep 30\n```\n');
    const killed = rig.start(['run', 'k.md']);
    for (let i = 0; i < 400 && !rig.lines().includes('started'); i++) await new Promise((r) => setTimeout(r, 25));
    killed.process.kill('SIGKILL');
    await killed.ended;
    const dry = await rig.shark(['gc', 'p.md', 'k.md']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^would remove 1 working folder left by killed runs, 3\.0 MB$/m);
    expect(readdirSync(rig.path('.shark/tmp')).filter((n) => n.startsWith('ws-'))).toHaveLength(1);
    const real = await rig.shark(['gc', 'p.md', 'k.md', '--delete']);
    expect(real.stdout).toMatch(/^removed 1 working folder left by killed runs, 3\.0 MB$/m);
    expect(readdirSync(rig.path('.shark/tmp')).filter((n) => n.startsWith('ws-'))).toEqual([]);
    expect((await rig.shark(['gc', 'p.md', 'k.md'])).stdout).not.toMatch(/working folder/);
  });

  it('refuses a pipeline that never ran in the store', async () => {
    rig.write('p.md', pipeline('a'));
    rig.write('q.md', pipeline('b'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const r = await rig.shark(['gc', 'p.md', 'q.md', '--delete']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no run of q.md is recorded');
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('checks every FILE\'s store before freeing anything: one with no store, or no run there, stops gc with nothing freed', async () => {
    rig.write('g1/p.md', pipeline('a'));
    expect((await rig.shark(['run', 'g1/p.md'])).code).toBe(0);
    rig.write('g1/p.md', pipeline('b'));
    expect((await rig.shark(['run', 'g1/p.md'])).code).toBe(0);
    rig.write('g2/p.md', pipeline('b'));
    rig.write('g3/q.md', pipeline('c'));
    expect((await rig.shark(['run', 'g3/q.md'])).code).toBe(0);
    rig.write('g3/p.md', pipeline('b'));
    for (const [other, said] of [['g2/p.md', 'no store at g2/.shark: g2/p.md never ran there'], ['g3/p.md', 'no run of g3/p.md is recorded in']]) {
      for (const del of [['--delete'], []]) {
        const r = await rig.shark(['gc', 'g1/p.md', other!, ...del]);
        expect({ other, del, code: r.code, stdout: r.stdout }).toEqual({ other, del, code: 2, stdout: '' });
        expect(r.stderr).toContain(`shark: error: ${said}`);
      }
    }
    expect((await rig.shark(['gc', 'g1/p.md'])).stdout).toMatch(/would free 1 object, 0\.2 MB/);
  });

  it('never leaves a directory result counted as cached after freeing its files', async () => {
    const dirs = (word: string): string => `# d\n\n\`\`\`shark-run\nmkdir -p /data/parts && yes ${word} | head -c 1000 > /data/parts/a.txt && echo ${word} > /data/parts/b.txt\n\`\`\`\n\n\`\`\`shark-run\necho read >> counter; cat /data/parts/a.txt /data/parts/b.txt | wc -c > /data/n.txt\n\`\`\`\n`;
    rig.write('p.md', dirs('x'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', dirs('y'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['gc', 'p.md', '--delete'])).code).toBe(0);
    rig.write('p.md', dirs('x'));
    const plan = await rig.plan('p.md');
    expect(plan.jobs[0]).toMatchObject({ status: 'run', reasons: ["the previous result's data is no longer in the store"] });
    const again = await rig.shark(['run', 'p.md']);
    expect(again.stderr + again.stdout).not.toContain('ENOENT');
    expect(again.code).toBe(0);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('keeps the latest finished run when the latest run was interrupted, and says so', async () => {
    rig.write('p.md', pipeline('a'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // A second version whose run is killed before anything is committed.
    rig.write('p.md', pipeline('b').replace('echo make >> counter;', 'echo make >> counter; sleep 30;'));
    const { spawn } = await import('node:child_process');
    const { SHARK } = await import('../support/rig.js');
    const child = spawn(process.execPath, [SHARK, 'run', 'p.md'], { cwd: rig.dir, stdio: 'ignore' });
    for (let i = 0; i < 100 && rig.count() < 3; i++) await new Promise((r) => setTimeout(r, 50));
    const busy = await rig.shark(['gc', 'p.md', '--delete']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/run 2 of p\.md \(pid \d+\) in progress/);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/keeping p\.md run 1 \(latest finished run, 2 results\), run 2 \(interrupted, newer, 0 results\)/);
    expect(gc.stdout).toMatch(/freed 0 objects/);
    rig.write('p.md', pipeline('a'));
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });
  it('says the latest finished run failed when it did (it was called the latest finished run, and no more)', async () => {
    rig.write('p.md', '# P\n\n```shark-run\necho a > /data/a.txt\n```\n\n```shark-run\ncat /data/a.txt; exit 1\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(1);
    const gc = await rig.shark(['gc', 'p.md']);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toMatch(/keeping p\.md run 1 \(latest finished run, failed, 1 result\)/);
  });

  it('with no complete run, keeps every run and calls none newer', async () => {
    rig.write('p.md', pipeline('a'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // The run as one killed outright leaves it: still running, by a process that is gone.
    const db = new Database(rig.path('.shark/shark.sqlite'));
    db.prepare("UPDATE runs SET status = 'running', pid = ?, pid_start = NULL, beat = 0").run(spawnSync('true').pid!);
    db.close();
    const gc = await rig.shark(['gc', 'p.md']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/keeping p\.md run 1 \(interrupted, 2 results\)\n/);
  });

  it('fsck after gc --delete finds no damage, and --repair keeps the lineage of the runs gc freed', async () => {
    const two = (word: string): string => `# g\n\n\`\`\`shark-run\necho ${word} > /data/a.txt\n\`\`\`\n\n\`\`\`shark-run\nmkdir /data/d && cat /data/a.txt /data/a.txt > /data/d/b.txt\n\`\`\`\n`;
    rig.write('g.md', two('1'));
    expect((await rig.shark(['run', 'g.md'])).code).toBe(0);
    rig.write('g.md', two('2'));
    expect((await rig.shark(['run', 'g.md'])).code).toBe(0);
    expect((await rig.shark(['gc', 'g.md', '--delete'])).stdout).toMatch(/freed 2 objects/);
    const fsck = await rig.shark(['fsck', 'g.md']);
    expect(fsck.stdout).toMatch(/ok: no missing or corrupt data/);
    expect(fsck.code).toBe(0);
    const repair = await rig.shark(['fsck', 'g.md', '--repair']);
    expect(repair.stdout).not.toMatch(/dropped/);
    expect(repair.code).toBe(0);
    expect((await rig.shark(['lineage', 'g.md', '/data/d/b.txt', '--run', '1'])).code).toBe(0);
    const diff = await rig.shark(['diff', 'g.md', '/data/d/b.txt']);
    expect(diff.stdout).toMatch(/in run 1 .*→ .*in run 2/);
  });

  it('fsck still reports an object a result needs that went missing after gc had freed it once', async () => {
    rig.write('p.md', pipeline('a'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', pipeline('b'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['gc', 'p.md', '--delete'])).code).toBe(0);
    // Stored again, then lost behind Shark's back.
    rig.write('p.md', pipeline('a'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const db = new Database(rig.path('.shark/shark.sqlite'), { readonly: true });
    const outputs = JSON.parse(db.prepare("SELECT outputs FROM results WHERE outputs LIKE '%big.txt%' ORDER BY ended DESC").pluck().get() as string) as Record<string, string>;
    db.close();
    const hex = outputs['/data/big.txt']!.slice('sha256:'.length);
    rmSync(rig.path(`.shark/objects/${hex.slice(0, 2)}/${hex.slice(2)}`));
    const fsck = await rig.shark(['fsck', 'p.md']);
    expect(fsck.stdout).toMatch(/missing +sha256:/);
    expect(fsck.code).toBe(1);
  });
  it("names the documents with runs in the store that were not given, whose results it does not keep", async () => {
    rig.write('p.md', pipeline('a'));
    rig.write('other.md', '# Other\n\n```shark-run\necho other > /data/other.txt\n```\n');
    rig.write('gone.md', '# Gone\n\n```shark-run\necho gone > /data/gone.txt\n```\n');
    for (const doc of ['p.md', 'other.md', 'other.md', 'gone.md']) expect((await rig.shark(['run', doc])).code).toBe(0);
    rmSync(rig.path('gone.md'));
    const dry = await rig.shark(['gc', 'p.md']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/warning: .*not kept: the results of gone\.md \(no longer there; 1 run\), other\.md \(2 runs\)/);
    expect(dry.stderr).toMatch(/Give them too to keep theirs: shark gc p\.md other\.md\n/);
    // Given together, other.md is kept and only the document that is gone is named.
    const both = await rig.shark(['gc', 'p.md', 'other.md']);
    expect(both.stderr).toMatch(/not kept: the results of gone\.md \(no longer there; 1 run\)\./);
    expect(both.stderr).not.toMatch(/other\.md/);
  });
});
