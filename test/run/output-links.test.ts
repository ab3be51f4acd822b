import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/**
 * A step that puts a symbolic link where a directory above its output was
 * (`rm -rf /data/out; ln -s /home/me /data/out`): the store must not take,
 * rename or delete the host files the link leads to. Host jobs here; the
 * same attack from a container is in test/docker/output-links.test.ts.
 */
describe('a link in place of a directory above an output (host jobs)', () => {
  let rig: Rig;
  let victim: string;
  beforeEach(() => {
    rig = new Rig();
    // Outside every workspace: the host's own files.
    victim = rig.path('outside');
    mkdirSync(join(victim, 'sub'), { recursive: true });
    writeFileSync(join(victim, 'secret.txt'), 'SECRET\n');
    writeFileSync(join(victim, 'sub', 'f'), 'HOST FILE\n');
  });
  afterEach(() => rig.cleanup());

  const untouched = (): void => {
    expect(readFileSync(join(victim, 'secret.txt'), 'utf8')).toBe('SECRET\n');
    expect(readFileSync(join(victim, 'sub', 'f'), 'utf8')).toBe('HOST FILE\n');
  };

  it('an output file below it fails the job, naming the link, and the host file stays', async () => {
    rig.write('p.md', `# h

${fence}shark-run
echo innocent > /data/out/secret.txt; rm -rf /data/out; ln -s ${victim} /data/out
${fence}

${fence}shark-publish
/data/out/secret.txt
${fence}
`);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stderr + ran.stdout).toContain('a symbolic link is in the way at /data/out');
    untouched();
    expect(rig.exists('_shark/out/secret.txt')).toBe(false);
  });

  it('an output directory below it fails the job, and the host directory keeps its files', async () => {
    rig.write('p.md', `# h

${fence}shark-run
mkdir -p /data/res/sub && echo x > /data/res/sub/f && rm -rf /data/res && ln -s ${victim} /data/res
${fence}

${fence}shark-run
cat /data/res/sub/f > /data/seen.txt
${fence}
`);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stderr + ran.stdout).toContain('a symbolic link is in the way at /data/res');
    untouched();
    expect(readdirSync(join(victim, 'sub'))).toEqual(['f']);
  });
});

describe('a link in place of the directory an output names (host jobs)', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it.each([
    ['written with a slash', 'mkdir -p /data/out/ && rm -rf /data/out && ln -s /etc /data/out', '/data/out/'],
    ['a + directory Shark creates', 'for s in a b; do echo $s > /data/out/$s.txt; done; rm -rf /data/out; ln -s /etc /data/out', '/data/out/+'],
  ])('%s fails the job, naming the link, and nothing is published', async (_, command, published) => {
    rig.write('p.md', `# h

${fence}shark-run
${command}
${fence}

${fence}shark-publish
${published === '/data/out/+' ? '/data/out/' : published}
${fence}
`);
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stderr + ran.stdout).toContain('output /data/out is a symbolic link (to /etc), not a directory');
    expect(rig.exists('_shark/out')).toBe(false);
    expect((await rig.shark(['plan', 'p.md'])).stdout).toMatch(/^run /m);
  });
});

describe('a later step reading a /data path through a link an earlier step made', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('is given the data the link leads to (absolute, relative, or a link to a link), and re-runs when that data changes', async () => {
    rig.write('p.md', [
      `${fence}shark-run`, 'echo hi > /data/other.txt', fence, '',
      `${fence}shark-run`, 'ln -s /data/other.txt /data/top.txt', fence, '',
      // Names no /data/other.txt: cached when it changes, but what reads through it is not.
      `${fence}shark-run`, 'ln -s other.txt /data/rel.txt', fence, '',
      `${fence}shark-run`, 'ln -s /data/top.txt /data/twice.txt', fence, '',
      `${fence}shark-run`, 'cat /data/top.txt /data/rel.txt /data/twice.txt > /data/out.txt', fence, '',
      `${fence}shark-publish`, '/data/out.txt', fence, '',
    ].join('\n'));
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.stdout).toMatch(/^ok: 5 run/m);
    expect(rig.read('_shark/out.txt')).toBe('hi\nhi\nhi\n');
    rig.write('p.md', rig.read('p.md').replace('echo hi >', 'echo bye >'));
    const plan = await rig.plan('p.md');
    expect(plan.jobs.map((j) => j.status)).toEqual(['run', 'blocked', 'cached', 'blocked', 'blocked']);
    expect(plan.jobs[4]!.reasons).toEqual(['upstream will run (run-2)']);
    const again = await rig.shark(['run', 'p.md']);
    expect(again.stdout).toMatch(/^ok: 4 run, 1 cached/m);
    expect(rig.read('_shark/out.txt')).toBe('bye\nbye\nbye\n');
  });
});
