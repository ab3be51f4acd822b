import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LineageNode } from '../../src/lineage/lineage.js';
import { Rig, toRun } from '../support/rig.js';
import { objectPath } from './fixture.js';

/** `run` writes new bytes each time it runs (w.txt read by no job); `run-2` reads them, `run-3` both. */
const PIPELINE = `\`\`\`shark-run
echo run >> counter; cat /proc/sys/kernel/random/uuid > /data/t.txt; cat /proc/sys/kernel/random/uuid > /data/w.txt
\`\`\`

\`\`\`shark-run
echo run-2 >> counter; tr a-f A-F < /data/t.txt > /data/u.txt
\`\`\`

\`\`\`shark-run
echo run-3 >> counter; cat /data/u.txt /data/t.txt > /data/v.txt
\`\`\`
`;

describe('a job re-run under the same key: each run keeps the result it made or reused', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-rerun-');
    rig.write('p.md', PIPELINE);
  });
  afterEach(() => rig.cleanup());

  const lineage = async (...args: string[]): Promise<LineageNode> => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/u.txt', '--json', ...args]);
    expect(ran.code, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout) as LineageNode;
  };

  it('run --force: lineage, export prov and export crate of the earlier run show its own producer, bytes and times', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '--force', 'run'])).code).toBe(0);
    expect(rig.lines()).toEqual(['run', 'run-2', 'run-3', 'run', 'run-2', 'run-3']);

    const first = await lineage('--run', '1');
    const second = await lineage('--run', '2');
    const read1 = first.inputs[0]!;
    const read2 = second.inputs[0]!;
    expect(read1.id).not.toBe(read2.id);
    // The job that made what run 1 read: run 1's job, with run 1's bytes and times.
    const maker1 = read1.from[0]!;
    expect(maker1.job).toBe('run');
    expect(maker1.outputs['/data/t.txt']).toBe(read1.id);
    expect(maker1.ended <= first.started).toBe(true);
    expect(read2.from[0]!.outputs['/data/t.txt']).toBe(read2.id);
    expect(maker1.started < read2.from[0]!.started).toBe(true);

    const text = await rig.shark(['lineage', 'p.md', '/data/u.txt', '--run', '1']);
    expect(text.stdout).toContain(`→ /data/t.txt  ${read1.id}`);
    expect(text.stdout).not.toContain(read2.id);

    const prov = await rig.shark(['export', 'prov', 'p.md', '--run', '1']);
    expect(prov.code, prov.stderr).toBe(0);
    expect(prov.stdout).not.toContain('run/2/');
    expect(prov.stdout).toContain('run/1/job/run"');

    const crate = await rig.shark(['export', 'crate', 'p.md', '--run', '1', '-o', 'crate1']);
    expect(crate.code, crate.stderr).toBe(0);
    const metadata = rig.read('crate1/ro-crate-metadata.json');
    expect(metadata).not.toContain('#run-2-');
    expect(rig.read('crate1/data/t.txt')).toBe(readFileSync(objectPath(rig, read1.id), 'utf8'));
  });

  it('why finds the job that made bytes a later forced run replaced', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const old = (await lineage()).inputs[0]!.id;
    expect((await rig.shark(['run', 'p.md', '--force', 'run'])).code).toBe(0);
    writeFileSync(rig.path('old.txt'), readFileSync(objectPath(rig, old)));
    const why = await rig.shark(['why', 'old.txt', '--json']);
    expect(why.code, why.stderr).toBe(0);
    const made = (JSON.parse(why.stdout) as { files: { produced: { job: string; run: number; lineage: LineageNode }[] }[] }).files[0]!.produced;
    expect(made.map((m) => [m.job, m.run])).toEqual([['run', 1]]);
    expect(made[0]!.lineage.outputs['/data/t.txt']).toBe(old);
  });

  it('gc frees what only a replaced result held; the earlier run keeps its lineage, and its crate names gc', async () => {
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const old = (await lineage()).inputs[0]!.id;
    expect((await rig.shark(['run', 'p.md', '--force', 'run'])).code).toBe(0);
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.code, gc.stderr).toBe(0);
    // Run 1's t.txt, w.txt, u.txt and v.txt.
    expect(gc.stdout).toMatch(/freed 4 objects/);
    expect((await rig.shark(['fsck', 'p.md'])).code).toBe(0);
    expect((await lineage('--run', '1')).inputs[0]!.from[0]!.outputs['/data/t.txt']).toBe(old);
    const crate = await rig.shark(['export', 'crate', 'p.md', '--run', '1', '-o', 'crate1']);
    expect(crate.code).toBe(1);
    expect(crate.stderr).toContain('freed by `shark gc`');
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });

  it('gc keeps what the latest finished run made, though a newer interrupted run replaced it', async () => {
    rig.write('p.md', PIPELINE.replace('echo run-2 >> counter;', `echo run-2 >> counter; test -e ${rig.path('slow')} && sleep 60;`));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect((await rig.shark(['gc', 'p.md'])).stdout).toMatch(/would free 0 objects/);
    rig.write('slow', '');
    const forced = rig.start(['run', 'p.md', '--force', 'run']);
    // run-2 starts (and sleeps) once run's new result is committed.
    for (let i = 0; i < 600 && rig.lines().length < 5; i++) await new Promise((r) => setTimeout(r, 50));
    expect(rig.lines()).toEqual(['run', 'run-2', 'run-3', 'run', 'run-2']);
    forced.process.kill('SIGKILL');
    await forced.ended;
    const gc = await rig.shark(['gc', 'p.md']);
    expect(gc.stdout).toMatch(/run 1 \(latest finished run, 3 results\), run 2 \(interrupted, newer/);
    // Run 1's w.txt is read by no job: only run 1's own result of `run` holds it, and run 1 is kept.
    expect(gc.stdout).toMatch(/would free 0 objects/);
  });
});
