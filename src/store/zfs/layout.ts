import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { withExclusiveLock } from '../../file-mutex.js';
import { Metadata } from '../metadata.js';
import { RESULT_AREAS } from './collect.js';
import { Commands } from './commands.js';
import { firstWrite } from './mounts.js';
import type { ZfsResult } from './failure.js';

/**
 * Opening a ZFS store: checks the pool and dataset, and lays out its areas
 * on first use. Several processes may open a fresh store at once: a child
 * another one created a moment ago counts as made, once it is mounted.
 */

const AREAS = ['meta', ...RESULT_AREAS, 'mnt'] as const;

const sleepSync = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export interface Layout {
  readonly dataset: string;
  readonly mountpoint: string;
  readonly cmd: Commands;
  /** The snapshots in the store, GUID → name. */
  readonly live: Map<string, string>;
}

/** Whether `zfs:POOL/DATASET` names a dataset the store may use, before asking ZFS anything (`shark config` asks nothing). */
export function goodZfsSpec(spec: string): boolean {
  const dataset = spec.replace(/^zfs:/, '');
  // ZFS takes no `.` or `..` component: `zfs create pool/a/../x` would be refused, so it is never suggested.
  const parts = dataset.split('/');
  // A dataset under a pool, never the pool's root: the store sets properties (setuid=off) every dataset of the pool would inherit.
  return /^[A-Za-z0-9][A-Za-z0-9_.:-]*(\/[A-Za-z0-9_.:-]+)+$/.test(dataset) && !parts.some((p) => p === '.' || p === '..');
}

export function layOut(spec: string): ZfsResult<Layout> {
  const dataset = spec.replace(/^zfs:/, '');
  const parts = dataset.split('/');
  if (!goodZfsSpec(spec)) return { ok: false, error: { reason: 'bad-spec', spec } };
  const found = Commands.find();
  if (!found.ok) return found;
  const cmd = found.value;
  const pool = dataset.split('/')[0]!;
  const pools = cmd.runSync('zpool', ['list', '-H', '-o', 'name', pool], pool);
  if (!pools.ok) return pools;
  const above = storeAbove(cmd, parts);
  if (above !== undefined) return { ok: false, error: { reason: 'inside-store', spec, ...above } };
  const got = cmd.getSync('mountpoint,mounted,setuid', [dataset]);
  if (!got.ok) return got;
  const props = got.value.get(dataset);
  const mountpoint = props?.get('mountpoint') ?? '';
  if (props?.get('mounted') !== 'yes' || !mountpoint.startsWith('/')) return { ok: false, error: { reason: 'not-mounted', dataset } };
  if (props.get('setuid') !== 'off') {
    // Set on the store's root, inherited by every dataset under it (a store made before gets it now).
    const set = cmd.runSync('zfs', ['set', 'setuid=off', dataset], dataset);
    if (!set.ok) return set;
  }
  // One lock for the areas made here and for the store's commands after (commands.ts `coordinate`).
  const lock = commandsLock();
  cmd.coordinate(lock);
  const areas = makeAreas(cmd, dataset, mountpoint, lock);
  if (!areas.ok) return areas;
  const inventory = cmd.getSync('guid', [dataset], true);
  if (!inventory.ok) return inventory;
  const live = new Map<string, string>();
  for (const [name, p] of inventory.value) {
    const guid = p.get('guid');
    if (guid !== undefined && name.includes('@') && RESULT_AREAS.some((a) => name.startsWith(`${dataset}/${a}/`))) live.set(guid, name);
  }
  return { ok: true, value: { dataset, mountpoint, cmd, live } };
}

/**
 * Whether a store was ever made at `spec`: its dataset holds `meta`. What
 * cannot be asked (no zfs, a bad name, a missing pool or dataset) counts as
 * made, so that opening it says what is wrong; the commands that only read
 * ask first, and never lay out a store where there was none.
 */
export function zfsStoreMade(spec: string): boolean {
  const dataset = spec.replace(/^zfs:/, '');
  const found = Commands.find();
  if (!found.ok) return true;
  const list = (name: string): boolean => found.value.runSync('zfs', ['list', '-H', '-o', 'name', name], name).ok;
  return list(`${dataset}/meta`) || !list(dataset);
}

/**
 * The store whose areas `parts` (a dataset's name) lies in, if any: a store
 * there would see its datasets made and destroyed by the other's runs and
 * gc (and the other's gc took its `meta/` for a killed run's leftover).
 */
function storeAbove(cmd: Commands, parts: readonly string[]): { store: string; area: string } | undefined {
  for (let i = 1; i < parts.length; i++) {
    if (!(AREAS as readonly string[]).includes(parts[i]!)) continue;
    const store = parts.slice(0, i).join('/');
    if (cmd.runSync('zfs', ['list', '-H', '-o', 'name', `${store}/meta`, `${store}/job`], store).ok) return { store, area: parts[i]! };
  }
  return undefined;
}

/**
 * The lock file of the ZFS commands of every store on this machine
 * (commands.ts `coordinate`): zfs-fuse is one daemon for all pools. Outside
 * ZFS (a full pool takes no file), in the first of the system's lock
 * directories this user can write in, whatever TMPDIR says.
 */
function commandsLock(): string {
  const dir = LOCK_DIRS.find((d) => {
    try {
      accessSync(d, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  });
  return join(dir ?? '/tmp', 'shark-zfs.lock');
}

const LOCK_DIRS = ['/run/lock', '/var/lock', '/tmp'];

/**
 * Creates the missing areas and waits until all are mounted. Processes
 * opening a fresh store at once make them one at a time, each mount's first
 * write with its create (commands.ts `exclusive`, across processes here).
 */
function makeAreas(cmd: Commands, dataset: string, mountpoint: string, lock: string): ZfsResult<void> {
  const names = AREAS.map((a) => `${dataset}/${a}`);
  const missing = (): ZfsResult<string[]> => {
    const children = cmd.runSync('zfs', ['list', '-H', '-o', 'name', '-d', '1', '-r', dataset], dataset);
    if (!children.ok) return children;
    const have = new Set(children.value.split('\n'));
    return { ok: true, value: names.filter((n) => !have.has(n)) };
  };
  const first = missing();
  if (!first.ok) return first;
  if (first.value.length > 0) {
    const locked = withExclusiveLock(lock, (): ZfsResult<void> => {
      const now = missing();
      if (!now.ok) return now;
      for (const name of now.value) {
        const made = cmd.runSync('zfs', ['create', name], name);
        if (!made.ok && made.error.reason !== 'exists') return made;
        const mounted = waitMounted(cmd, [name]);
        if (!mounted.ok) return mounted;
        const mount = `${mountpoint}${name.slice(dataset.length)}`;
        try {
          firstWrite(mount);
        } catch (e) {
          return { ok: false, error: { reason: 'failed', command: `write in ${mount}`, detail: (e as Error).message } };
        }
      }
      return { ok: true, value: undefined };
    });
    if (!locked.ok) return { ok: false, error: { reason: 'failed', command: 'lock', detail: locked.message } };
    if (!locked.value.ok) return locked.value;
  }
  return waitMounted(cmd, names);
}

/** Made by another process a moment ago, a dataset may not be mounted yet: the database opened now would land beneath its mountpoint and vanish. */
function waitMounted(cmd: Commands, names: readonly string[]): ZfsResult<void> {
  for (let attempt = 0; ; attempt++) {
    const got = cmd.getSync('mounted', names);
    if (!got.ok) return got;
    const unmounted = names.find((n) => got.value.get(n)?.get('mounted') !== 'yes');
    if (unmounted === undefined) return { ok: true, value: undefined };
    if (attempt >= 100) return { ok: false, error: { reason: 'not-mounted', dataset: unmounted } };
    sleepSync(100);
  }
}

/** The store's database; a first open racing another one meets a locked database for a moment. */
export function openMeta(dir: string): ZfsResult<Metadata> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { ok: true, value: new Metadata(dir) };
    } catch (e) {
      const message = (e as Error).message;
      if (!/locked|busy/i.test(message) || attempt >= 50) {
        return { ok: false, error: { reason: 'failed', command: `open ${dir}/shark.sqlite`, detail: message } };
      }
      sleepSync(100);
    }
  }
}
