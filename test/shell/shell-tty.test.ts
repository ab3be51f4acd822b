import { afterEach, beforeEach, expect, it } from 'vitest';
import { expectGolden } from '../helpers/golden.js';
import { Rig } from '../support/rig.js';
import { leftWorkspaces } from './batch.js';
import { describeTmux, Pane } from './tmux.js';

describeTmux('shark shell at a terminal', () => {
  let rig: Rig;
  let pane: Pane | undefined;
  beforeEach(() => {
    rig = new Rig('shark-shell-');
  });
  afterEach(() => {
    pane?.kill();
    pane = undefined;
    rig.cleanup();
  });

  it('keeps the steps, drops the inspection, the failure and the undone step, and saves a document whose every job is cached', async () => {
    pane = new Pane(rig.dir, []);
    await pane.start();
    expect(await pane.type('seq 1 5 > /data/numbers.txt')).toContain('[step 1: wrote /data/numbers.txt]');
    expect(await pane.type('cat /data/numbers.txt')).toBe('1\n2\n3\n4\n5\n[inspection: /data unchanged]');
    expect(await pane.type('# Totals')).toContain('[noted for the document]');
    expect(await pane.type("awk '{ s += $1 } END { print s }' /data/numbers.txt > /data/sum.txt"))
      .toContain('[step 2: wrote /data/sum.txt; read /data/numbers.txt]');
    expect(await pane.type('grep -q 99 /data/numbers.txt && echo found > /data/found.txt')).toContain('[failed: exit status 1; its writes were discarded]');
    expect(await pane.type('echo scratch > /data/scratch.txt')).toContain('[step 3: wrote /data/scratch.txt]');
    expect(await pane.type(':undo')).toContain('[undid step 3: echo scratch > /data/scratch.txt]');
    expect(await pane.type('ls /data')).toBe('numbers.txt\nsum.txt\n[inspection: /data unchanged]');
    const history = await pane.type(':history');
    expect(history).toMatch(/inspection\s+cat \/data\/numbers\.txt/);
    expect(history).toMatch(/failed\s+grep -q 99/);
    expect(history).toMatch(/undone\s+echo scratch/);
    expect(await pane.type(':save analysis.md')).toContain('saved analysis.md: 2 steps');

    expectGolden('shell/session.md', rig.read('analysis.md'));
    const checked = await rig.shark(['check', 'analysis.md']);
    expect(checked.stdout).toBe('analysis.md: ok — 3 blocks, 3 steps, 0 environments\n');
    const plan = await rig.plan('analysis.md');
    expect(plan.summary).toMatchObject({ cached: 2, run: 0, blocked: 0 });
    const ran = await rig.shark(['run', 'analysis.md', '--json']);
    const end = JSON.parse(ran.stdout.trim().split('\n').pop()!) as { summary: { executed: number; cached: number } };
    expect(end.summary).toMatchObject({ executed: 0, cached: 2 });
    expect(rig.read('_shark/sum.txt')).toBe('15\n');
  });

  it('Ctrl-C interrupts the running command, not the shell', async () => {
    pane = new Pane(rig.dir, []);
    await pane.start();
    pane.keys('echo partial > /data/partial.txt && sleep 60 && echo done > /data/late.txt');
    await pane.until((s) => s.includes('sleep 60'), 'the command on the screen');
    // The line may still be on its way to the prompt loop: Ctrl-C again until it is the command that stops.
    await pane.until((s) => {
      if (s.includes('[failed: interrupted')) return true;
      pane!.ctrlC();
      return false;
    }, 'the interrupted command');
    expect(await pane.type('ls /data')).toBe('[inspection: /data unchanged]');
    expect(await pane.type(':history')).toMatch(/failed\s+echo partial.*\(interrupted; its writes were discarded\)/);
  });

  it("shows a command's output live, while it still runs", async () => {
    pane = new Pane(rig.dir, []);
    await pane.start();
    pane.keys('echo started; sleep 60');
    // A short line was held back by the launcher until the command ended.
    await pane.until((s) => s.split('\n').includes('started'), 'the output before the command ends', 15_000);
    await pane.until((s) => {
      if (s.includes('[failed: interrupted')) return true;
      pane!.ctrlC();
      return false;
    }, 'the interrupted command');
  });

  it('Ctrl-C at the prompt throws away the text typed on it, as bash does', async () => {
    pane = new Pane(rig.dir, []);
    await pane.start();
    pane.text('partial text');
    await pane.until((s) => s.includes('shark> partial text'), 'the typed text');
    pane.ctrlC();
    await pane.until((s) => s.includes('shark> partial text^C\n'), 'the ^C');
    expect(await pane.type('ls /data')).toBe('[inspection: /data unchanged]');
  });

  it('Ctrl-C of a running command discards what was typed while it ran, as a terminal discards type-ahead', async () => {
    pane = new Pane(rig.dir, []);
    await pane.start();
    pane.keys('sleep 60 && echo x > /data/slept.txt');
    await pane.until((s) => s.includes('sleep 60'), 'the command on the screen');
    pane.keys('echo queued > /data/queued.txt');
    // A line typed after it (no Enter): on a line of its own once the Enter before it was read.
    pane.text('half');
    await pane.until((s) => s.split('\n').includes('half'), 'the queued line entered');
    await pane.until((s) => {
      if (s.includes('[failed: interrupted')) return true;
      pane!.ctrlC();
      return false;
    }, 'the interrupted command');
    await pane.until((s) => s.includes('[discarded, typed before Ctrl-C: echo queued > /data/queued.txt]'), 'the queued line discarded');
    expect(await pane.type('ls /data')).toBe('[inspection: /data unchanged]');
    expect(await pane.type(':history')).not.toContain('queued');
  });

  it('Ctrl-D typed while a command runs leaves once it is done: --save writes the document, and the shell exits 0', async () => {
    pane = new Pane(rig.dir, ['--save', 'q.md']);
    await pane.start();
    pane.keys('sleep 2; echo z > /data/z.txt');
    await pane.until((s) => s.includes('shark> sleep 2'), 'the command on the screen');
    pane.ctrlD();
    const screen = await pane.until((s) => s.includes('[shell exited:'), 'the shell to exit', 20_000);
    expect(screen).toContain('[step 1: wrote /data/z.txt]');
    expect(screen).toContain('saved q.md: 1 step');
    expect(screen).toContain('[shell exited: 0]');
    expect(rig.read('q.md')).toContain('echo z > /data/z.txt');
  });

  it('Ctrl-C of commands read from a file (`shark shell < commands.txt`) stops them all, as sh: exit 130, no workspace left', async () => {
    rig.write('commands.txt', 'echo a > /data/a.txt\nsleep 60 && echo b > /data/b.txt\nsleep 60 && echo c > /data/c.txt\necho d > /data/d.txt\n');
    pane = new Pane(rig.dir, ['--save', 'out.md']);
    await pane.startBatch('commands.txt', 'shark> sleep 60 && echo b');
    pane.ctrlC();
    const screen = await pane.until((s) => s.includes('[shell exited:'), 'the shell to exit');
    expect(screen).toContain('[shell exited: 130]');
    expect(screen).toContain('shark: interrupted: nothing saved to out.md');
    expect(screen).not.toContain('echo c');
    expect(screen).not.toContain('echo d');
    expect(rig.exists('out.md')).toBe(false);
    expect(leftWorkspaces(rig)).toEqual([]);
  });
});
