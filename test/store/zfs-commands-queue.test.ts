import { describe, expect, it } from 'vitest';
import { Commands } from '../../src/store/zfs/commands.js';

/**
 * zfs-fuse deadlocked for good (every access to the pool hung) when two jobs
 * of one run created their datasets and first wrote into the new mounts at
 * once: a process's ZFS commands run one at a time.
 */
describe('Commands: one ZFS command of a process at a time', () => {
  const sh = { zfs: '/bin/sh', zpool: '/bin/sh', mount: '/bin/sh', umount: '/bin/sh' };

  it('runs commands and exclusive sections in turn, never two at once, also after one fails', async () => {
    const cmd = new Commands(sh);
    let running = 0;
    let most = 0;
    const section = async (fail: boolean): Promise<void> => {
      running++;
      most = Math.max(most, running);
      await cmd.runNow('zfs', ['-c', 'sleep 0.05'], 'x');
      running--;
      if (fail) throw new Error('refused');
    };
    const all = [
      cmd.exclusive(() => section(false)),
      cmd.exclusive(() => section(true)).catch((e: Error) => e.message),
      cmd.exclusive(() => section(false)),
      cmd.run('zfs', ['-c', 'echo done'], 'x'),
    ];
    expect(await Promise.all(all)).toEqual([undefined, 'refused', undefined, 'done\n']);
    expect(most).toBe(1);
  });
});
