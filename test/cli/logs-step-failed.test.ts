import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A step that fails as a whole before any of its jobs runs (an import whose
 * ref the repository does not have) has no job row and no log: `logs` shows
 * the message `run` printed in place of one, `lineage` of what it or a step
 * after it writes names it, and the summary keeps the message.
 */

const fence = '```';

let rig: Rig;
beforeEach(() => {
  rig = new Rig('shark-logs-step-failed-');
  const git = (...a: string[]): string => execFileSync('git', ['-c', 'user.email=k@k', '-c', 'user.name=k', ...a], { cwd: rig.dir, encoding: 'utf8' });
  git('init', '-q', '--bare', 'repo.git');
  rig.write('work/a.txt', 'a\n');
  git('-C', 'work', 'init', '-q');
  git('-C', 'work', 'add', 'a.txt');
  git('-C', 'work', 'commit', '-qm', 'a');
  git('-C', 'work', 'push', '-q', rig.path('repo.git'), 'HEAD:refs/heads/main');
});
afterEach(() => rig.cleanup());

const document = (ref: string): string =>
  `# Fetch\n\n${fence}shark-import\nfile://${rig.path('repo.git')}@${ref} /data/r\n${fence}\n\n## Copy\n\n${fence}shark-run\ncat /data/r/a.txt > /data/out.txt\n${fence}\n`;

describe('a step that failed before any of its jobs ran', () => {
  it('logs shows its message, lineage names it, the summary keeps it', async () => {
    rig.write('p.md', document('main'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', document('nope'));
    const ran = await rig.shark(['run', 'p.md', '--json']);
    expect(ran.code).toBe(1);
    const end = ran.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; summary?: { failures: { job: string; message?: string }[] } }).find((e) => e.type === 'run-end')!;
    expect(end.summary!.failures).toEqual([expect.objectContaining({ job: 'fetch', reason: 'import', log: null, message: expect.stringMatching(/unknown ref `nope`/) })]);

    // The latest run is the failed one, though it recorded no job: not run 1's logs.
    const logs = await rig.shark(['logs', 'p.md']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^==> fetch \(failed, line 4: it failed before any job ran, so it has no log\)\nshark: unknown ref `nope` in git repository file:\/\/.*repo\.git\n$/);
    expect((await rig.shark(['logs', 'p.md', 'fetch'])).stdout).toBe(logs.stdout);

    const own = await rig.shark(['lineage', 'p.md', '/data/r/a.txt']);
    expect(own.code).toBe(0);
    const after = await rig.shark(['lineage', 'p.md', '/data/out.txt', '--run', '2']);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/no job of run 2 produced \/data\/out\.txt: copy, which writes it, needs what fetch writes, and step fetch \(p\.md:4:1\) failed in run 2 \(import: unknown ref `nope`/);
  });

  it('lineage of what the failed step itself writes names it, in a store that never made it', async () => {
    rig.write('p.md', document('nope'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(1);
    const own = await rig.shark(['lineage', 'p.md', '/data/r']);
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/^shark: no run of this pipeline produced \/data\/r: fetch, which writes it, failed before any of its jobs ran, in run 1, the latest \(import: unknown ref `nope`/);
  });
});
