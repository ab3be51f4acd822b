import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { BatchShell, leftWorkspaces } from './batch.js';

const SCRIPT = 'echo a > /data/a.txt\nsleep 60 && echo b > /data/b.txt\necho c > /data/c.txt\n';

describe('a batch shell (`shark shell < commands`) stopped by a signal', () => {
  let rig: Rig;
  let session: BatchShell | undefined;
  beforeEach(() => {
    rig = new Rig('shark-shell-signals-');
  });
  afterEach(() => {
    session?.child.kill('SIGKILL');
    session = undefined;
    rig.cleanup();
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} stops the whole script, as sh reading a script does: the running command is cancelled, no later line runs, --save saves nothing, exit 130`, async () => {
      session = new BatchShell(rig, ['--save', 'out.md']);
      session.send(SCRIPT);
      await session.until('shark> sleep 60');
      session.child.kill(signal);
      const ended = await session.ended;
      expect(ended.code, ended.stderr).toBe(130);
      expect(ended.stdout).toContain('[step 1: wrote /data/a.txt]');
      expect(ended.stdout).not.toContain('echo c');
      expect(ended.stderr).toBe('shark: interrupted: nothing saved to out.md\n');
      expect(rig.exists('out.md')).toBe(false);
      expect(leftWorkspaces(rig)).toEqual([]);
    });
  }
});
