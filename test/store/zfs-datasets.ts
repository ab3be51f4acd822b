import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindMountsUnder } from '../../src/store/zfs/collect.js';
import { Commands } from '../../src/store/zfs/commands.js';
import { failureMessage, ZfsError, type ZfsResult } from '../../src/store/zfs/failure.js';

/**
 * Test and bench support: datasets to hold stores, made and removed with the
 * store's own command runner (retrying zfs-fuse's "busy").
 */

const TURN = join(tmpdir(), 'shark-zfs-tests.turn');

/**
 * The ZFS test files one at a time across the test workers: zfs-fuse
 * deadlocks when datasets are made, mounted and destroyed in two files at
 * once (seen on this VM: \`zfs create\` and \`zfs destroy\` stuck for good).
 * Taken at a file's start (the directory made atomically, the holder's pid
 * in it; a dead holder's turn is taken over); the returned function gives
 * it back.
 */
export async function zfsTurn(): Promise<() => void> {
  for (;;) {
    try {
      mkdirSync(TURN);
      writeFileSync(join(TURN, 'pid'), String(process.pid));
      return () => rmSync(TURN, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!holderAlive()) rmSync(TURN, { recursive: true, force: true });
    else await new Promise((r) => setTimeout(r, 200));
  }
}

function holderAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(TURN, 'pid'), 'utf8'));
  } catch {
    return true; // being written, or just given back
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commands(): Commands | undefined {
  const found = Commands.find();
  return found.ok ? found.value : undefined;
}

export async function createDataset(dataset: string, options: Readonly<Record<string, string>> = {}): Promise<ZfsResult<void>> {
  const cmd = commands();
  if (cmd === undefined) return { ok: false, error: { reason: 'no-zfs' } };
  const opts = Object.entries(options).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  try {
    await cmd.run('zfs', ['create', '-p', ...opts, dataset], dataset);
    return { ok: true, value: undefined };
  } catch (e) {
    return { ok: false, error: e instanceof ZfsError ? e.failure : { reason: 'failed', command: 'zfs create', detail: String(e) } };
  }
}

export async function destroyDataset(dataset: string): Promise<void> {
  const cmd = commands();
  if (cmd === undefined) return;
  const mp = (await cmd.run('zfs', ['get', '-H', '-o', 'value', 'mountpoint', dataset], dataset).catch(() => '')).trim();
  if (mp.startsWith('/')) for (const m of bindMountsUnder(mp)) await cmd.run('umount', ['-l', m], m).catch(() => undefined);
  await cmd.run('zfs', ['destroy', '-r', '-R', dataset], dataset).catch(() => undefined);
}

/**
 * Why a store cannot be made under `parent`, or undefined when it can. The
 * daemon can answer `zfs` and still not serve its mounts (zfs-fuse wedged):
 * then listing the mountpoint never returns, so it is tried with a deadline.
 */
export async function zfsUnavailable(parent: string): Promise<string | undefined> {
  const cmd = commands();
  if (cmd === undefined) return failureMessage({ reason: 'no-zfs' });
  let props: Map<string, string> | undefined;
  try {
    props = (await cmd.get('mounted,mountpoint', [parent])).get(parent);
  } catch (e) {
    return e instanceof ZfsError ? e.message : String(e);
  }
  const mountpoint = props?.get('mountpoint') ?? '';
  if (props?.get('mounted') !== 'yes' || !mountpoint.startsWith('/')) return failureMessage({ reason: 'not-mounted', dataset: parent });
  const answered = await new Promise<boolean>((done) => {
    const child = spawn('ls', [mountpoint], { stdio: 'ignore', detached: true });
    const timer = setTimeout(() => {
      child.unref(); // stuck in the kernel: it cannot be killed, only left behind
      done(false);
    }, 15_000);
    child.on('error', () => done(false));
    child.on('exit', (code) => {
      clearTimeout(timer);
      done(code === 0);
    });
  });
  if (!answered) return failureMessage({ reason: 'no-daemon', detail: `listing ${mountpoint} does not return: zfs-fuse is wedged and must be restarted` });
  return undefined;
}

/** The datasets or snapshots under `dataset` (not itself). */
export async function datasetsUnder(dataset: string, type: 'filesystem' | 'snapshot'): Promise<string[]> {
  const cmd = commands();
  if (cmd === undefined) return [];
  const out = await cmd.run('zfs', ['list', '-H', '-o', 'name', '-t', type, '-r', dataset], dataset);
  return out.split('\n').filter((n) => n !== '' && n !== dataset).sort();
}
