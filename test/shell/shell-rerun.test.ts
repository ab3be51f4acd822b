import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { BatchShell } from './batch.js';

let rig: Rig;
beforeEach(() => {
  rig = new Rig('shark-shell-rerun-');
});
afterEach(() => rig.cleanup());

/** A command whose bytes differ on each run. */
const CLOCK = 'date +%s%N > /data/t.txt';
/** What the session shows of them. */
const SHOW = 'echo "t=$(cat /data/t.txt)"';

const shown = (transcript: string): string[] => [...transcript.matchAll(/^t=(\d+)$/gm)].map((m) => m[1]!);

it('a command run again after :undo with other bytes replaces its stored result, and the next command reads them (it exited 70)', async () => {
  const shell = new BatchShell(rig, ['--save', 's.md']);
  shell.send(`${CLOCK}\n:undo\n${CLOCK}\ncat /data/t.txt > /data/copy.txt\n${SHOW}\n`);
  const ended = await shell.end();
  expect(ended.code, ended.stdout + ended.stderr).toBe(0);
  expect(ended.stderr).not.toContain('internal error');
  expect(ended.stdout).toContain('[step 2: wrote /data/t.txt; not reproducible: it wrote other bytes than the result stored for this command and its inputs, which they replaced]');
  // The saved document gives what the session showed: its run reuses the second result, and runs nothing.
  const ran = await rig.shark(['run', 's.md', '--json']);
  expect(ran.code, ran.stderr).toBe(0);
  expect(ran.stdout).not.toContain('"job-start"');
  expect(rig.read('_shark/copy.txt').trim()).toBe(shown(ended.stdout)[0]);
});

it('a second session running the same command with other bytes saves a document that gives them (it gave the first session\'s)', async () => {
  const session = async (save: string): Promise<string> => {
    const shell = new BatchShell(rig, ['--save', save]);
    shell.send(`${CLOCK}\n${SHOW}\n`);
    const ended = await shell.end();
    expect(ended.code, ended.stdout + ended.stderr).toBe(0);
    return shown(ended.stdout)[0]!;
  };
  await session('a.md');
  const second = await session('b.md');
  expect((await rig.shark(['run', 'b.md'])).code).toBe(0);
  expect(rig.read('_shark/t.txt').trim()).toBe(second);
});

it('replaces %{NAME} at the prompt as a document does: the result stored under the saved step\'s key is what that step makes (it held the literal %{V})', async () => {
  rig.write('f.md', '---\nV: hello\n---\n```shark-run\necho %{V} > /data/a.txt\n```\n');
  expect((await rig.shark(['run', 'f.md'])).code).toBe(0);
  const shell = new BatchShell(rig, ['f.md', '--save', 'g.md']);
  shell.send('echo %{V} > /data/b.txt\necho %{NOPE} > /data/c.txt\n');
  const ended = await shell.end();
  expect(ended.stdout + ended.stderr).toContain('unknown `%{NOPE}`: at the prompt it names a scalar frontmatter key of the document (V)');
  const ran = await rig.shark(['run', 'g.md']);
  expect(ran.code, ran.stderr).toBe(0);
  expect(rig.read('_shark/b.txt')).toBe('hello\n');
});
