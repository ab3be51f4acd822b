import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig, SHARK } from '../support/rig.js';
import { describeTmux } from '../shell/tmux.js';

/**
 * `shark run` at a real terminal (tmux): Ctrl-C's message replaces the
 * status line on the row the terminal echoed `^C` on; the line was left
 * above it (`[2.8s] 4 running · work 99/300^C`).
 */
describeTmux('shark run at a terminal', () => {
  let rig: Rig;
  const socket = `shark-run-${process.pid}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  beforeEach(() => (rig = new Rig('shark-run-terminal-')));
  afterEach(() => {
    try {
      tmux('kill-server');
    } catch {
      // Gone already.
    }
    rig.cleanup();
  });

  it('clears the status line when Ctrl-C stops the run', async () => {
    rig.write('p.md', '```shark-run\nseq 1 200 | split -l 1 - /data/in/x\n```\n\n```shark-run\nsleep 0.2; cat /data/in/* > /data/out/+\n```\n');
    tmux('new-session', '-d', '-x', '100', '-y', '30', '-c', rig.dir, `${process.execPath} ${SHARK} run p.md -j 2; sleep 600`);
    const screen = (): string => tmux('capture-pane', '-p', '-J');
    // Each wait well within the test's own time, so that a run that never gets there shows its screen.
    const until = async (ready: (s: string) => boolean, what: string): Promise<string> => {
      for (const end = Date.now() + 40_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (ready(screen())) return screen();
      throw new Error(`timed out waiting for ${what}:\n${screen()}`);
    };
    await until((s) => / running · run-2 \d+\/200/.test(s), 'the status line');
    tmux('send-keys', 'C-c');
    const shown = await until((s) => s.includes('interrupted:'), 'the run to stop');
    expect(shown).toContain('shark: stopping: cancelling running jobs');
    expect(shown).not.toMatch(/running · run-2 \d+\/200/);
  }, 100_000);
});
