import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync } from 'node:fs';
import { Rig } from '../support/rig.js';

const fence = '```';

/** Two steps whose small results share bytes (`1`): a file on disk holding them was made by both. */
const PIPELINE = `# P

## Count

${fence}shark-run
echo 1 > /data/count.txt
${fence}

## Total

${fence}shark-run
echo 1 > /data/total.txt
${fence}

${fence}shark-publish
/data/total.txt
${fence}
`;

type DiffJson = {
  old: { run: number | null; path: string };
  new: { run: number | null; path: string };
  steps: { job: string; class: string; changes: { field: string; old: string | null; new: string | null }[] }[];
};

/**
 * `diff FILE OLD NEW` with files on disk whose bytes several jobs made: each
 * side is the making at the other side's path, not the newest making of
 * those bytes anywhere; when nothing tells them apart, diff says so.
 */
describe('shark diff of files whose bytes several jobs made', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-diff-shared-');
  });
  afterEach(() => rig.cleanup());

  it('the old file is taken as the making that wrote the new one\'s path', async () => {
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    cpSync(rig.path('_shark/total.txt'), rig.path('old.txt'));
    // count makes the old bytes again, later, under another command.
    rig.write('p.md', PIPELINE.replace('echo 1 > /data/total.txt', 'echo 2 > /data/total.txt').replace('echo 1 > /data/count.txt', 'printf "1\\n" > /data/count.txt'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const ran = await rig.shark(['diff', 'p.md', 'old.txt', '_shark/total.txt', '--json']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(1);
    const answer = JSON.parse(ran.stdout) as DiffJson;
    expect([answer.old.run, answer.old.path, answer.new.run, answer.new.path]).toEqual([1, '/data/total.txt', 2, '/data/total.txt']);
    expect(answer.steps.map((s) => [s.job, s.class])).toEqual([['total', 'root-cause']]);
    expect(answer.steps[0]!.changes).toEqual([{ field: 'command', old: 'echo 1 > /data/total.txt', new: 'echo 2 > /data/total.txt' }]);
    // The other way round too: the new file is found by the old one's path.
    const back = JSON.parse((await rig.shark(['diff', 'p.md', '_shark/total.txt', 'old.txt', '--json'])).stdout) as DiffJson;
    expect([back.old.path, back.new.path, back.new.run]).toEqual(['/data/total.txt', '/data/total.txt', 1]);
  });

  it('when the makings of both files leave it open, diff says so and names them', async () => {
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    cpSync(rig.path('_shark/total.txt'), rig.path('old.txt'));
    rig.write('p.md', PIPELINE.replaceAll('echo 1', 'echo 2'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const ran = await rig.shark(['diff', 'p.md', 'old.txt', '_shark/total.txt']);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain('shark: error: ');
    expect(ran.stderr).toContain('/data/count.txt');
    expect(ran.stderr).toContain('/data/total.txt');
    expect(ran.stderr).toContain('shark diff p.md /data/PATH --from RUN --to RUN');
  });
});
