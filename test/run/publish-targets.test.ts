import { mkdirSync, symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A publish block never overwrites the pipeline document, nor writes into the store. */

const doc = (dir: string, path: string): string =>
  `# p\n\n\`\`\`shark-run\necho gone > ${path}\n\`\`\`\n\n\`\`\`shark-publish:${dir}\n${path}\n\`\`\`\n`;

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-publish-targets-')));
afterEach(() => rig.cleanup());

describe('a publish target that the document shows is refused', () => {
  it('refuses to overwrite the pipeline document: check, plan and run exit 2 at the path', async () => {
    const text = doc('.', '/data/p.md');
    rig.write('p.md', text);
    for (const command of ['check', 'plan', 'run']) {
      const ran = await rig.shark([command, 'p.md']);
      expect(ran.code, command).toBe(2);
      expect(ran.stderr).toContain('p.md:8:1: error: publishing /data/p.md to p.md would overwrite the pipeline document');
      expect(ran.stderr).toContain('    8 | /data/p.md');
    }
    expect(rig.read('p.md')).toBe(text);
  });

  it('knows the document by its name when it is given from another directory', async () => {
    rig.write('sub/p.md', doc('./', '/data/p.md'));
    const ran = await rig.shark(['check', 'sub/p.md']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('sub/p.md:8:1: error: publishing /data/p.md to p.md would overwrite the pipeline document');
  });

  it.each([['.shark', '/data/shark.sqlite'], ['.shark/sub', '/data/x.txt'], ['.', '/data/.shark/x']])(
    'refuses shark-publish:%s of %s, inside the store directory .shark', async (dir, path) => {
      rig.write('p.md', doc(dir, path));
      const ran = await rig.shark(['check', 'p.md']);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toMatch(/p\.md:8:1: error: publishing \S+ to \S+ would write into the store directory \.shark/);
    });

  it('refuses the configured store in plan and run (check does not know it)', async () => {
    rig.write('p.md', doc('st', '/data/shark.sqlite'));
    expect((await rig.shark(['check', 'p.md'])).code).toBe(0);
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'p.md', '--store', rig.path('st')]);
      expect(ran.code, command).toBe(2);
      expect(ran.stderr).toContain(`p.md:8:1: error: publishing /data/shark.sqlite to st/shark.sqlite would write into the store ${rig.path('st')}`);
    }
  });
});

describe('a publish target that only the file system shows is refused when publishing', () => {
  it('fails the publish (exit 1) through a directory link to the document\'s directory, overwriting nothing', async () => {
    const text = doc('out', '/data/p.md');
    rig.write('p.md', text);
    symlinkSync('.', rig.path('out'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout + ran.stderr).toContain(`cannot publish /data/p.md to ${rig.path('out/p.md')}: it is the pipeline document ${rig.path('p.md')}`);
    expect(rig.read('p.md')).toBe(text);
  });

  it('fails the publish (exit 1) through a directory link into the store, and the store still works', async () => {
    rig.write('p.md', doc('out', '/data/shark.sqlite'));
    mkdirSync(rig.path('st'), { recursive: true });
    symlinkSync('st', rig.path('out'));
    const ran = await rig.shark(['run', 'p.md', '--store', rig.path('st')]);
    expect(ran.code).toBe(1);
    expect(ran.stdout + ran.stderr).toContain(`cannot publish /data/shark.sqlite to ${rig.path('out/shark.sqlite')}: it is inside the store ${rig.path('st')}`);
    const again = await rig.shark(['plan', 'p.md', '--store', rig.path('st')]);
    expect(again.stderr).not.toContain('internal error');
    expect(again.code).toBe(0);
  });
});
