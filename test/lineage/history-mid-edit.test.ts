import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * What runs recorded, asked while the document does not check (mid-edit):
 * a command whose answer is the records' answers from them, as `runs` does;
 * one that names things as the document does now says so in one line.
 */
const PIPELINE = '# Shared\n\n```shark-import\nin/ /data/in/\n```\n\n## Map\n\n```shark-run\ncp /data/in/*.txt /data/out/+\n```\n\n## Join\n\n```shark-run\ncd /data/out/ && cat *.txt > /data/all.txt\n```\n';
/** The join as it is being rewritten: a map over the wildcard, all writing one path (an error). */
const MID_EDIT = PIPELINE.replace('cd /data/out/ && cat *.txt > /data/all.txt', 'cat /data/out/*.txt > /data/all.txt');
const WARNING = "shark: warning: p.md does not check now (`shark check p.md` says where): ";

describe('history commands while the document does not check', () => {
  const rig = new Rig('shark-history-mid-edit-');
  beforeAll(async () => {
    rig.write('p.md', PIPELINE);
    rig.write('in/a.txt', 'a\n');
    rig.write('in/b.txt', 'b\n');
    expect((await rig.shark(['keygen', '-o', 'k'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '--sign', 'k.key'])).code).toBe(0);
    rig.write('in/b.txt', 'c\n');
    expect((await rig.shark(['run', 'p.md', '--sign', 'k.key'])).code).toBe(0);
    rig.write('p.md', MID_EDIT);
    expect((await rig.shark(['check', 'p.md'])).code).toBe(2);
  });
  afterAll(() => rig.cleanup());

  it('diff and attest answer from the records alone, saying nothing of the document; verify says what it cannot know', async () => {
    const diff = await rig.shark(['diff', 'p.md', '/data/all.txt']);
    expect(diff.stderr).toBe('');
    expect(diff.stdout).toMatch(/^\/data\/all\.txt in run 1 \(\w+…\) → \/data\/all\.txt in run 2 \(\w+…\)\nroot cause  shared/);
    expect(diff.code).toBe(1);
    const attest = await rig.shark(['attest', 'p.md', '/data/all.txt']);
    expect(attest.stderr).toBe('');
    expect(attest.stdout.split('\n').filter((l) => l !== '')).toHaveLength(4);
    const verify = await rig.shark(['verify', 'p.md', '/data/all.txt', '--key', 'k.pub']);
    expect(verify.stderr).toBe(`${WARNING}it knows no frontmatter input, so an input no job of the run wrote is vouched for by nothing\n`);
    expect(verify.stdout).toContain('/data/all.txt: verified 4 envelopes');
    expect(verify.code).toBe(0);
  });

  it('lineage answers from the records, saying in one line that it picks no run by the document', async () => {
    const lineage = await rig.shark(['lineage', 'p.md', '/data/all.txt']);
    expect(lineage.stderr).toBe(`${WARNING}the lineage is the latest run's record of /data/all.txt, whatever values that run ran with\n`);
    expect(lineage.stdout).toMatch(/^join  \(p\.md:16:1, host:linux\/\w+\)\n  \$ cd \/data\/out\/ && cat \*\.txt > \/data\/all\.txt\n/);
    expect(lineage.code).toBe(0);
    // -e picks a run by the document's values: that needs the document.
    const picked = await rig.shark(['lineage', 'p.md', '/data/all.txt', '-e', 'X=1']);
    expect(picked.stderr).toMatch(/^p\.md:16:23: error: `\/data\/all\.txt` would be written by every job of this map/);
    expect(picked.code).toBe(2);
  });

  it('logs shows every log from the records, and a block by the name the run gave it, saying so', async () => {
    const all = await rig.shark(['logs', 'p.md']);
    expect(all.stderr).toBe('');
    expect(all.stdout).toContain('==> join (ok, line 16) (printed nothing)\n');
    const join = await rig.shark(['logs', 'p.md', 'join']);
    expect(join.stderr).toBe(`${WARNING}jobs are named as the run named them\n`);
    expect(join.stdout).toBe('==> join (ok, line 16) (printed nothing)\n');
    expect(join.code).toBe(0);
    const none = await rig.shark(['logs', 'p.md', 'nope']);
    expect(none.stderr).toBe(`${WARNING}jobs are named as the run named them\nshark: no job of run 2 matches \`nope\` (blocks: shared, map, join)\n`);
    expect(none.code).toBe(1);
  });

  it('export refuses with the document\'s errors and one line saying why it needs the document', async () => {
    for (const args of [['export', 'prov', 'p.md'], ['export', 'crate', 'p.md', '-o', 'crate']]) {
      const ran = await rig.shark(args);
      expect(ran.stderr).toMatch(/^p\.md:16:23: error: `\/data\/all\.txt` would be written by every job of this map/);
      expect(ran.stderr).toMatch(/\n1 error in p\.md\nshark: error: an export holds the document as it is now, which does not check: fix it first \(`shark lineage`, `shark diff` and `shark logs` read the runs' records meanwhile\)\n$/);
      expect(ran.code).toBe(2);
    }
    expect(rig.exists('crate')).toBe(false);
  });
});
