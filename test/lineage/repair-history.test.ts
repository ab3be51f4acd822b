import { chmodSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LineageNode } from '../../src/lineage/lineage.js';
import { Rig, toRun } from '../support/rig.js';
import { objectPath } from './fixture.js';

describe('fsck --repair drops a damaged result: the run that made it keeps its record', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig('shark-repair-');
    rig.write('p.md', `\`\`\`shark-run
echo one > /data/a.txt
\`\`\`

\`\`\`shark-run
echo run-2 >> counter; tr a-z A-Z < /data/a.txt > /data/b.txt
\`\`\`

\`\`\`shark-run
cat /data/b.txt /data/a.txt > /data/c.txt
\`\`\`
`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const b = (JSON.parse((await rig.shark(['lineage', 'p.md', '/data/b.txt', '--json'])).stdout) as LineageNode).outputs['/data/b.txt']!;
    const path = objectPath(rig, b);
    chmodSync(path, 0o644);
    writeFileSync(path, 'X\n');
    expect((await rig.shark(['fsck', 'p.md', '--repair'])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  it('lineage shows the job that made the dropped data, marked dropped, never as an input', async () => {
    const json = await rig.shark(['lineage', 'p.md', '/data/c.txt', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const b = (JSON.parse(json.stdout) as LineageNode).inputs.find((i) => i.path === '/data/b.txt')!;
    expect(b.from.map((f) => f.job)).toEqual(['run-2']);
    expect(b.from[0]!.dropped).toBe(true);
    const text = await rig.shark(['lineage', 'p.md', '/data/c.txt']);
    expect(text.stdout).not.toMatch(/← \/data\/b\.txt.*\(input\)/);
    expect(text.stdout).toContain('dropped by `shark fsck --repair`');
    const own = await rig.shark(['lineage', 'p.md', '/data/b.txt']);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toMatch(/^run-2 /);
    const prov = await rig.shark(['export', 'prov', 'p.md']);
    expect(prov.stdout).toContain('run/1/job/run-2"');
  });

  it('the next run recomputes it; the earlier run still says its data was dropped', async () => {
    expect(toRun(await rig.plan('p.md'))).toContain('run-2');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.lines()).toEqual(['run-2', 'run-2']);
    const latest = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/b.txt', '--json'])).stdout) as LineageNode;
    expect(latest.dropped).toBeUndefined();
    const first = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/b.txt', '--json', '--run', '1'])).stdout) as LineageNode;
    expect(first.dropped).toBe(true);
    expect((await rig.shark(['fsck', 'p.md'])).code).toBe(0);
  });
});

describe('export crate of a run whose result fsck --repair dropped says it was dropped', () => {
  let rig: Rig;
  afterEach(() => rig.cleanup());

  it('also when a reduce read the dropped item inside its map\'s directory (it said: run `shark fsck`, which had run)', async () => {
    rig = new Rig('shark-repair-crate-');
    rig.write('p.md', '```shark-import\nfile:in/ /data/in/\n```\n\n```shark-run\ntr a-z A-Z < /data/in/*.txt > /data/up/+\n```\n\n```shark-run\ncd /data/up/ && cat * > /data/all.txt\n```\n');
    rig.write('in/a.txt', 'a\n');
    rig.write('in/b.txt', 'b\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const made = (JSON.parse((await rig.shark(['lineage', 'p.md', '/data/up/b.txt', '--json'])).stdout) as LineageNode).outputs['/data/up/b.txt']!;
    chmodSync(objectPath(rig, made), 0o644);
    writeFileSync(objectPath(rig, made), 'X\n');
    expect((await rig.shark(['fsck', 'p.md', '--repair'])).code).toBe(0);
    const out = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
    expect([out.code, out.stderr]).toEqual([1, 'shark: error: cannot write the crate: the data of /data/up/b.txt in run 1 was missing or damaged, and `shark fsck --repair` dropped its result (`shark export prov --run 1` describes the run without its data)\n']);
  });
});
