import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { Rig } from '../support/rig.js';

/**
 * A path inside a directory one job wrote whole (an import's) is produced
 * by that job only when the directory's tree holds it: a name the directory
 * never had is produced by no run, and a file added later was not produced
 * by the runs before; without `--run`, the latest run whose tree held it.
 * As for a map's directory.
 */
const PIPELINE = "# Entries\n\n```shark-import\nfile:in/ /data/in/\n```\n\n```shark-run\ncd /data/in/ && cat * > /data/all.txt\n```\n";

interface Node { job: string; run: number; outputs: Record<string, string> }

describe('lineage of a path inside an imported directory', () => {
  let rig: Rig;
  const trees: string[] = [];
  beforeAll(async () => {
    rig = new Rig('shark-import-entry-');
    rig.write('p.md', PIPELINE);
    rig.write('in/a.txt', 'one\n');
    rig.write('in/b.txt', 'two\n');
    expect((await rig.shark(['keygen', '-o', 'k'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '--sign', 'k.key'])).code).toBe(0);
    rig.write('in/c.txt', 'three\n');
    expect((await rig.shark(['run', 'p.md', '--sign', 'k.key'])).code).toBe(0);
    rmSync(rig.path('in/b.txt'));
    expect((await rig.shark(['run', 'p.md', '--sign', 'k.key'])).code).toBe(0);
    for (const run of [1, 2, 3]) trees.push((await lineage('/data/in', '--run', String(run))).outputs['/data/in']!);
  });
  afterAll(() => rig.cleanup());

  const lineage = async (path: string, ...args: string[]): Promise<Node> => {
    const ran = await rig.shark(['lineage', 'p.md', path, '--json', ...args]);
    expect(ran.code, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout) as Node;
  };

  it('says no run produced a name the directory never held, and attest and verify fail', async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/in/zzz.txt']);
    expect(ran.stderr).toContain('no run of this pipeline produced /data/in/zzz.txt');
    expect(ran.stdout).toBe('');
    expect(ran.code).toBe(1);
    const attest = await rig.shark(['attest', 'p.md', '/data/in/zzz.txt']);
    expect(attest.stderr).toContain('no run of this pipeline produced /data/in/zzz.txt');
    expect(attest.code).not.toBe(0);
    const verify = await rig.shark(['verify', 'p.md', '/data/in/zzz.txt', '--key', 'k.pub']);
    expect(verify.stderr).toContain('no run of this pipeline produced /data/in/zzz.txt');
    expect(verify.code).not.toBe(0);
  });

  it('says a run before the file was added did not produce it', async () => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/in/c.txt', '--run', '1']);
    expect(ran.stderr).toContain('no job of run 1 produced /data/in/c.txt');
    expect(ran.code).toBe(1);
    expect(await lineage('/data/in/c.txt', '--run', '2')).toMatchObject({ job: 'entries', run: 2, outputs: { '/data/in': trees[1] } });
  });

  it('shows, without --run, the latest run whose directory held the path', async () => {
    expect(await lineage('/data/in/c.txt')).toMatchObject({ run: 3, outputs: { '/data/in': trees[2] } });
    // b.txt was removed before run 3: run 2's import is the latest that brought it in.
    expect(await lineage('/data/in/b.txt')).toMatchObject({ run: 2, outputs: { '/data/in': trees[1] } });
    const gone = await rig.shark(['lineage', 'p.md', '/data/in/b.txt', '--run', '3']);
    expect(gone.stderr).toContain('no job of run 3 produced /data/in/b.txt');
    expect(gone.code).toBe(1);
  });
});
