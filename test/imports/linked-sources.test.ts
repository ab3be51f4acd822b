import { lstatSync, mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, toRun } from '../support/rig.js';

/**
 * The path a user names (an import's source, an `-i NAME=PATH`) is followed
 * when it is a symbolic link, as `cp -r SRC` and `rsync SRC/` take it: the
 * data behind the project's link to a big disk. Links inside a directory
 * stay links, exactly as written.
 */

const fence = '```';
const FILE = `# p

${fence}shark-import
data.csv /data/data.csv
${fence}

${fence}shark-run
wc -c < /data/data.csv > /data/n.txt
${fence}

${fence}shark-publish
/data/n.txt
/data/data.csv
${fence}
`;

const MAP = (source: string): string => `# p

${fence}shark-import
${source} /data/ranges/
${fence}

${fence}shark-run
wc -c < /data/ranges/* > /data/out/+
${fence}

${fence}shark-publish
/data/out/
${fence}
`;

const INPUT = `---
inputs:
  s: /data/s.csv
  r: /data/r/
---

${fence}shark-run
wc -c < /data/s.csv > /data/n.txt; cat /data/r/x.txt > /data/all.txt
${fence}

${fence}shark-publish
/data/n.txt
/data/all.txt
${fence}
`;

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-linked-')));
afterEach(() => rig.cleanup());

const ok = async (args: string[]): Promise<void> => {
  const ran = await rig.shark(args);
  expect(ran.code, ran.stdout + ran.stderr).toBe(0);
};

describe('a local import given as a symbolic link', () => {
  it('is its target\'s content: a change of the target re-runs its readers, and publishing gives the bytes', async () => {
    rig.write('big/real.csv', 'v1\n');
    symlinkSync(rig.path('big/real.csv'), rig.path('data.csv'));
    rig.write('p.md', FILE);
    await ok(['run', 'p.md']);
    expect(rig.read('_shark/n.txt').trim()).toBe('3');
    expect(lstatSync(rig.path('_shark/data.csv')).isFile()).toBe(true);
    rig.write('big/real.csv', 'version2-longer\n');
    expect(toRun(await rig.plan('p.md'))).toEqual(['p', 'p-2']);
    await ok(['run', 'p.md']);
    expect(rig.read('_shark/n.txt').trim()).toBe('16');
  });

  it('of a directory (a relative link, named with or without a slash) can be mapped over', async () => {
    rig.write('disk/ranges/a.txt', 'a\n');
    rig.write('disk/ranges/b.txt', 'bb\n');
    symlinkSync('disk/ranges', rig.path('ranges'));
    for (const source of ['ranges', 'ranges/']) {
      rig.write('p.md', MAP(source));
      await ok(['run', 'p.md']);
      expect(rig.read('_shark/out/a.txt').trim()).toBe('2');
      expect(rig.read('_shark/out/b.txt').trim()).toBe('3');
    }
  });
});

describe('links inside an imported directory', () => {
  it('stay exactly as written: a relative link is stored, read and published relative', async () => {
    rig.write('in/b.txt', 'B\n');
    symlinkSync('b.txt', rig.path('in/lnk'));
    rig.write('p.md', `# p\n\n${fence}shark-import\nin/ /data/in/\n${fence}\n\n${fence}shark-run\ncd /data/in/ && readlink lnk > /data/value.txt && cat lnk > /data/read.txt\n${fence}\n\n${fence}shark-publish\n/data/in/\n/data/value.txt\n/data/read.txt\n${fence}\n`);
    await ok(['run', 'p.md']);
    expect(readlinkSync(rig.path('_shark/in/lnk'))).toBe('b.txt');
    expect(rig.read('_shark/value.txt')).toBe('b.txt\n');
    expect(rig.read('_shark/read.txt')).toBe('B\n');
    // The stored copy is read, not the source behind the store's back.
    writeFileSync(rig.path('in/b.txt'), 'changed\n');
    expect(toRun(await rig.plan('p.md'))).toContain('p-2');
  });
});

describe('a frontmatter input bound to a symbolic link', () => {
  it('is its target\'s content, for a relative link to a file and a link to a directory', async () => {
    rig.write('big/real.csv', 'v1\n');
    symlinkSync('big/real.csv', rig.path('s.csv'));
    mkdirSync(rig.path('disk/r'), { recursive: true });
    rig.write('disk/r/x.txt', 'x\n');
    symlinkSync(rig.path('disk/r'), rig.path('r'));
    rig.write('p.md', INPUT);
    for (const r of ['r', 'r/']) {
      await ok(['run', 'p.md', '-i', 's=s.csv', '-i', `r=${r}`]);
      expect(rig.read('_shark/n.txt').trim()).toBe('3');
      expect(rig.read('_shark/all.txt')).toBe('x\n');
    }
    rig.write('big/real.csv', 'version2-longer\n');
    expect(toRun(await rig.plan('p.md', '-i', 's=s.csv', '-i', 'r=r'))).toHaveLength(1);
    await ok(['run', 'p.md', '-i', 's=s.csv', '-i', 'r=r']);
    expect(rig.read('_shark/n.txt').trim()).toBe('16');
  });
});

describe('a named path that is a symbolic link loop', () => {
  const reads = (file: string, input: string): string => `${input}${fence}shark-run\ncat ${file} > /data/o.txt\n${fence}\n`;

  it('as an import\'s source is refused as a loop, naming it, at the import line (exit 2, plan and run)', async () => {
    symlinkSync('loop', rig.path('loop'));
    rig.write('p.md', `# p\n\n${fence}shark-import\nloop /data/l\n${fence}\n\n${reads('/data/l', '')}`);
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'p.md']);
      expect(ran.code, ran.stdout + ran.stderr).toBe(2);
      expect(ran.stderr).toBe(`p.md:4:1: error: local import \`loop\` is a symbolic link loop: ${rig.path('loop')} is a link to \`loop\`, which leads round a loop of links, never to a file or directory\n    4 | loop /data/l\n      | ^\n1 error in p.md\n`);
    }
  });

  it('as an -i input is refused as a loop, naming it, at the input\'s entry (exit 2, plan and run)', async () => {
    symlinkSync('b', rig.path('a'));
    symlinkSync('a', rig.path('b'));
    rig.write('q.md', reads('/data/in/x', `---\ninputs:\n  d: /data/in/\n---\n\n`));
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'q.md', '-i', 'd=a']);
      expect(ran.code, ran.stdout + ran.stderr).toBe(2);
      expect(ran.stderr).toBe(`q.md:3:6: error: input \`d\` is bound to a, which is a symbolic link loop: ${rig.path('a')} is a link to \`b\`, which leads round a loop of links, never to a file or directory\n    3 |   d: /data/in/\n      |      ^\n1 error in q.md\n`);
    }
  });
});
