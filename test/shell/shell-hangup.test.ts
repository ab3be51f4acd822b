import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { leftWorkspaces } from './batch.js';
import { describeTmux, Pane } from './tmux.js';

/** Polls until `ok` holds (the shell ends on its own time once its terminal is gone). */
async function until(ok: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeTmux('shark shell whose terminal is closed (SIGHUP)', () => {
  let rig: Rig;
  let pane: Pane | undefined;
  beforeEach(() => {
    rig = new Rig('shark-shell-hangup-');
  });
  afterEach(() => {
    pane?.kill();
    pane = undefined;
    rig.cleanup();
  });

  it('ends the session as Ctrl-D does: --save writes the steps (it wrote nothing)', async () => {
    pane = new Pane(rig.dir, ['--save', 'out.md']);
    await pane.start();
    expect(await pane.type('echo a > /data/a.txt')).toContain('[step 1: wrote /data/a.txt]');
    pane.hangUp();
    await until(() => rig.exists('out.md'), 'out.md');
    expect(rig.read('out.md')).toContain('echo a > /data/a.txt');
    expect(leftWorkspaces(rig)).toEqual([]);
  });

  it('cancels a running command, disposing its workspace, and saves the steps before it (a workspace was left)', async () => {
    pane = new Pane(rig.dir, ['--save', 'out.md']);
    await pane.start();
    expect(await pane.type('echo a > /data/a.txt')).toContain('[step 1: wrote /data/a.txt]');
    pane.keys('sleep 60 && echo b > /data/b.txt');
    await until(() => leftWorkspaces(rig).length > 0, 'the command\'s workspace');
    pane.hangUp();
    await until(() => rig.exists('out.md'), 'out.md');
    const saved = rig.read('out.md');
    expect(saved).toContain('echo a > /data/a.txt');
    expect(saved).not.toContain('sleep 60');
    await until(() => leftWorkspaces(rig).length === 0, 'the workspace removed');
  });
});
