import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { BatchShell } from './batch.js';

let rig: Rig;
beforeEach(() => {
  rig = new Rig('shark-shell-save-edited-');
});
afterEach(() => rig.cleanup());

it(':save of a document this session saved, edited in another window since, is refused (it overwrote the edit); :save! overwrites it', async () => {
  const shell = new BatchShell(rig, []);
  shell.send('echo a > /data/a.txt\n:save out.md\n');
  await shell.until('saved out.md: 1 step\n');
  rig.write('out.md', rig.read('out.md') + '\nMy notes.\n');
  shell.send('echo b > /data/b.txt\n:save out.md\n');
  await shell.until('`:save! out.md` overwrites');
  expect(shell.stdout).toContain('shark> :save out.md\nshark: out.md changed since this session saved it (in another window?): `:save! out.md` overwrites those changes, or save under another name\n');
  expect(rig.read('out.md')).toContain('My notes.');
  // Saving it again unchanged since needs no `!`.
  shell.send(':save! out.md\necho c > /data/c.txt\n:save out.md\n');
  const ended = await shell.end();
  expect(ended.code, ended.stderr).toBe(0);
  expect(ended.stdout.match(/saved out\.md: \d steps\n/g)).toEqual(['saved out.md: 2 steps\n', 'saved out.md: 3 steps\n']);
  expect(rig.read('out.md')).toContain('echo c > /data/c.txt');
});

it(':save of FILE edited since the shell read it says :save! would drop the edit, not just that FILE exists', async () => {
  const pipeline = '```shark-run\necho hi > /data/hi.txt\n```\n';
  rig.write('p.md', pipeline);
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  const shell = new BatchShell(rig, ['p.md']);
  shell.send('echo q > /data/q.txt\n');
  await shell.until('[step 1');
  rig.write('p.md', pipeline + '\n```shark-run\necho new > /data/new.txt\n```\n');
  shell.send(':save p.md\n');
  const ended = await shell.end();
  expect(ended.stdout).toContain('shark> :save p.md\nshark: p.md exists (the pipeline this shell started from), and changed since the shell read it (in another window?): `:save! p.md` would write it as it was then, followed by the session\'s steps, losing those changes; save under another name\n');
  expect(rig.read('p.md')).toContain('echo new');
});
