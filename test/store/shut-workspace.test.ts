import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { noCrash, unprivileged } from '../support/unprivileged.js';

/** What a run leaves in the store's tmp/ once it ended well: nothing for gc to call "left by killed runs". */
describe('a map job that shuts the directory of its inputs (chmod 000), not as root', () => {
  const rig = new Rig();
  const { skip, shark } = unprivileged(rig);
  afterAll(() => rig.cleanup());

  it.skipIf(skip !== undefined)('leaves no workspace behind when the run ends, nor a stored object of another mode (three were kept, until gc removed them "left by killed runs")', async () => {
    rig.write('p.md', '# S\n\n```shark-run\nmkdir -p /data/in/ && for i in 1 2 3; do echo $i > /data/in/$i.txt; done\n```\n\n```shark-run\ncat /data/in/* > /data/out/+ && chmod 000 "$(dirname /data/in/*)"\n```\n');
    const ran = await shark('run', 'p.md', '-j', '1');
    noCrash(ran.stderr);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    // The pile of discarded workspaces is removed in the background: waited for.
    const left = (): string[] => readdirSync(rig.path('.shark/tmp')).filter((n) => n.startsWith('ws-') || n.startsWith('trash-'));
    const deadline = Date.now() + 10_000;
    while (left().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(left()).toEqual([]);
    // Removing them opened their directories only: the inputs' objects they held links to keep their mode (`chmod -R u+rwx` made them 0744).
    const objects = rig.path('.shark/objects');
    const modes = readdirSync(objects).flatMap((d) => readdirSync(join(objects, d)).map((f) => (statSync(join(objects, d, f)).mode & 0o777).toString(8)));
    expect(new Set(modes)).toEqual(new Set(['444']));
    const gc = await shark('gc', 'p.md');
    expect(gc.stdout + gc.stderr).not.toContain('left by killed runs');
  });
});
