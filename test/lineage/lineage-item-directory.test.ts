import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A map whose items are directories (`/data/parts/+/`), one of them failed
 * under `-k`: `lineage` of the failed item's directory names the failed job
 * (as it does for `/data/out/+`), and a file inside an item's directory that
 * was made is whole, whatever the step's other jobs did: no `did not finish` note.
 */
const PIPELINE = `# Parts

\`\`\`shark-import
in/ /data/in/
\`\`\`

## Split

\`\`\`shark-run
cp /data/in/*.txt /data/parts/+/ && test "$(cat /data/in/*.txt)" != b
\`\`\`
`;

describe('shark lineage of a map writing a directory per item', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-lineage-item-directory-');
    rig.write('p.md', PIPELINE);
    for (const name of ['a', 'b', 'c']) rig.write(`in/${name}.txt`, `${name}\n`);
    expect((await rig.shark(['run', 'p.md', '-k'])).code).toBe(1);
  });
  afterAll(() => rig.cleanup());

  it('names the failed item whose directory it is, and what would be inside it', async () => {
    const dir = await rig.shark(['lineage', 'p.md', '/data/parts/b.txt']);
    expect(dir.code).toBe(1);
    expect(dir.stderr).toBe('shark: /data/parts/b.txt was not produced: job split[b.txt] (line 10) failed in run 1 (exit status 1)\n');
    const inside = await rig.shark(['lineage', 'p.md', '/data/parts/b.txt/b.txt']);
    expect(inside.code).toBe(1);
    expect(inside.stderr).toMatch(/^shark: \/data\/parts\/b\.txt\/b\.txt was not produced: job split\[b\.txt\] /);
  });

  it('says nothing of the unfinished map for a file of one item, which is whole', async () => {
    const file = await rig.shark(['lineage', 'p.md', '/data/parts/a.txt/a.txt']);
    expect(file.code).toBe(0);
    // The file's own id first: the job wrote its item's directory whole.
    expect(file.stdout).toMatch(/^\/data\/parts\/a\.txt\/a\.txt {2}sha256:[0-9a-f]{64} {2}\(inside \/data\/parts\/a\.txt, which split\[a\.txt\] wrote whole\)\nsplit\[a\.txt\] /);
    expect(file.stdout).not.toMatch(/note:/);
    const json = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/parts/a.txt/a.txt', '--json'])).stdout) as { unfinished?: string };
    expect(json.unfinished).toBeUndefined();
    // The directory of all items still says so.
    expect((await rig.shark(['lineage', 'p.md', '/data/parts/'])).stdout).toMatch(/note: run 1 did not finish split/);
  });
});
