import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/rig.js';
import { tempDir } from '../support/temp-dir.js';
import { Commands } from '../../src/store/zfs/commands.js';

/**
 * Three runs started together on a fresh ZFS store deadlocked zfs-fuse in CI:
 * one process's commands went one at a time, but those of the three
 * overlapped. With the store's lock (`coordinate`), the turns of all
 * processes using the store are one at a time.
 */

const DIST_COMMANDS = pathToFileURL(join(ROOT, 'dist/src/store/zfs/commands.js')).href;
const SH = { zfs: '/bin/sh', zpool: '/bin/sh', mount: '/bin/sh', umount: '/bin/sh' };

/** A process taking `turns` turns, each a command writing "start PID" then "end PID" to `log`, a moment apart. */
function taker(lock: string | undefined, log: string, turns: number): Promise<number | null> {
  const script = `const { Commands } = await import(${JSON.stringify(DIST_COMMANDS)});
const cmd = new Commands(${JSON.stringify(SH)});
${lock === undefined ? '' : `cmd.coordinate(${JSON.stringify(lock)});`}
const line = (w) => \`echo "\${w} $$" >> ${log}\`;
await Promise.all(Array.from({ length: ${turns} }, () => cmd.exclusive(() => cmd.runNow('zfs', ['-c', \`\${line('start')}; sleep 0.02; \${line('end')}\`], 'x'))));`;
  return new Promise((done) => spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' }).on('close', done));
}

/** The most turns in `log` that were under way at one moment. */
function mostAtOnce(log: string): number {
  let now = 0;
  let most = 0;
  for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
    now += line.startsWith('start') ? 1 : -1;
    most = Math.max(most, now);
  }
  return most;
}

describe('Commands.coordinate: the ZFS commands of all processes using a store, one at a time', () => {
  it('never runs two turns of different processes at once, and leaves no lock behind', async () => {
    const dir = tempDir('shark-zfs-across-');
    const lock = join(dir, '.shark-zfs.lock');
    const log = join(dir, 'log');
    expect(await Promise.all([1, 2, 3].map(() => taker(lock, log, 6)))).toEqual([0, 0, 0]);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(36);
    expect(mostAtOnce(log)).toBe(1);
    expect(existsSync(lock)).toBe(false);
  });

  it('overlaps without the lock (what the test above would miss if it could not fail)', async () => {
    const dir = tempDir('shark-zfs-across-');
    const log = join(dir, 'log');
    await Promise.all([1, 2, 3].map(() => taker(undefined, log, 6)));
    expect(mostAtOnce(log)).toBeGreaterThan(1);
  });

  it('takes over the lock of a process that died holding it', async () => {
    const dir = tempDir('shark-zfs-across-');
    const lock = join(dir, '.shark-zfs.lock');
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    writeFileSync(lock, `${dead} ${hostname()}\n`);
    const cmd = new Commands(SH);
    cmd.coordinate(lock);
    expect(await cmd.run('zfs', ['-c', 'echo ran'], 'x')).toBe('ran\n');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes no lock where the store cannot be written (a user who only reads it)', async () => {
    const cmd = new Commands(SH);
    cmd.coordinate('/proc/no-such-dir/.shark-zfs.lock');
    expect(await cmd.run('zfs', ['-c', 'echo ran'], 'x')).toBe('ran\n');
  });
});
