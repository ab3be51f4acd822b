import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { describeWithPython } from './fixture.js';

const READER = join(import.meta.dirname, 'read-prov.py');

interface Found {
  activityTimes: Record<string, { start: string; end: string }>;
  ordering: string[];
}

/** `a` writes a file `b` reads; `a`'s command can be changed without changing its bytes. */
const chain = (command: string): string => `# Chain\n\n\`\`\`shark-run\n${command} > /data/a.txt\n\`\`\`\n\n\`\`\`shark-run\ncat /data/a.txt > /data/b.txt\n\`\`\`\n`;

/** A map over the files of an input directory, then a reduce over the directory it filled. */
const mapReduce = (command: string): string => '# Map then reduce\n\n```shark-run\nmkdir -p /data/in && echo 1 > /data/in/a.txt && echo 2 > /data/in/b.txt\n```\n\n'
  + `\`\`\`shark-run\n${command} /data/in/* > /data/out/+\n\`\`\`\n\n\`\`\`shark-run\ncd /data/out/ && cat * > /data/all.txt\n\`\`\`\n`;

describeWithPython('shark export prov of a run with cached jobs: valid PROV (PROV-CONSTRAINTS event ordering)', ['prov'], (python) => {
  let rig: Rig;
  beforeEach(() => void (rig = new Rig('shark-prov-order-')));
  afterEach(() => rig.cleanup());

  const exported = async (file: string, out: string, run?: number): Promise<Found> => {
    const ran = await rig.shark(['export', 'prov', file, '-o', out, ...(run === undefined ? [] : ['--run', String(run)])]);
    expect(ran.code, ran.stderr).toBe(0);
    return JSON.parse(execFileSync(python, [READER, 'json', rig.path(out)], { encoding: 'utf8' })) as Found;
  };
  const run = async (file: string): Promise<void> => {
    const ran = await rig.shark(['run', file]);
    expect(ran.code, ran.stderr).toBe(0);
  };

  it('a cached job read the bytes its own run made, not the same bytes a later run made again', async () => {
    rig.write('p.md', chain("printf 'x\\n'"));
    await run('p.md');
    const first = await exported('p.md', 'run1.json');
    rig.write('p.md', chain('echo x'));
    await run('p.md');
    const second = await exported('p.md', 'run2.json');
    expect(second.ordering).toEqual([]);
    const reader = Object.keys(second.activityTimes).filter((a) => a.endsWith('/job/chain-2'));
    expect(reader).toEqual(['shark-job:run/1/job/chain-2']);
    expect(second.activityTimes[reader[0]!]).toEqual(first.activityTimes[reader[0]!]);
    // Run 3 finds both cached, made by two runs.
    await run('p.md');
    const third = await exported('p.md', 'run3.json');
    expect(third.ordering).toEqual([]);
    expect(Object.keys(third.activityTimes).sort()).toEqual(['shark-job:run/1/job/chain-2', 'shark-job:run/2/job/chain', 'shark-run:3']);
  });

  it('a cached reduce read the directory its own run filled, not the one a later run filled again with the same bytes', async () => {
    rig.write('p.md', mapReduce('cat'));
    await run('p.md');
    rig.write('p.md', mapReduce('cat <'));
    await run('p.md');
    const found = await exported('p.md', 'run2.json');
    expect(found.ordering).toEqual([]);
    expect(Object.keys(found.activityTimes).filter((a) => a.includes('reduce-3'))).toEqual(['shark-job:run/1/job/map-then-reduce-3']);
  });
});
