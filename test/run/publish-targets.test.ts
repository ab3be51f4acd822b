import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, SHARK } from '../support/rig.js';

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

  it('refuses to overwrite the document\'s lock file, as the document itself', async () => {
    rig.write('p.md', doc('.', '/data/p.lock.json'));
    const ran = await rig.shark(['check', 'p.md']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('p.md:8:1: error: publishing /data/p.lock.json to p.lock.json would overwrite the lock file');
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
      // Refused before the store is made: nothing is left behind.
      expect(rig.exists('st'), command).toBe(false);
    }
    // The document's own directory as the store, publishing to _shark/ inside it.
    rig.write('q.md', doc('_shark', '/data/a.txt'));
    const ran = await rig.shark(['run', 'q.md', '--store', '.']);
    expect(ran.code).toBe(2);
    expect(readdirSync(rig.dir).sort()).toEqual(['p.md', 'q.md']);
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

describe('publishing never writes through a link, nor skips a path in silence', () => {
  const victim = (): string => rig.path('victim');

  it('refuses, in check, one block publishing inside the copy another block makes of other data', async () => {
    // The first copy may be a link a job made, to anywhere: the second would be written through it.
    rig.write('p.md', `# p\n\n\`\`\`shark-run\nln -s ${victim()} /data/x\n\`\`\`\n\n\`\`\`shark-run\necho planted > /data/g\n\`\`\`\n\n` +
      '```shark-publish:out\n/data/x\n```\n\n```shark-publish:out/x\n/data/g\n```\n');
    for (const command of ['check', 'run']) {
      const ran = await rig.shark([command, 'p.md']);
      expect(ran.code, command).toBe(2);
      expect(ran.stderr).toContain('p.md:16:1: error: publishing /data/g to out/x/g writes inside the copy of /data/x (line 12, published to out/x)');
    }
  });

  it('allows a directory and a file in it published by one block: the same data', async () => {
    rig.write('p.md', '```shark-run\nmkdir -p /data/r && echo 1 > /data/r/s.csv\n```\n\n```shark-publish\n/data/r/\n/data/r/s.csv\n```\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(0);
    expect(rig.read('_shark/r/s.csv')).toBe('1\n');
  });

  it('fails a publish whose way down the publish directory holds a link, writing nothing through it', async () => {
    mkdirSync(victim());
    mkdirSync(rig.path('_shark'));
    symlinkSync(victim(), rig.path('_shark/x'));
    rig.write('p.md', '```shark-run\nmkdir -p /data/x && echo planted > /data/x/g\n```\n\n```shark-publish\n/data/x/g\n```\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout + ran.stderr).toContain('_shark/x is a symbolic link: publishing never writes through a link below its directory');
    expect(readdirSync(victim())).toEqual([]);
  });

  it('fails, not skips, a publish of a path written as a file with another path inside it', async () => {
    // Written by `tee`, /data/d may be a directory as far as check can tell (by `>`, check refuses it: infer.test.ts).
    rig.write('p.md', '# Pub\n\n```shark-run\necho file | tee /data/d\n```\n\n```shark-run\necho inner > /data/d/f\n```\n\n```shark-publish\n/data/d\n```\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout + ran.stderr).toContain('cannot publish /data/d: /data/d is a file that `pub` writes, but `pub-2` writes /data/d/f inside it');
  });
});

describe('a publish directory whose way holds a link a publish may have left', () => {
  const outside = (): string => rig.path('outside');
  const linking = '# p\n\n```shark-run\nmkdir -p /data/out && ln -s OUTSIDE /data/out/dirlink && echo hi > /data/out/plain\n```\n\n```shark-publish\n/data/out\n```\n';
  const into = (dir: string): string => `# p2\n\n\`\`\`shark-run\necho PWNED > /data/pwn.txt\n\`\`\`\n\n\`\`\`shark-publish:${dir}\n/data/pwn.txt\n\`\`\`\n`;

  it('refuses DIR reached through a link inside _shark/ (a copy an earlier publish made), writing nothing through it', async () => {
    mkdirSync(outside());
    rig.write('p.md', linking.replace('OUTSIDE', outside()));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p2.md', into('_shark/out/dirlink'));
    const ran = await rig.shark(['run', 'p2.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`cannot publish /data/pwn.txt to ${rig.path('_shark/out/dirlink/pwn.txt')}: ${rig.path('_shark/out/dirlink')} is a symbolic link inside the publish directory ${rig.path('_shark')}`);
    expect(readdirSync(outside())).toEqual([]);
  });

  it('refuses DIR reached through a link inside another publish directory of the document', async () => {
    mkdirSync(outside());
    mkdirSync(rig.path('results/figs'), { recursive: true });
    symlinkSync(outside(), rig.path('results/figs/sub'));
    rig.write('p.md', '# p\n\n```shark-run\necho a > /data/a.txt && echo b > /data/b.txt\n```\n\n```shark-publish:results\n/data/a.txt\n```\n\n```shark-publish:results/figs/sub\n/data/b.txt\n```\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`${rig.path('results/figs/sub')} is a symbolic link inside the publish directory ${rig.path('results')}`);
    expect(readdirSync(outside())).toEqual([]);
  });

  it('refuses a publish directory that is a link an earlier publish made (`_shark` itself, or a DIR published with `shark-publish:.`)', async () => {
    mkdirSync(outside());
    const made = (name: string): string => `# one\n\n\`\`\`shark-run\nln -s ${outside()} /data/${name}\n\`\`\`\n\n\`\`\`shark-publish:.\n/data/${name}\n\`\`\`\n`;
    rig.write('one.md', made('_shark'));
    expect((await rig.shark(['run', 'one.md'])).code).toBe(0);
    rig.write('two.md', into('_shark').replace('shark-publish:_shark', 'shark-publish'));
    const ran = await rig.shark(['run', 'two.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`cannot publish /data/pwn.txt to ${rig.path('_shark/pwn.txt')}: ${rig.path('_shark')} is a symbolic link an earlier publish put there (a copy of one a job made): publishing never writes through it`);
    rig.write('three.md', made('lnk').replace('# one', '# three'));
    expect((await rig.shark(['run', 'three.md'])).code).toBe(0);
    rig.write('four.md', into('lnk/deeper'));
    const deeper = await rig.shark(['run', 'four.md']);
    expect(deeper.code).toBe(1);
    expect(deeper.stdout).toContain(`${rig.path('lnk')} is a symbolic link an earlier publish put there`);
    expect(readdirSync(outside())).toEqual([]);
  });

  it('publishes through a link of yours outside every publish directory', async () => {
    mkdirSync(outside());
    symlinkSync(outside(), rig.path('mine'));
    rig.write('p.md', into('mine/sub'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(readdirSync(join(outside(), 'sub'))).toEqual(['pwn.txt']);
  });
});

/** `unshare` making a mount namespace of its own, where a read-only file system can be mounted; undefined where it cannot. */
const NAMESPACE = ((): string[] | undefined => {
  const dir = mkdtempSync(join(tmpdir(), 'shark-ro-probe-'));
  try {
    for (const flags of [['--mount'], ['--mount', '--map-root-user']]) {
      const probe = spawnSync('unshare', [...flags, 'sh', '-c', 'mount -t tmpfs -o ro tmpfs "$0"', dir], { stdio: 'ignore' });
      if (probe.status === 0) return flags;
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

describe('a publish directory on a read-only file system', () => {
  it.skipIf(NAMESPACE === undefined)('is refused before anything runs, saying the file system is read-only, not that a directory is missing', () => {
    rig.write('p.md', doc('ro/out', '/data/a.txt'));
    mkdirSync(rig.path('ro'));
    const ran = spawnSync('unshare', [...NAMESPACE!, 'sh', '-c', 'mount -t tmpfs -o ro tmpfs ro && exec "$0" "$@"', process.execPath, SHARK, 'run', 'p.md'],
      { cwd: rig.dir, encoding: 'utf8' });
    expect(ran.status).toBe(2);
    expect(ran.stderr).toContain(`cannot publish /data/a.txt to ${rig.path('ro/out/a.txt')}: cannot write in ${rig.path('ro')}: read-only file system`);
    expect(ran.stdout).toBe('');
  });

  it.skipIf(NAMESPACE === undefined)('refuses run -o into it before anything runs, saying the file system is read-only', () => {
    rig.write('p.md', '# p\n\n```shark-run\necho gone > /data/a.txt\n```\n');
    mkdirSync(rig.path('ro'));
    const ran = spawnSync('unshare', [...NAMESPACE!, 'sh', '-c', 'mount -t tmpfs -o ro tmpfs ro && exec "$0" "$@"', process.execPath, SHARK, 'run', 'p.md', '-o', 'ro/out.md'],
      { cwd: rig.dir, encoding: 'utf8' });
    expect(ran.status).toBe(2);
    expect(ran.stderr).toContain('read-only file system');
    expect(ran.stderr).not.toContain('permission denied');
    expect(ran.stdout).toBe('');
  });
});
