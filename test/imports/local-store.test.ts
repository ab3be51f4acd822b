import { rmSync, symlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A local import of the document's own directory (or of the store) would copy
 * the store into a job's workspace inside it: `cp` refused with EINVAL after
 * the run was recorded. Refused at the import's source instead, exit 2.
 */
describe('a local import that holds the store', () => {
  const rig = new Rig();
  afterAll(() => rig.cleanup());
  rig.write('a.txt', 'a\n');
  rig.write('sub/b.txt', 'b\n');

  const doc = (source: string): string => `# P\n\n\`\`\`shark-import\n${source} /data/self/\n\`\`\`\n\n\`\`\`shark-run\nls /data/self > /data/out.txt\n\`\`\`\n`;

  it.each([
    ['.', 'holds'],
    ['./', 'holds'],
    ['file:.', 'holds'],
    ['sub/..', 'holds'],
    ['..', 'holds'],
    ['.shark', 'is'],
    ['.shark/tmp', 'is inside'],
  ])('`%s` (which %s the store .shark) is an error at its column from check, plan and run alike', async (source, how) => {
    rig.write('p.md', doc(source));
    const which = how === 'is' ? 'is the store directory .shark' : `${how} the store directory .shark`;
    for (const command of ['check', 'plan', 'run']) {
      const ran = await rig.shark([command, 'p.md']);
      expect(ran.code, ran.stderr).toBe(2);
      expect(ran.stderr).toBe(`p.md:4:1: error: local import \`${source}\` ${which}: what it holds changes as Shark works; import a directory apart from the store\n`
        + `    4 | ${source} /data/self/\n      | ^\n1 error in p.md\n`);
    }
    expect(rig.exists('.shark/logs/1')).toBe(false);
  });

  it('a store given with --store, or reached through a link, is refused by plan and run at the import line', async () => {
    symlinkSync('.', rig.path('here'));
    for (const [source, store, which] of [
      ['here', undefined, `holds the store ${rig.path('.shark')}`],
      [rig.path(''), undefined, `holds the store ${rig.path('.shark')}`],
      ['sub', 'sub/st', `holds the store ${rig.path('sub/st')}`],
    ] as const) {
      rig.write('p.md', doc(source));
      expect((await rig.shark(['check', 'p.md'])).code).toBe(0);
      for (const command of ['plan', 'run']) {
        const ran = await rig.shark([command, 'p.md', ...(store === undefined ? [] : ['--store', store])]);
        expect(ran.code, ran.stderr).toBe(2);
        expect(ran.stderr).toBe(`p.md:4:1: error: local import \`${source}\` ${which}: what it holds changes as Shark works; import a directory apart from the store (or move the store with --store)\n`
          + `    4 | ${source} /data/self/\n      | ^\n1 error in p.md\n`);
      }
    }
    expect(rig.exists('.shark/logs/1')).toBe(false);
  });

  it('a link inside the imported directory that leads to the store, into it or to a directory holding it is refused by plan and run at the import line', async () => {
    rig.write('links/x', 'x\n');
    rig.write('p.md', doc('links/'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    for (const [target, store, which] of [
      ['../.shark', undefined, `is the store ${rig.path('.shark')}`],
      ['../.shark/tmp', undefined, `is inside the store ${rig.path('.shark')}`],
      ['../sub', 'sub/st', `holds the store ${rig.path('sub/st')}`],
    ] as const) {
      symlinkSync(target, rig.path('links/store'));
      for (const command of ['plan', 'run']) {
        const ran = await rig.shark([command, 'p.md', ...(store === undefined ? [] : ['--store', store])]);
        expect(ran.code, ran.stderr).toBe(2);
        expect(ran.stderr).toBe(`p.md:4:1: error: local import \`links/\` follows the symbolic link ${rig.path('links/store')} (to \`${target}\`), which ${which}: what it holds changes as Shark works; remove the link, or import a directory without it\n`
          + `    4 | links/ /data/self/\n      | ^\n1 error in p.md\n`);
      }
      rmSync(rig.path('links/store'));
    }
    expect(rig.exists('.shark/logs/2')).toBe(false);
  });

  it('a directory apart from the store is imported', async () => {
    rig.write('p.md', doc('sub'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stderr).toBe(0);
  });
});
