import { chmodSync, cpSync, lstatSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync, openSync, writeSync, closeSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';
import { objectWith } from '../support/objects.js';
import { storedSeconds } from '../../src/store/object-file.js';

const PIPELINE = `# integrity

\`\`\`shark-run
echo make >> counter; seq 1 2000 > /data/numbers.txt
\`\`\`

\`\`\`shark-run
echo sum >> counter; awk '{ s += $1 } END { print s }' /data/numbers.txt > /data/sum.txt
\`\`\`

\`\`\`shark-publish
/data/numbers.txt
/data/sum.txt
\`\`\`
`;

/** Changes one byte in place, as a disk or a careless tool would; keeps the mtime when asked. */
function flipByte(path: string, keepTime = false): void {
  const st = statSync(path);
  chmodSync(path, 0o644);
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from('X'), 0, 1, 3);
  closeSync(fd);
  chmodSync(path, st.mode & 0o777);
  // Its stored time put back to the microsecond (as `touch -r` would; a `Date` keeps only milliseconds).
  if (keepTime) utimesSync(path, st.atime, storedSeconds(st.size));
}

const numbers = Array.from({ length: 2000 }, (_, i) => `${i + 1}\n`).join('');

describe('store integrity (content-addressed store)', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig();
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  it('notices a flipped byte, re-runs the producer, and heals the object with the good bytes', async () => {
    const object = objectWith(rig, numbers);
    flipByte(object);
    const plan = await rig.plan('p.md');
    expect(toRun(plan)).toContain('integrity');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(0);
    expect(readFileSync(object, 'utf8')).toBe(numbers);
    expect(rig.read('_shark/numbers.txt')).toBe(numbers);
    expect(rig.read('_shark/sum.txt')).toBe('2001000\n');
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('fsck finds corruption a stat cannot see, exits 1, and --repair makes the next run recompute exactly that job', async () => {
    expect((await rig.shark(['fsck', 'p.md'])).code).toBe(0);
    flipByte(objectWith(rig, numbers), true);
    const found = await rig.shark(['fsck', 'p.md', '--json']);
    expect(found.code).toBe(1);
    const report = JSON.parse(found.stdout) as { problems: { problem: string; id: string }[]; results: number; objects: number };
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]!.problem).toBe('corrupt');
    expect(report.results).toBe(1);
    const repaired = await rig.shark(['fsck', 'p.md', '--repair']);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain('repaired: bad data quarantined, 1 result dropped');
    expect((await rig.shark(['fsck', 'p.md'])).code).toBe(0);
    // The key is the same: what changed is that the result was dropped.
    const dropped = 'the previous result was dropped by `shark fsck --repair` (its data was missing or damaged)';
    expect((await rig.plan('p.md')).jobs[0]).toMatchObject({ job: 'integrity', status: 'run', reasons: [dropped] });
    expect((await rig.shark(['plan', 'p.md'])).stdout).toContain(dropped);
    const before = rig.count();
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    // The producer runs again; its consumer is cached, since the good bytes have the same id.
    expect(rig.lines().slice(before)).toEqual(['make']);
    expect(rig.read('_shark/numbers.txt')).toBe(numbers);
  });

  it('notices an object of another size whose time was put back (touch -d @1, or to its own stored time), and publishes no wrong bytes', async () => {
    const object = objectWith(rig, numbers);
    for (const time of [1, storedSeconds(numbers.length)]) {
      chmodSync(object, 0o644);
      writeFileSync(object, 'evil\n');
      utimesSync(object, time, time);
      chmodSync(object, 0o444);
      expect(toRun(await rig.plan('p.md'))).toContain('integrity');
      expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
      expect(rig.read('_shark/sum.txt')).toBe('2001000\n');
    }
  });

  it('fsck --repair of an object gone says nothing was quarantined (it said bad data was)', async () => {
    rmSync(objectWith(rig, numbers));
    const repaired = await rig.shark(['fsck', 'p.md', '--repair']);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(/^repaired: 1 result dropped; the next run recomputes them$/m);
  });

  it('fsck --repair also drops what a job made from the damaged bytes after the last clean check, so the next run recomputes it right', async () => {
    expect((await rig.shark(['fsck', 'p.md'])).code).toBe(0);
    flipByte(objectWith(rig, numbers), true);
    // The consumer reads the damaged bytes under the good id: its sum is wrong, and cached under its usual key.
    expect((await rig.shark(['run', 'p.md', '--force', 'integrity-2'])).code).toBe(0);
    expect(rig.read('_shark/sum.txt')).not.toBe('2001000\n');
    const repaired = await rig.shark(['fsck', 'p.md', '--repair']);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain('2 results dropped');
    const plan = await rig.plan('p.md');
    expect(toRun(plan)).toEqual(['integrity', 'integrity-2']);
    expect(plan.jobs[1]!.reasons).toEqual(['upstream will run (integrity)']);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.read('_shark/sum.txt')).toBe('2001000\n');
    // diff of the two runs: the step that read damaged bytes is not blamed as nondeterministic.
    const diff = await rig.shark(['diff', 'p.md', '/data/sum.txt', '--from', '2', '--to', '3']);
    expect(diff.stdout).toMatch(/^damaged +integrity-2 .*same command and inputs, output \/data\/sum\.txt changed \(.*\): the old result was dropped by shark fsck --repair, its data or what it read damaged$/m);
    expect(diff.stdout).not.toContain('nondeterministic');
  });

  it('fsck refuses a FILE that is not there, as every command that takes one does, though a store is next to it', async () => {
    const missing = await rig.shark(['fsck', 'nope.md']);
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([2, '', 'nope.md: error: cannot read pipeline: no such file\n']);
    expect((await rig.shark(['fsck', 'nope.md', '--json'])).code).toBe(2);
    const dir = await rig.shark(['fsck', '.shark']);
    expect([dir.code, dir.stdout, dir.stderr]).toEqual([2, '', '.shark: error: cannot read pipeline: is a directory, not a markdown file\n']);
    expect((await rig.shark(['fsck', 'p.md'])).code).toBe(0);
  });

  it('fsck, or the first plan, re-hashes objects that were touched or copied since stored and, their bytes sound, trusts them again', async () => {
    const root = rig.path('.shark/objects');
    const objects = readdirSync(root).flatMap((p) => readdirSync(join(root, p)).map((n) => join(root, p, n)));
    for (const o of objects) utimesSync(o, new Date(), new Date()); // `touch`: the same bytes, a new time
    const fsck = await rig.shark(['fsck', 'p.md', '--json']);
    expect(fsck.code).toBe(0);
    expect(JSON.parse(fsck.stdout)).toMatchObject({ problems: [], refreshed: objects.length });
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    expect((await rig.shark(['export', 'crate', 'p.md', '-o', rig.path('crate')])).code).toBe(0);
    // A second fsck has nothing left to refresh.
    expect((await rig.shark(['fsck', 'p.md'])).stdout).not.toMatch(/recorded again/);
    // A copy of the project (`cp -r`: new inodes and times) is trusted again after fsck too.
    const copy = new Rig();
    const plain = new Rig();
    try {
      cpSync(rig.dir, copy.dir, { recursive: true });
      const again = await copy.shark(['fsck', 'p.md']);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/\d+ objects? changed only in (its|their) stat since stored \(a touch or a copy\), (its|their) bytes sound: recorded again/);
      expect(toRun(await copy.plan('p.md'))).toEqual([]);
      // Without fsck, the first plan hashes them again itself (as `git status` does after a copy), and records them.
      cpSync(rig.dir, plain.dir, { recursive: true });
      expect(toRun(await plain.plan('p.md'))).toEqual([]);
      expect((await plain.shark(['fsck', 'p.md'])).stdout).not.toMatch(/recorded again/);
    } finally {
      copy.cleanup();
      plain.cleanup();
    }
  });

  it('an object of another mode (0755 after a copy) that a commit re-hashes and accepts is given its stored mode back', async () => {
    const object = objectWith(rig, numbers);
    chmodSync(object, 0o755);
    utimesSync(object, new Date(), new Date()); // as a copy leaves it: a new time too, so it is hashed again
    // The same bytes made by another command: its commit finds the object and re-hashes it.
    rig.write('p.md', PIPELINE.replace('seq 1 2000 >', 'seq 1 1 2000 >'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(lstatSync(object).mode & 0o7777).toBe(0o444);
    const fsck = await rig.shark(['fsck', 'p.md']);
    expect(fsck.stdout).not.toMatch(/^mode /m);
    expect(fsck.code).toBe(0);
  });

  it('fails a host job that modifies its input in place, naming it, and recomputes the damaged result next time', async () => {
    rig.write('p.md', PIPELINE.replace("echo sum >> counter;", "echo sum >> counter; echo 1 | tee -a /data/numbers.txt >/dev/null;"));
    const ran = await rig.shark(['run', 'p.md', '--json']);
    expect(ran.code).toBe(1);
    const failed = ran.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['type'] === 'job-failed');
    // Its command ended well (status 0): what it did to its input failed it.
    expect(failed).toMatchObject({ reason: 'modified-input', exitCode: 0 });
    expect(String(failed!['message'])).toContain('/data/numbers.txt');
    const lineage = await rig.shark(['lineage', 'p.md', '/data/sum.txt']);
    expect(lineage.code).toBe(1);
    expect(lineage.stderr).toMatch(/\/data\/sum\.txt was not produced: job integrity-2 \(line 8\) failed in run 2 \(modified-input, exit status 0\)/);
    expect(toRun(await rig.plan('p.md'))).toContain('integrity');
    // The damaged object was discarded on purpose: not a problem for fsck, and run 1's lineage stays.
    const fsck = await rig.shark(['fsck', 'p.md']);
    expect(fsck.stdout).toMatch(/ok: no missing or corrupt data/);
    expect(fsck.code).toBe(0);
    expect((await rig.shark(['lineage', 'p.md', '/data/numbers.txt', '--run', '1'])).code).toBe(0);
    rig.write('p.md', PIPELINE);
    const before = rig.count();
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.lines().slice(before)).toEqual(['make']);
    expect(rig.read('_shark/numbers.txt')).toBe(numbers);
  });

  it('copies an output that is a hard link to a file outside the workspace, leaving that file alone', async () => {
    const outside = rig.write('mine.txt', 'my own file\n');
    chmodSync(outside, 0o640);
    const ino = lstatSync(outside).ino;
    rig.write('q.md', `# q\n\n\`\`\`shark-run\nln ${outside} /data/out.txt\n\`\`\`\n`);
    expect((await rig.shark(['run', 'q.md'])).code).toBe(0);
    expect(lstatSync(outside).mode & 0o777).toBe(0o640);
    expect(lstatSync(outside).nlink).toBe(1);
    expect(lstatSync(objectWith(rig, 'my own file\n')).ino).not.toBe(ino);
    writeFileSync(outside, 'changed later\n');
    // The command names the file, so its change re-runs the step; the stored copy keeps the bytes it had.
    const plan = await rig.plan('q.md');
    expect(toRun(plan)).toEqual(['q']);
    expect(plan.jobs[0]!.reasons).toEqual([expect.stringMatching(/^local file \/.*\/mine\.txt changed /)]);
    expect(readFileSync(objectWith(rig, 'my own file\n'), 'utf8')).toBe('my own file\n');
  });
});

describe('why a job runs after fsck --repair, when its command was edited and put back before', () => {
  it('says its result was dropped, not that its command changed (the edit\'s attempt is not what it is from)', async () => {
    const rig = new Rig();
    try {
      const doc = (word: string): string => `# rs\n\n\`\`\`shark-run\necho ${word} > /data/a.txt\n\`\`\`\n`;
      for (const word of ['one', 'two', 'one']) {
        rig.write('p.md', doc(word));
        expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
      }
      flipByte(objectWith(rig, 'one\n'), true);
      expect((await rig.shark(['fsck', 'p.md', '--repair'])).code).toBe(0);
      expect((await rig.plan('p.md')).jobs[0]).toMatchObject({ status: 'run', reasons: ['the previous result was dropped by `shark fsck --repair` (its data was missing or damaged)'] });
    } finally {
      rig.cleanup();
    }
  });
});
