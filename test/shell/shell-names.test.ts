import { mkdirSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { BatchShell } from './batch.js';

let rig: Rig;
beforeEach(() => {
  rig = new Rig('shark-shell-save-links-');
});
afterEach(() => rig.cleanup());

it(':save publishes what a link among the results leads to, so the saved document runs (its publish failed on the link)', async () => {
  const shell = new BatchShell(rig, ['--save', 'out.md']);
  shell.send('echo hi > /data/y.txt\nln -s /data/y.txt /data/abs.lnk\n');
  const ended = await shell.end();
  expect(ended.code, ended.stdout + ended.stderr).toBe(0);
  expect(rig.read('out.md')).toContain('```shark-publish\n/data/abs.lnk\n/data/y.txt\n```');
  const ran = await rig.shark(['run', 'out.md']);
  expect(ran.code, ran.stderr + ran.stdout).toBe(0);
  expect(rig.read('_shark/abs.lnk')).toBe('hi\n');
});

it(':save publishes the result of FILE a link among the results leads to, so the saved document runs (its publish failed on the link)', async () => {
  rig.write('f.md', '# F\n\n```shark-run\necho a > /data/a.txt\n```\n\n```shark-run\nmkdir /data/d && echo x > /data/d/x.txt\n```\n');
  expect((await rig.shark(['run', 'f.md'])).code).toBe(0);
  const shell = new BatchShell(rig, ['f.md', '--save', 'out.md']);
  shell.send('ln -s /data/a.txt /data/a.lnk\nln -s /data/d/x.txt /data/x.lnk\n');
  const ended = await shell.end();
  expect(ended.code, ended.stdout + ended.stderr).toBe(0);
  expect(rig.read('out.md')).toContain('```shark-publish\n/data/a.lnk\n/data/x.lnk\n/data/a.txt\n/data/d/\n```');
  const ran = await rig.shark(['run', 'out.md']);
  expect(ran.code, ran.stderr + ran.stdout).toBe(0);
  expect(rig.read('_shark/a.lnk')).toBe('a\n');
  expect(rig.read('_shark/x.lnk')).toBe('x\n');
});

it('shows a file name holding an escape sequence escaped on the status line and in :history, never sent to the terminal', async () => {
  const shell = new BatchShell(rig, []);
  shell.send('mkdir /data/d && touch "/data/d/$(printf "e\\033[31mx")"\nrm /data/d/e*\n:history\n');
  const ended = await shell.end();
  expect(ended.stdout).not.toContain('\x1b');
  expect(ended.stdout).toContain('[failed: not kept: it deletes /data/d/e\\x1b[31mx, part of /data/d');
  expect(ended.stdout).toMatch(/failed {6}rm \/data\/d\/e\* {2}\(not kept: it deletes \/data\/d\/e\\x1b\[31mx/);
});

it('says a here-document, an if or a continuation is not closed on the line, as a command at the prompt is one line (it spoke of a block)', async () => {
  const shell = new BatchShell(rig, []);
  shell.send('cat > /data/h.txt <<EOF\nif true; then\n');
  const ended = await shell.end();
  expect(ended.stdout).toContain('[failed: here-document is never closed: a command at the prompt is one line (close it on the line, or put it in a script)]');
  expect(ended.stdout).toContain('[failed: `if` is never closed: a command at the prompt is one line');
  expect(ended.stdout).not.toContain('block');
});

it(':save takes the rest of the line as the file name: spaces, quotes, ~/ (each was a usage error, or ~ a directory)', async () => {
  const shell = new BatchShell(rig, [], { env: { HOME: rig.path('home') } });
  mkdirSync(rig.path('home'));
  shell.send('echo a > /data/a.txt\n:save my doc.md\n:save "q doc.md"\n:save ~/h.md\n');
  const ended = await shell.end();
  expect(ended.stdout).toContain('saved my doc.md: 1 step');
  expect(ended.stdout).toContain('saved q doc.md: 1 step');
  expect(rig.read('my doc.md')).toContain('echo a > /data/a.txt');
  expect(rig.read('home/h.md')).toContain('echo a > /data/a.txt');
});

it('shows a --save name holding an escape escaped, as every other name: it reached the terminal raw', async () => {
  const rig = new Rig('shark-shell-save-name-');
  try {
    rig.write('f.md', '# F\n\n```shark-run\necho a > /data/a.txt\n```\n');
    expect((await rig.shark(['run', 'f.md'])).code).toBe(0);
    const shell = new BatchShell(rig, ['f.md', '--save', 'o\x1b[2Jut.md']);
    shell.send('');
    const ended = await shell.end();
    expect(ended.stdout, ended.stderr).toContain('nothing saved to "o\\u001b[2Jut.md": the session made no step');
    expect(ended.stdout).not.toContain('\x1b');
  } finally {
    rig.cleanup();
  }
});

it(':save names a file holding an escape escaped when it cannot write it, as it names the file it saved: it reached the terminal raw', async () => {
  rig.write('t\x1b[31m.md', 'taken\n');
  const shell = new BatchShell(rig, []);
  shell.send('echo a > /data/a.txt\n:save t\x1b[31m.md\n:save no/s\x1b[31m.md\n');
  const ended = await shell.end();
  const said = ended.stdout.split('\n').filter((l) => l.startsWith('shark: '));
  expect(said).toEqual([
    'shark: "t\\u001b[31m.md" exists: `:save! "t\\u001b[31m.md"` overwrites it, or save under another name',
    'shark: cannot save "no/s\\u001b[31m.md": no such directory no',
  ]);
  const refused = await new BatchShell(rig, ['--save', 'n\x1b[31mo/s.md']).end();
  expect(refused.code).toBe(2);
  expect(refused.stderr).toBe('shark: error: --save "n\\u001b[31mo/s.md": no such directory "n\\u001b[31mo"\n');
});
