import { lstatSync, mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileImporter } from '../../src/imports/file-importer.js';
import { LocalLinks } from '../../src/imports/local-links.js';
import { contentId, contentIdOfTree } from '../../src/store/content-id.js';
import { hashFileSync } from '../../src/store/hash.js';
import { Rig, toRun } from '../support/rig.js';
import { clause, context } from './helpers.js';

/**
 * A symbolic link inside an imported local directory that leads out of it
 * (a data directory linking to a shared drive) is followed, as `cp -rL` and
 * `rsync -L` take it: the bytes it leads to are imported and hashed, so a
 * change of its target is a change of the import. A link that stays inside
 * stays a link; one that leads nowhere or round a loop is refused, named.
 */

const fence = '```';
const DOC = `# p

${fence}shark-import
data/ /data/in/
${fence}

${fence}shark-run {id=read}
cat /data/in/big.csv /data/in/abs.csv /data/in/shared/x.txt /data/in/own.csv /data/in/inner.csv > /data/all.txt; echo r >> /counter
${fence}

${fence}shark-publish
/data/all.txt
/data/in/
${fence}
`;

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-outward-')));
afterEach(() => rig.cleanup());

const doc = (): void => void rig.write('p.md', DOC.replace('/counter', rig.path('counter')));

/** A data directory linking out (relatively, absolutely, to a directory) and inside. */
function layout(): void {
  rig.write('drive/big.csv', 'big1\n');
  rig.write('drive/abs.csv', 'abs1\n');
  rig.write('drive/shared/x.txt', 'x1\n');
  rig.write('data/own.csv', 'own\n');
  symlinkSync('../drive/big.csv', rig.path('data/big.csv'));
  symlinkSync(rig.path('drive/abs.csv'), rig.path('data/abs.csv'));
  symlinkSync('../drive/shared', rig.path('data/shared'));
  symlinkSync('own.csv', rig.path('data/inner.csv'));
}

/** plan and run alike: exit 2 at the import line, before a run is recorded, as for a source that does not exist. */
const refused = async (): Promise<string> => {
  const said: string[] = [];
  for (const command of ['plan', 'run']) {
    const ran = await rig.shark([command, 'p.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(2);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
    said.push(ran.stderr);
  }
  expect(said[1]).toBe(said[0]);
  expect((await rig.shark(['runs', 'p.md'])).stdout).not.toMatch(/^1\s/m);
  expect(rig.count()).toBe(0);
  return said[0]!;
};

describe('a link inside an imported directory that leads out of it', () => {
  it('is followed: a host step reads its bytes, and a change of its target re-imports and re-runs the reader', async () => {
    layout();
    doc();
    const first = await rig.shark(['run', 'p.md']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(rig.read('_shark/all.txt')).toBe('big1\nabs1\nx1\nown\nown\n');
    // Followed links are their data; the link inside stays the link it was.
    expect(lstatSync(rig.path('_shark/in/big.csv')).isFile()).toBe(true);
    expect(lstatSync(rig.path('_shark/in/shared')).isDirectory()).toBe(true);
    expect(readlinkSync(rig.path('_shark/in/inner.csv'))).toBe('own.csv');
    expect(toRun(await rig.plan('p.md'))).toEqual([]);

    for (const [file, bytes] of [['drive/big.csv', 'big2\n'], ['drive/abs.csv', 'abs2\n'], ['drive/shared/x.txt', 'x2\n']] as const) {
      rig.write(file, bytes);
      const plan = await rig.plan('p.md');
      expect(toRun(plan)).toEqual(['p', 'read']);
      expect(plan.jobs[0]!.reasons.join(' ')).toMatch(/^source tree changed/);
      const ran = await rig.shark(['run', 'p.md']);
      expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    }
    expect(rig.read('_shark/all.txt')).toBe('big2\nabs2\nx2\nown\nown\n');
    expect(rig.count()).toBe(4);
  });

  it('that dangles is refused, naming it', async () => {
    rig.write('data/own.csv', 'own\n');
    symlinkSync('../drive/gone.csv', rig.path('data/big.csv'));
    doc();
    expect(await refused()).toBe(`p.md:4:1: error: cannot import data/: ${rig.path('data/big.csv')} is a symbolic link to \`../drive/gone.csv\`, which leads to nothing: a link in a local import must lead to a file or a directory (remove it, or restore its target)\n    4 | data/ /data/in/\n      | ^\n1 error in p.md\n`);
  });

  it('to a directory holding it is a loop, refused naming the link', async () => {
    rig.write('data/own.csv', 'own\n');
    symlinkSync('..', rig.path('data/up'));
    doc();
    expect(await refused()).toContain(`p.md:4:1: error: cannot import data/: ${rig.path('data/up')} is a symbolic link to \`..\`, which leads round a loop: to ${rig.dir}, a directory that holds it, so following it would never end`);
  });

  it('round a loop of links is refused naming the link', async () => {
    rig.write('data/own.csv', 'own\n');
    symlinkSync('b', rig.path('data/a'));
    symlinkSync('a', rig.path('data/b'));
    doc();
    expect(await refused()).toContain(`p.md:4:1: error: cannot import data/: ${rig.path('data/a')} is a symbolic link to \`b\`, which leads round a loop of links`);
  });

  it('to a device is refused, never opened', async () => {
    mkdirSync(rig.path('data'));
    symlinkSync('/dev/zero', rig.path('data/z'));
    const r = await new FileImporter().fetch(clause('data/ /data/in/'), {}, rig.path('out'), context({ dir: rig.dir }));
    expect(r).toEqual({ ok: false, message: `cannot import data/: ${rig.path('data/z')} is a symbolic link to \`/dev/zero\`, a device: only files and directories can be imported through a link` });
    const resolved = await new FileImporter().resolve(clause('data/ /data/in/'), context({ dir: rig.dir }));
    expect(resolved).toEqual(r);
  });
});

describe('links that stay inside an imported directory', () => {
  it('stay links, so the directory keeps the id it had (a link up to the directory itself included)', async () => {
    rig.write('data/a.csv', 'a\n');
    rig.write('data/sub/b.csv', 'b\n');
    symlinkSync('a.csv', rig.path('data/l'));
    symlinkSync('..', rig.path('data/sub/up'));
    symlinkSync('../sub/../a.csv', rig.path('data/sub/a.csv'));
    const dir = rig.path('data');
    const hash = async (files: readonly { path: string }[]): Promise<string[]> => files.map((f) => hashFileSync(f.path));
    const followed = await contentIdOfTree(dir, hash, undefined, undefined, LocalLinks.of(dir));
    expect(followed).toBe(contentId(dir, (p) => hashFileSync(p)).id);
    const r = await new FileImporter().fetch(clause('data/ /data/in/'), {}, rig.path('out'), context({ dir: rig.dir }));
    expect(r.ok).toBe(true);
    expect(readlinkSync(rig.path('out/sub/up'))).toBe('..');
    expect(contentId(rig.path('out'), (p) => hashFileSync(p)).id).toBe(followed);
  });
});

/** The same data bound as a frontmatter input: the user's own directory, as a local import is. */
const INPUT_DOC = `---
inputs:
  d: /data/in/
---

${fence}shark-run {id=read}
cat /data/in/big.csv /data/in/abs.csv /data/in/shared/x.txt /data/in/own.csv /data/in/inner.csv > /data/all.txt; echo r >> /counter
${fence}

${fence}shark-publish
/data/all.txt
${fence}
`;

describe('a link inside a bound input directory that leads out of it', () => {
  const input = (): void => void rig.write('p.md', INPUT_DOC.replace('/counter', rig.path('counter')));

  it('is followed as a local import\'s is: a host step reads it, and a change of its target re-runs the reader', async () => {
    layout();
    input();
    const first = await rig.shark(['run', 'p.md', '-i', 'd=data']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(rig.read('_shark/all.txt')).toBe('big1\nabs1\nx1\nown\nown\n');
    expect(toRun(await rig.plan('p.md', '-i', 'd=data'))).toEqual([]);
    for (const [file, bytes] of [['drive/big.csv', 'big2\n'], ['drive/abs.csv', 'abs2\n'], ['drive/shared/x.txt', 'x2\n']] as const) {
      rig.write(file, bytes);
      expect(toRun(await rig.plan('p.md', '-i', 'd=data'))).toEqual(['read']);
      const ran = await rig.shark(['run', 'p.md', '-i', 'd=data']);
      expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    }
    expect(rig.read('_shark/all.txt')).toBe('big2\nabs2\nx2\nown\nown\n');
    expect(rig.count()).toBe(4);
  });

  it('that dangles is refused at the input\'s entry, naming it, before a run', async () => {
    rig.write('data/own.csv', 'own\n');
    symlinkSync('../drive/gone.csv', rig.path('data/big.csv'));
    input();
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'p.md', '-i', 'd=data']);
      expect(ran.code, ran.stdout + ran.stderr).toBe(2);
      expect(ran.stderr).toBe(`p.md:3:6: error: input \`d\` is bound to data: ${rig.path('data/big.csv')} is a symbolic link to \`../drive/gone.csv\`, which leads to nothing: a link in a local import must lead to a file or a directory (remove it, or restore its target)\n    3 |   d: /data/in/\n      |      ^\n1 error in p.md\n`);
    }
    expect((await rig.shark(['runs', 'p.md'])).stdout).not.toMatch(/^1\s/m);
    expect(rig.count()).toBe(0);
  });
});
