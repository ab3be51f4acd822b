import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * Shark keeps file names as text: a name that is not UTF-8 (Latin-1, a zip
 * made on Windows) cannot be stored as it is. The job or the import fails,
 * naming the file with its bytes escaped, for a reason that is the step's
 * (`bad-output`) or the import's, never the store's; nothing is kept.
 */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-output-names-')));
afterEach(() => rig.cleanup());

interface Failed { type: string; message: string; reason: string }
const failures = (stdout: string): Failed[] =>
  stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Failed).filter((e) => e.type === 'job-failed');

/** The directory `rel` of the rig holding a file whose name is the bytes `caf\xe9.csv`. */
function latin1File(rel: string): void {
  mkdirSync(rig.path(rel), { recursive: true });
  writeFileSync(Buffer.concat([Buffer.from(`${rig.path(rel)}/caf`), Buffer.from([0xe9]), Buffer.from('.csv')]), 'A');
}

describe('a step output', () => {
  it('holding a file name that is not UTF-8 fails the job, naming the file, and keeps nothing', async () => {
    rig.write('p.md', '# p\n\n```shark-run\nmkdir -p /data/w/sub && printf A > "/data/w/sub/$(printf \'caf\\351.csv\')"\n```\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('p.md:4:10: error: output /data/w/sub: /data/w/sub/caf\\xe9.csv has a name that is not UTF-8');
    expect(ran.stdout + ran.stderr).not.toContain('ENOENT');
    const json = await rig.shark(['run', 'p.md', '--json']);
    expect(failures(json.stdout).map((f) => f.reason)).toEqual(['bad-output']);
    const plan = JSON.parse((await rig.shark(['plan', 'p.md', '--json'])).stdout) as { jobs: { status: string; reasons: string[] }[] };
    expect(plan.jobs[0]!.status).toBe('run');
  });

  it('holding a link whose target is not UTF-8 fails the job too', async () => {
    rig.write('p.md', '# p\n\n```shark-run\nmkdir -p /data/w && ln -s "$(printf \'caf\\351.csv\')" /data/w/l\n```\n');
    const ran = await rig.shark(['run', 'p.md', '--json']);
    expect(ran.code).toBe(1);
    expect(failures(ran.stdout)).toMatchObject([{ reason: 'bad-output', message: expect.stringContaining('output /data/w: /data/w/l is a link to caf\\xe9.csv, which is not UTF-8') }]);
  });

  it('holding a FIFO fails the job for the same reason', async () => {
    rig.write('p.md', '# p\n\n```shark-run\nmkdir -p /data/f && mkfifo /data/f/pipe\n```\n');
    const ran = await rig.shark(['run', 'p.md', '--json']);
    expect(ran.code).toBe(1);
    expect(failures(ran.stdout)).toMatchObject([{ reason: 'bad-output', message: expect.stringContaining('/data/f/pipe is a named pipe (FIFO)') }]);
  });
});

describe('an archive', () => {
  it('with a member whose name is not UTF-8 is refused whole, as the import\'s failure', async () => {
    latin1File('src');
    writeFileSync(rig.path('src/ok.csv'), 'ok');
    execFileSync('tar', ['-cf', rig.path('a.tar'), '-C', rig.path('src'), '.']);
    rig.write('p.md', '# p\n\n```shark-import\na.tar /data/x/ extract\n```\n');
    const ran = await rig.shark(['run', 'p.md', '--json']);
    expect(ran.code).toBe(1);
    expect(failures(ran.stdout)).toMatchObject([{
      reason: 'import',
      message: expect.stringContaining('refusing to extract a.tar: member `caf\\xe9.csv` has a name that is not UTF-8'),
    }]);
  });

  it('made on Windows (a zip with CP437 names) is refused the same way', async () => {
    latin1File('zsrc');
    execFileSync('zip', ['-q', '-r', rig.path('w.zip'), '.'], { cwd: rig.path('zsrc') });
    rig.write('p.md', '# p\n\n```shark-import\nw.zip /data/x/ extract\n```\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('member `caf\\xe9.csv` has a name that is not UTF-8');
    expect(ran.stdout).not.toContain('ENOENT');
  });
});

describe('a host directory', () => {
  it('imported with a name that is not UTF-8 is invalid input at the import line (exit 2, before a run), naming the file', async () => {
    latin1File('src');
    rig.write('p.md', '# p\n\n```shark-import\nsrc /data/x/\n```\n');
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'p.md']);
      expect(ran.code, command).toBe(2);
      expect(ran.stderr).toContain(`p.md:4:1: error: cannot import src: ${rig.path('src')}/caf\\xe9.csv has a name that is not UTF-8`);
    }
  });

  it('bound to an input, with a name that is not UTF-8, is invalid input (exit 2)', async () => {
    latin1File('in');
    rig.write('p.md', '---\ninputs: {items: /data/in/}\n---\n\n```shark-run\nls /data/in > /data/ls.txt\n```\n');
    for (const command of ['plan', 'run']) {
      const ran = await rig.shark([command, 'p.md', '-i', 'items=in']);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toContain('error: input `items` is bound to in, which holds in/caf\\xe9.csv, which has a name that is not UTF-8');
    }
  });
});
