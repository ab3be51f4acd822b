import { chmodSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const pipeline = (word: string): string =>
  `# g\n\n\`\`\`shark-run\necho ${word} > /data/a.txt\n\`\`\`\n\n\`\`\`shark-run\nmkdir /data/d && cat /data/a.txt /data/a.txt > /data/d/b.txt\n\`\`\`\n`;

/** The object file holding `content` in the rig's store. */
function objectWith(rig: Rig, content: string): string {
  const root = rig.path('.shark/objects');
  for (const prefix of readdirSync(root)) {
    for (const name of readdirSync(join(root, prefix))) {
      if (readFileSync(join(root, prefix, name), 'utf8') === content) return join(root, prefix, name);
    }
  }
  throw new Error('no such object');
}

describe('shark export crate: a run whose data is not in the store', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig();
    rig.write('g.md', pipeline('1'));
    expect((await rig.shark(['run', 'g.md'])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  it('says which /data path gc freed, exits 1, and writes nothing', async () => {
    rig.write('g.md', pipeline('2'));
    expect((await rig.shark(['run', 'g.md'])).code).toBe(0);
    expect((await rig.shark(['gc', 'g.md', '--delete'])).code).toBe(0);
    const ran = await rig.shark(['export', 'crate', 'g.md', '--run', '1', '-o', 'crate']);
    expect(ran.stderr).toMatch(/^shark: error: cannot write the crate: the data of \/data\/a\.txt in run 1 was freed by `shark gc`/);
    expect(ran.stderr).not.toMatch(/shark-tmp|\.crate-|--repair/);
    expect(ran.code).toBe(1);
    expect(rig.exists('crate')).toBe(false);
    expect((await rig.shark(['export', 'crate', 'g.md', '--run', '2', '-o', 'crate'])).code).toBe(0);
  });

  it('names the /data path of a damaged object inside a directory, exits 1, and advises fsck', async () => {
    const object = objectWith(rig, '1\n1\n');
    chmodSync(object, 0o644);
    writeFileSync(object, '1\n2\n');
    utimesSync(object, new Date(), new Date());
    const ran = await rig.shark(['export', 'crate', 'g.md', '-o', 'crate']);
    expect(ran.stderr).toMatch(/the stored data of \/data\/d\/b\.txt in run 1 is missing or damaged \(sha256:[0-9a-f]+\): run `shark fsck`/);
    expect(ran.stderr).not.toMatch(/shark-tmp|\.crate-/);
    expect(ran.code).toBe(1);
  });
});
