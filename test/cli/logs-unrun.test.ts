import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A job that fails before its command runs has nothing of its own in its
 * log, yet the run names the log under the failure and `shark logs` shows
 * it: the log says why, as an import's does.
 */

const fence = '```';

interface Failed {
  type: string;
  job?: string;
  log?: string;
  tail?: string;
}

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-logs-unrun-')));
afterEach(() => rig.cleanup());

describe('the log of a job that failed before its command ran', () => {
  it('a missing joined item: the log holds the reason, and the run shows it once', async () => {
    rig.write('in/p/a.txt', '1\n');
    rig.write('in/p/b.txt', '1\n');
    rig.write('in/c/a.txt', '2\n');
    rig.write('p.md', `${fence}shark-import\nin/p/ /data/p/\nin/c/ /data/c/\n${fence}\n\n## Match\n\n${fence}shark-run\npaste /data/p/*.txt /data/c/+ > /data/m/+\n${fence}\n`);
    const ran = await rig.shark(['run', 'p.md', '-k', '--json']);
    expect(ran.code).toBe(1);
    const failed = ran.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Failed).find((e) => e.type === 'job-failed')!;
    expect(failed.job).toBe('match[b.txt]');
    // Not repeated as the log's tail: the message says it already.
    expect(failed.tail).toBe('');
    expect(rig.read(failed.log!.slice(rig.dir.length + 1))).toBe('shark: the joined item b.txt is not in /data/c/ (for item b.txt)\n');

    const logs = await rig.shark(['logs', 'p.md', 'match[b.txt]']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^==> match\[b\.txt\] \(failed, line 9\) .*\nshark: the joined item b\.txt is not in \/data\/c\/ \(for item b\.txt\)\n$/);
    // A job whose command ran keeps its log as it wrote it.
    expect((await rig.shark(['logs', 'p.md', 'match[a.txt]'])).stdout).not.toContain('shark:');
  });

  it('a command that ended well but did not write its output: the log ends with why the job failed', async () => {
    rig.write('o.md', `# Out\n\n${fence}shark-run\necho working; true /data/x.txt\n${fence}\n`);
    expect((await rig.shark(['run', 'o.md'])).code).toBe(1);
    const logs = await rig.shark(['logs', 'o.md', 'out']);
    expect(logs.stdout).toMatch(/^==> out \(failed, line 4\) \S+\nworking\nshark: step did not create \/data\/x\.txt\n$/);
  });

  it('an input link refused on the host: the log holds the reason', async () => {
    rig.write('secret.txt', 'secret\n');
    rig.write('s.md', `${fence}shark-run\nmkdir -p /data/l && ln -s ${rig.path('secret.txt')} /data/l/x.txt\n${fence}\n\n## Read\n\n${fence}shark-run\ncat /data/l/x.txt > /data/out.txt\n${fence}\n`);
    expect((await rig.shark(['run', 's.md'])).code).toBe(1);
    const logs = await rig.shark(['logs', 's.md', 'read']);
    expect(logs.stdout).toContain(`shark: its input /data/l/x.txt is a symbolic link to \`${rig.path('secret.txt')}\`, outside /data`);
  });
});
