import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * The lineage of a file inside a directory an import wrote whole is the
 * import's: its outputs show the directory's tree, so two runs' answers
 * differed only in that id, never naming the file's own bytes.
 */
describe('shark lineage of a file inside an imported directory', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-lineage-inside-');
    rig.write('in/a.txt', '1\n');
    rig.write('in/b.txt', '2\n');
    rig.write('p.md', '# In\n\n```shark-import\nin /data/in/\n```\n\n# Use\n\n```shark-run\ncat /data/in/a.txt > /data/a.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it("says the file's own id first, and the directory it is inside", async () => {
    const shown = await rig.shark(['lineage', 'p.md', '/data/in/a.txt']);
    expect(shown.code).toBe(0);
    // sha256 of "1\n".
    expect(shown.stdout.split('\n')[0]).toBe('/data/in/a.txt  sha256:4355a46b19d348dc2f57c046f8ef63d4538ebb936000f3c9ee954a27460dd865  (inside /data/in, which in wrote whole)');
    expect(shown.stdout.split('\n')[1]).toMatch(/^in {2}\(p\.md:4:1, import\)$/);
  });

  it('says nothing more for the directory itself, or for an output a job wrote by its own path', async () => {
    expect((await rig.shark(['lineage', 'p.md', '/data/in'])).stdout).toMatch(/^in {2}\(p\.md/);
    expect((await rig.shark(['lineage', 'p.md', '/data/a.txt'])).stdout).toMatch(/^use {2}\(p\.md/);
  });
});
