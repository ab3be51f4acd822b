import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig, SHARK } from '../support/rig.js';
import { unprivileged } from '../support/unprivileged.js';

/**
 * What a command at the prompt leaves at mode 000 is made readable to its
 * owner and kept, as `shark run` keeps a job's output: the shell refused it
 * (`permission denied; its writes were discarded`) where run stored it.
 */
describe('shark shell as a user who is not root', () => {
  let rig: Rig;
  afterEach(() => rig.cleanup());

  it('keeps a file and a directory left unreadable, as run does', () => {
    rig = new Rig('shark-shell-modes-');
    const { skip, options } = unprivileged(rig);
    if (skip !== undefined) return;
    rig.write('p.md', '# P\n\n```shark-run\necho a > /data/a.txt\n```\n');
    const shark = (args: string[], input = ''): { status: number | null; out: string } => {
      const [cmd, ...rest] = [...(options.wrap ?? []), process.execPath, SHARK, ...args];
      const r = spawnSync(cmd!, rest, { cwd: rig.dir, input, encoding: 'utf8', env: { ...process.env, ...options.env } });
      return { status: r.status, out: r.stdout + r.stderr };
    };
    expect(shark(['run', 'p.md']).status).toBe(0);
    const shell = shark(['shell', 'p.md'], 'echo w > /data/w.txt && chmod 000 /data/w.txt\nmkdir /data/e && echo z > /data/e/z && chmod 000 /data/e/z /data/e\n');
    expect(shell.out).toContain('wrote /data/w.txt');
    expect(shell.out).toContain('wrote /data/e');
    expect(shell.out).not.toContain('permission denied');
  });
});
