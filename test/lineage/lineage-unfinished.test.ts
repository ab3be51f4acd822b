import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * `lineage` of a map's directory from a run that did not finish the map
 * (an item failed, Ctrl-C) says so: the directory holds what the jobs that
 * ended well wrote, not what the map would have made.
 */
const PIPELINE = `# Unfinished

\`\`\`shark-import
in/ /data/in/
\`\`\`

## Map

\`\`\`shark-run
grep -q c /data/in/*.txt && exit 3; cp /data/in/*.txt /data/out/+
\`\`\`
`;

describe('shark lineage of a directory a run did not finish', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-lineage-unfinished-');
    rig.write('f.md', PIPELINE);
    for (const name of ['a', 'b', 'c']) rig.write(`in/${name}.txt`, `${name}\n`);
    expect((await rig.shark(['run', 'f.md', '-k'])).code).toBe(1);
  });
  afterAll(() => rig.cleanup());

  it('says which step the run did not finish, in text and JSON', async () => {
    const text = await rig.shark(['lineage', 'f.md', '/data/out/']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').slice(0, 2)).toEqual([
      '/data/out  (2 jobs wrote /data/out)',
      '  note: run 1 did not finish map: 1 of its 3 jobs did not end ok, so /data/out holds only what the others wrote',
    ]);
    const json = JSON.parse((await rig.shark(['lineage', 'f.md', '/data/out/', '--format', 'json'])).stdout) as { unfinished?: string };
    expect(json.unfinished).toBe('run 1 did not finish map: 1 of its 3 jobs did not end ok, so /data/out holds only what the others wrote');
  });

  it('says nothing of it for one item of the directory, nor once a run finishes the map; diff notes the unfinished run', async () => {
    expect((await rig.shark(['lineage', 'f.md', '/data/out/a.txt'])).stdout).not.toMatch(/note:/);
    rig.write('in/c.txt', 'fixed\n');
    expect((await rig.shark(['run', 'f.md'])).code).toBe(0);
    const after = await rig.shark(['lineage', 'f.md', '/data/out/']);
    expect(after.stdout).toMatch(/^\/data\/out {2}\(3 jobs wrote \/data\/out\)\n {2}map\[a\.txt\]/);
    expect(after.stdout).not.toMatch(/note:/);
    const diff = await rig.shark(['diff', 'f.md', '/data/out/', '--from', '1', '--to', '2']);
    expect(diff.stdout.split('\n')[1]).toBe('note: run 1 did not finish map: 1 of its 3 jobs did not end ok, so /data/out holds only what the others wrote; the jobs it did not end well read as only in the other run');
    expect(diff.stdout).toMatch(/only in new {2}map\[c\.txt\]/);
    const json = JSON.parse((await rig.shark(['diff', 'f.md', '/data/out/', '--from', '1', '--to', '2', '--json'])).stdout) as { unfinished?: unknown };
    expect(json.unfinished).toEqual([{ run: 1, note: 'run 1 did not finish map: 1 of its 3 jobs did not end ok, so /data/out holds only what the others wrote' }]);
  });
});

/**
 * While the run is still going, the jobs of the map not yet ended have not
 * failed: the note says the run is still running the map, not that it did
 * not finish it.
 */
describe('shark lineage of a directory while its run still runs the map', () => {
  let rig: Rig;
  afterAll(() => rig.cleanup());

  it('says the run is still running the step, then nothing once it finished it', async () => {
    rig = new Rig('shark-lineage-running-');
    rig.write('f.md', PIPELINE.replace('grep -q c /data/in/*.txt && exit 3;', 'grep -q c /data/in/*.txt && sleep 5;'));
    for (const name of ['a', 'b', 'c']) rig.write(`in/${name}.txt`, `${name}\n`);
    const run = rig.start(['run', 'f.md', '-j', '1']);
    let during = await rig.shark(['lineage', 'f.md', '/data/out/']);
    for (let i = 0; i < 100 && !during.stdout.includes('2 jobs wrote'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      during = await rig.shark(['lineage', 'f.md', '/data/out/']);
    }
    expect(during.stdout.split('\n')[1]).toBe('  note: run 1 is still running map: 1 of its 3 jobs has not ended ok yet, so /data/out holds only what the others wrote so far');
    expect((await run.ended).code).toBe(0);
    expect((await rig.shark(['lineage', 'f.md', '/data/out/'])).stdout).not.toMatch(/note:/);
  }, 30_000);
});
