import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, renameSync, rmSync } from 'node:fs';
import { Rig } from '../support/rig.js';

const doc = (name: string): string => `# ${name}\n\n\`\`\`shark-run\necho ${name} > /data/${name}.txt\n\`\`\`\n`;

/**
 * The documents gc does not keep for are named with a command that keeps
 * theirs too: that command must collect the same store, for the documents
 * where they are now, or following it frees another project's results.
 */
describe('gc names the documents it does not keep for, as a command that keeps them', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig();
    rig.write('a/p.md', doc('p'));
    rig.write('a/other.md', doc('other'));
    for (const d of ['a/p.md', 'a/other.md']) expect((await rig.shark(['run', d])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  it('in a copied project, names its own copy of the document, not the original beside the original store', async () => {
    cpSync(rig.path('a'), rig.path('b'), { recursive: true });
    const dry = await rig.shark(['gc', 'b/p.md']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain('not kept: the results of b/other.md (1 run). Give them too to keep theirs: shark gc b/p.md b/other.md\n');
    // Removed from the copy, it is no longer there: the original beside the original store is no document of this one.
    rmSync(rig.path('b/other.md'));
    const gone = await rig.shark(['gc', 'b/p.md']);
    expect(gone.stderr).toContain('not kept: the results of b/other.md (no longer there; 1 run).\n');
  });

  it('with --store, says it in the command (without it, the documents would be collected in the store beside them)', async () => {
    renameSync(rig.path('a/.shark'), rig.path('my store'));
    const dry = await rig.shark(['gc', 'a/p.md', '--store', 'my store']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain("Give them too to keep theirs: shark gc a/p.md a/other.md --store 'my store'\n");
  });

  it('takes a document given twice (as p.md and ./p.md) once: kept once, and named once in the command', async () => {
    const dry = await rig.shark(['gc', 'a/p.md', './a/p.md']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/keeping a\/p\.md run 1 \(latest finished run, 1 result\)\n/);
    expect(dry.stdout).not.toContain('; a/p.md');
    expect(dry.stderr).toContain('Give them too to keep theirs: shark gc a/p.md a/other.md\n');
  });
});
