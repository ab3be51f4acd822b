import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { shell } from './batch.js';

describe('shark shell: what a step is saved as', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-shell-steps-');
  });
  afterEach(() => rig.cleanup());

  it('refuses a step that, after a `cd` into /data, climbs with `..` to a path it does not name: as a job it would not find it', async () => {
    const ran = await shell(rig, ['--save', 'c.md'], [
      'echo base > /data/base.txt',
      'mkdir /data/w && cd /data/w && echo x > rel.txt',
      'cd /data/w && cat rel.txt ../base.txt > /data/both.txt',
      // Named, or inside what it names: a job finds them.
      'cd /data/w && cat rel.txt ../base.txt /data/base.txt > /data/named.txt',
      'cd /data/w && cat ../w/rel.txt > /data/inside.txt',
      '',
    ].join('\n'));
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(
      'shark> cd /data/w && cat rel.txt ../base.txt > /data/both.txt\n'
      + '[failed: not kept: `../base.txt` after `cd /data/w` is /data/base.txt, which the command does not name: '
      + 'a job holds only the paths its command names, so `shark run` would not find it (name /data/base.txt); its writes were discarded]\n',
    );
    expect(ran.stdout).toContain('[step 3: wrote /data/named.txt; read /data/w, /data/base.txt]\n');
    expect(ran.stdout).toContain('[step 4: wrote /data/inside.txt; read /data/w]\n');
    expect(rig.read('c.md')).not.toContain('both.txt');
    const again = await rig.shark(['run', 'c.md', '--force', 'run']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('a path written again, after the step that wrote it was deleted but read, is refused naming the steps as the prompt numbers them', async () => {
    const ran = await shell(rig, ['--save', 'r.md'], [
      'echo 1 > /data/x.txt', 'cat /data/x.txt > /data/y.txt', 'rm /data/x.txt', 'echo 2 > /data/x.txt', 'echo 3 > /data/z.txt', '',
    ].join('\n'));
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(
      'shark> echo 2 > /data/x.txt\n'
      + '[failed: not kept: it writes /data/x.txt, which step 1 wrote too (deleted by step 3, but kept in the document: step 2 read it): '
      + 'a pipeline writes each path once, so write a new file instead; its writes were discarded]\n',
    );
    expect(ran.stdout).not.toMatch(/run\.\d/);
    expect(ran.stdout).toContain('[step 4: wrote /data/z.txt]');
    expect((await rig.shark(['run', 'r.md'])).code).toBe(0);
  });

  it('names the file deleted when it was the last in /data, and :undo brings it back (it said "deleted /data")', async () => {
    const ran = await shell(rig, [], ['echo a > /data/a.txt', 'rm /data/a.txt', ':dag', ':undo', 'cat /data/a.txt', ''].join('\n'));
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('shark> rm /data/a.txt\n[step 2: deleted /data/a.txt]\n');
    expect(ran.stdout).toContain('step 2: rm /data/a.txt  (dead end: not in the saved document)\n  deletes /data/a.txt\n');
    expect(ran.stdout).toContain('shark> cat /data/a.txt\na\n[inspection: /data unchanged]\n');
  });

  it('reads a `$` or a backquote in a shell comment as no path Shark cannot see', async () => {
    const ran = await shell(rig, ['--save', 'n.md'], ['echo x > /data/y.txt # a trailing comment with ``` and $HOME', 'echo "$PWD" > /data/p.txt # built',
      'awk "{ s += \\$1 } END { print s }" /data/y.txt > /data/s.txt', ''].join('\n'));
    expect(ran.code, ran.stderr).toBe(0);
    const doc = rig.read('n.md');
    // An escaped `\$` in double quotes is the shell's literal dollar, no path built.
    expect(doc).toContain('```shark-run\necho x > /data/y.txt # a trailing comment with ``` and $HOME\n'
      + '# inputs may be incomplete: the command builds paths Shark cannot see\necho "$PWD" > /data/p.txt # built\n'
      + 'awk "{ s += \\$1 } END { print s }" /data/y.txt > /data/s.txt\n```');
    expect((await rig.shark(['check', 'n.md'])).code).toBe(0);
  });
});
