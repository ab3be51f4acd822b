import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/** A publish replaces only what Shark published there itself: never a file or directory of the user's. */

const publishing = (run: string, dir: string, path: string): string =>
  `# p\n\n\`\`\`shark-run\n${run}\n\`\`\`\n\n\`\`\`shark-publish${dir === '' ? '' : `:${dir}`}\n${path}\n\`\`\`\n`;

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-publish-owner-')));
afterEach(() => rig.cleanup());

describe('a publish target that Shark did not publish', () => {
  it('fails the publish (exit 1) over a directory of the user\'s, touching nothing, the step\'s result kept', async () => {
    rig.write('scripts/summarise.py', 'print(1)\n');
    rig.write('p.md', publishing('echo 3 > /data/scripts/count.txt', '.', '/data/scripts/'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout + ran.stderr).toContain(`cannot publish /data/scripts to ${rig.path('scripts')}: it exists and was not published by Shark: it holds ${rig.path('scripts/summarise.py')} (move it away, or publish elsewhere)`);
    expect(readdirSync(rig.path('scripts'))).toEqual(['summarise.py']);
    rmSync(rig.path('scripts'), { recursive: true });
    const again = await rig.shark(['run', 'p.md']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('1 cached');
    expect(rig.read('scripts/count.txt')).toBe('3\n');
  });

  it('never replaces the .git of the work tree the document is in', async () => {
    expect(spawnSync('git', ['init', '-q', rig.dir]).status).toBe(0);
    const config = rig.read('.git/config');
    rig.write('p.md', publishing('mkdir -p /data/.git && echo x > /data/.git/config && echo y > /data/.git/HEAD', '.', '/data/.git/'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`cannot publish /data/.git to ${rig.path('.git')}: it exists and was not published by Shark: it holds ${rig.path('.git/')}`);
    expect(rig.read('.git/config')).toBe(config);
    expect(spawnSync('git', ['status'], { cwd: rig.dir }).status).toBe(0);
  });

  it('never replaces a directory of the user\'s where a file is published', async () => {
    rig.write('_shark/single.txt/important.txt', 'mine\n');
    rig.write('p.md', publishing('echo 1 > /data/single.txt', '', '/data/single.txt'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`cannot publish /data/single.txt to ${rig.path('_shark/single.txt')}: it exists and was not published by Shark: it holds ${rig.path('_shark/single.txt/important.txt')} (move it away, or publish elsewhere)`);
    expect(rig.read('_shark/single.txt/important.txt')).toBe('mine\n');
  });

  it('never replaces a file of the user\'s', async () => {
    rig.write('_shark/x.txt', 'mine\n');
    rig.write('p.md', publishing('echo 1 > /data/x.txt', '', '/data/x.txt'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`cannot publish /data/x.txt to ${rig.path('_shark/x.txt')}: it exists and was not published by Shark (move it away, or publish elsewhere)`);
    expect(rig.read('_shark/x.txt')).toBe('mine\n');
  });

  it('publishes none of a block one of whose paths is refused (its first path was published, the block half applied)', async () => {
    rig.write('_shark/y.txt', 'mine\n');
    rig.write('p.md', publishing('echo 1 > /data/x.txt && echo 2 > /data/y.txt', '', '/data/x.txt\n/data/y.txt'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`cannot publish /data/y.txt to ${rig.path('_shark/y.txt')}: it exists and was not published by Shark`);
    expect(rig.exists('_shark/x.txt')).toBe(false);
    expect(rig.read('_shark/y.txt')).toBe('mine\n');
  });

  it('refuses a directory Shark published once the user added a file to it', async () => {
    rig.write('p.md', publishing('mkdir -p /data/out && echo 1 > /data/out/a', '', '/data/out/'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('_shark/out/notes.txt', 'mine\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`it holds ${rig.path('_shark/out/notes.txt')}, which Shark did not publish (move it away, or publish elsewhere)`);
    expect(rig.read('_shark/out/notes.txt')).toBe('mine\n');
    expect(rig.read('_shark/out/a')).toBe('1\n');
  });
});

describe('a publish target that Shark published', () => {
  it('is published again over the user\'s edits, and replaced when the data changes', async () => {
    rig.write('p.md', publishing('mkdir -p /data/out && echo 1 > /data/out/a', '', '/data/out/'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('_shark/out/a', 'edited\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.read('_shark/out/a')).toBe('1\n');
    rig.write('p.md', publishing('mkdir -p /data/out/sub && echo 2 > /data/out/sub/b', '', '/data/out/'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(readdirSync(rig.path('_shark/out'))).toEqual(['sub']);
  });

  it('lets a directory be published whole where files were published into it', async () => {
    rig.write('p.md', publishing('mkdir -p /data/v && echo 1 > /data/v/a && echo 2 > /data/v/b', '', '/data/v/a\n/data/v/b'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', publishing('mkdir -p /data/v && echo 1 > /data/v/a && echo 2 > /data/v/b', '', '/data/v/'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
  });

  it('is replaced by a new store when it holds exactly the data: nothing is lost', async () => {
    rig.write('p.md', publishing('mkdir -p /data/out && echo 1 > /data/out/a', '', '/data/out/'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rmSync(rig.path('.shark'), { recursive: true });
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
  });
});

describe('a project renamed or copied with its .shark/', () => {
  it.each([['renamed', 'mv'], ['copied', 'cp']])('%s: the next run publishes over what it published before (it refused: "not published by Shark")', async (_, how) => {
    rig.write('a/p.md', publishing('echo one > /data/x.txt', '', '/data/x.txt'));
    expect((await rig.shark(['run', 'a/p.md'])).code).toBe(0);
    expect(spawnSync(how, how === 'cp' ? ['-a', rig.path('a'), rig.path('b')] : [rig.path('a'), rig.path('b')]).status).toBe(0);
    rig.write('b/p.md', publishing('echo two > /data/x.txt', '', '/data/x.txt'));
    const ran = await rig.shark(['run', 'b/p.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.read('b/_shark/x.txt')).toBe('two\n');
  });
});

describe('a file where a publish needs a directory', () => {
  it('is replaced when Shark published it: a path published as a file, then as a directory holding one (ENOTDIR, and the user had to delete it)', async () => {
    rig.write('p.md', publishing('echo 1 > /data/version', '', '/data/version'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', publishing('mkdir -p /data/version && echo 2 > /data/version/gdal.version', '', '/data/version/gdal.version'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(rig.read('_shark/version/gdal.version')).toBe('2\n');
  });

  it('fails the publish as a conflict when it is the user\'s, touching nothing', async () => {
    rig.write('_shark/version', 'mine\n');
    rig.write('p.md', publishing('mkdir -p /data/version && echo 2 > /data/version/gdal.version', '', '/data/version/gdal.version'));
    const ran = await rig.shark(['run', 'p.md', '--json']);
    expect(ran.code).toBe(1);
    const failed = ran.stdout.split('\n').filter((l) => l.includes('"step-failed"')).map((l) => JSON.parse(l) as { message: string; reason: string });
    expect(failed).toEqual([expect.objectContaining({ reason: 'conflict', message: `cannot publish /data/version/gdal.version to ${rig.path('_shark/version/gdal.version')}: ${rig.path('_shark/version')} is a file where a directory is to be, and was not published by Shark (move it away, or publish elsewhere)` })]);
    expect(rig.read('_shark/version')).toBe('mine\n');
  });
});

describe('a publish target that already holds what is published', () => {
  it('is left as it is by a run whose results are cached (every file was copied again: 8,000 files took 10 s), and an edited file is published again', async () => {
    rig.write('p.md', publishing('mkdir -p /data/d && echo a > /data/d/a.txt && echo b > /data/d/b.txt', '', '/data/d/'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const inode = (): number => Number(spawnSync('stat', ['-c', '%i', rig.path('_shark/d/a.txt')], { encoding: 'utf8' }).stdout);
    const before = inode();
    const again = await rig.shark(['run', 'p.md']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('published /data/d');
    expect(inode()).toBe(before);
    // Edited since: published again, whole.
    rig.write('_shark/d/a.txt', 'edited\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.read('_shark/d/a.txt')).toBe('a\n');
    // Removed: likewise.
    rmSync(rig.path('_shark/d/b.txt'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    expect(rig.read('_shark/d/b.txt')).toBe('b\n');
  });
});
