import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { shell } from './batch.js';
import { describeTmux, Pane } from './tmux.js';

const EXITED = /\[shell exited: (\d+)\]/;

describeTmux('shark shell at a terminal: leaving with steps no document holds', () => {
  let rig: Rig;
  let pane: Pane | undefined;
  beforeEach(() => {
    rig = new Rig('shark-shell-quit-');
  });
  afterEach(() => {
    pane?.kill();
    pane = undefined;
    rig.cleanup();
  });

  it('the first :quit says how many steps are not saved and stays; a second leaves', async () => {
    pane = new Pane(rig.dir, []);
    await pane.start();
    expect(await pane.type('echo a > /data/a.txt')).toContain('[step 1: wrote /data/a.txt]');
    expect(await pane.type(':quit')).toBe('1 step not saved (:save FILE, or :quit again to leave without saving)');
    expect(await pane.type('echo b > /data/b.txt')).toContain('[step 2: wrote /data/b.txt]');
    // A step since the warning: warned again.
    expect(await pane.type(':quit')).toBe('2 steps not saved (:save FILE, or :quit again to leave without saving)');
    pane.keys(':quit');
    const screen = await pane.until((s) => EXITED.test(s), 'the shell to exit');
    expect(EXITED.exec(screen)![1]).toBe('0');
  });

  it('Ctrl-D likewise: the first warns, the second leaves', async () => {
    pane = new Pane(rig.dir, []);
    await pane.start();
    expect(await pane.type('echo a > /data/a.txt')).toContain('[step 1: wrote /data/a.txt]');
    pane.ctrlD();
    await pane.until((s) => s.includes('1 step not saved (:save FILE, or Ctrl-D again to leave without saving)'), 'the warning');
    await pane.until((s) => /shark> $/.test(s.trimEnd() + ' '), 'the prompt again');
    expect(EXITED.test(pane.screen())).toBe(false);
    pane.ctrlD();
    const screen = await pane.until((s) => EXITED.test(s), 'the shell to exit');
    expect(EXITED.exec(screen)![1]).toBe('0');
  });

  it('leaves at once when every step is saved, or --save will save them', async () => {
    pane = new Pane(rig.dir, []);
    await pane.start();
    await pane.type('echo a > /data/a.txt');
    expect(await pane.type(':save a.md')).toContain('saved a.md: 1 step');
    pane.keys(':quit');
    expect(EXITED.exec(await pane.until((s) => EXITED.test(s), 'the shell to exit'))![1]).toBe('0');
    pane.kill();

    pane = new Pane(rig.dir, ['--save', 'b.md']);
    await pane.start();
    await pane.type('echo b > /data/b.txt');
    pane.ctrlD();
    const screen = await pane.until((s) => EXITED.test(s), 'the shell to exit');
    expect(screen).toContain('saved b.md: 1 step');
    expect(screen).not.toContain('not saved');
  });
});

describe('shark shell reading commands from standard input: leaving with steps no document holds', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-shell-quit-');
  });
  afterEach(() => rig.cleanup());

  it('leaves at the end of the input, or at :quit, as before, and warns of the steps not saved', async () => {
    for (const end of ['', ':quit\n']) {
      const ran = await shell(rig, [], `echo a > /data/a.txt\necho b > /data/b.txt\n${end}`);
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stderr).toBe('shark: warning: 2 steps not saved (--save FILE saves them on exit, or :save FILE)\n');
    }
  });

  it('says nothing when they are saved', async () => {
    expect((await shell(rig, [], 'echo a > /data/a.txt\n:save a.md\n')).stderr).toBe('');
    expect((await shell(rig, ['--save', 'b.md'], 'echo a > /data/a.txt\n')).stderr).toBe('');
  });
});
