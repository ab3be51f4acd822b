import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { SnapshotId } from '../snapshot-store.js';
import { holderAlive, ownStart, startedAfter } from '../liveness.js';
import type { ZfsCore } from './core.js';
import { unmount } from './mounts.js';
import { appendAll } from '../../fold.js';

/**
 * What `shark gc` removes from a ZFS store, decided from one inventory of
 * its datasets (`zfs get -Hp -r`: name → property → value).
 */

export const RESULT_AREAS = ['job', 'in'] as const;

/** The areas gc lists (`inventory`): the results, and the clones through which jobs read them. */
const INVENTORIED = [...RESULT_AREAS, 'mnt'] as const;

export interface Doomed {
  readonly name: string;
  readonly whole: boolean;
  readonly guids: readonly string[];
  /** The snapshots it frees (objects), and their bytes. */
  readonly count: number;
  readonly bytes: number;
  /**
   * A workspace a dead process left mounted (its job never committed what gc
   * keeps): a working folder, counted apart from objects as the directory
   * store counts its `tmp/` leftovers; what it holds beyond its snapshots.
   */
  readonly folder?: { readonly bytes: number };
}

/**
 * A dead process's workspace whose snapshots are wanted (it was killed after
 * its job committed, before the job was disposed): finished as a live run
 * finishes it, unmounted and rolled back to its last snapshot.
 */
export interface Unfinished {
  readonly name: string;
  /** The snapshot to roll back to: the latest one gc keeps. */
  readonly last: string;
  /** About what the rollback frees: how much more the dataset refers to than its last snapshot. */
  readonly bytes: number;
}

/**
 * What gc removes: snapshots not wanted (and their datasets once none is
 * left), workspaces abandoned by a dead process (finished, when a snapshot
 * of theirs is wanted), and the clones and bind mounts such a process left
 * behind. Datasets of live processes are spared.
 */
export function planCollect(
  root: string,
  inv: Map<string, Map<string, string>>,
  wanted: ReadonlySet<string>,
  inUse: (name: string, props: Map<string, string>) => boolean,
  clonedElsewhere: ReadonlySet<string> = new Set(),
): { destroy: Doomed[]; clones: string[]; unmount: string[]; finish: Unfinished[] } {
  const clones: string[] = [];
  // Snapshots a clone gc leaves depends on (a live run's, or a user's `zfs clone` of a result, in the store or
  // elsewhere in the pool): ZFS refuses to destroy them, so they are neither destroyed nor counted.
  const pinned = new Set<string>(clonedElsewhere);
  for (const [name, p] of inv) {
    if (p.get('type') !== 'filesystem') continue;
    const origin = p.get('origin') ?? '-';
    // One a user took a snapshot of cannot be destroyed without it (`destroy` refuses): left, with what it was cloned from.
    const snapshotted = (): boolean => [...inv.keys()].some((n) => n.startsWith(`${name}@`));
    if (name.startsWith(`${root}/mnt/`) && !inUse(name, p) && !snapshotted()) clones.push(name);
    else if (origin !== '-' && origin !== '') pinned.add(origin);
  }
  const destroy: Doomed[] = [];
  const unmount: string[] = [];
  const finish: Unfinished[] = [];
  for (const [name, p] of inv) {
    if (p.get('type') !== 'filesystem' || !RESULT_AREAS.some((a) => name.startsWith(`${root}/${a}/`)) || inUse(name, p)) continue;
    const snaps = [...inv].filter(([n]) => n.startsWith(`${name}@`));
    const dead = snaps.filter(([n, s]) => !wanted.has(s.get('guid') ?? '') && !pinned.has(n));
    const guids = dead.map(([, s]) => s.get('guid') ?? '');
    const mp = p.get('mountpoint') ?? '';
    // A disposed dataset has mountpoint=none: one still mounted was left by a process that died.
    if (mp.startsWith('/')) unmount.push(...bindMountsUnder(mp));
    // Destroyed whole (`-r`), it would take with it a dataset inside it that gc must leave (a user's, a live run's).
    const holdsKept = [...inv].some(([n, c]) => n.startsWith(`${name}/`) && c.get('type') === 'filesystem' && inUse(n, c));
    if (!holdsKept && (snaps.length === 0 || dead.length === snaps.length)) {
      const used = Number(p.get('used') ?? 0);
      if (!mp.startsWith('/')) {
        destroy.push({ name, whole: true, guids, count: Math.max(1, dead.length), bytes: used });
        continue;
      }
      const held = dead.reduce((sum, [, s]) => sum + Number(s.get('used') ?? 0), 0);
      destroy.push({ name, whole: true, guids, count: dead.length, bytes: held, folder: { bytes: Math.max(0, used - held) } });
      continue;
    }
    for (const [n, s] of dead) destroy.push({ name: n, whole: false, guids: [s.get('guid') ?? ''], count: 1, bytes: Number(s.get('used') ?? 0) });
    // One that holds a dataset to leave is left as it is, mounted or not: only its unwanted snapshots go.
    if (!mp.startsWith('/') || holdsKept) continue;
    const txg = ([, s]: [string, Map<string, string>]): number => Number(s.get('createtxg') ?? 0);
    const [last, lastProps] = snaps.filter((s) => !dead.includes(s)).sort((a, b) => txg(b) - txg(a))[0]!;
    const beyond = Number(p.get('referenced') ?? 0) - Number(lastProps.get('referenced') ?? 0);
    finish.push({ name, last, bytes: Math.max(0, beyond) });
  }
  return { destroy, clones, unmount, finish };
}

/**
 * Bind mounts that Shark made under `dir` (a dead process's leftovers),
 * deepest first. Never a dataset's own mount: unmounting one of those behind
 * the ZFS daemon's back wedges zfs-fuse. A bind of a path inside a clone has
 * a root other than `/` in mountinfo; a composed tree's skeleton is not ZFS.
 */
export function bindMountsUnder(dir: string): string[] {
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const found: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const root = unescape(fields[3] ?? '');
    const point = unescape(fields[4] ?? '');
    const fstype = fields[fields.indexOf('-') + 1] ?? '';
    if (!point.startsWith(`${dir}/`)) continue;
    if (root !== '/' || !/zfs/.test(fstype)) found.push(point);
  }
  return found.sort().reverse();
}

/**
 * Whether gc must leave a dataset: it belongs to a job or ingest still
 * running (`mine`: of this process), here or on another host, or Shark did
 * not make it (no `shark:pid`: a user's clone made to look at a result, a
 * dataset of their own under `in/`), which is never gc's to destroy.
 */
export function inUse(props: Map<string, string>, mine: () => boolean): boolean {
  const pid = Number(props.get('shark:pid'));
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (props.get('shark:host') !== hostname()) return true;
  // The process that made it, when it recorded its start (one made by an older Shark did not): not another given its pid since.
  const given = props.get('shark:start');
  const start = given === undefined || given === '-' || given === '' ? null : given;
  if (pid === process.pid) return (start === null || start === ownStart()) && mine();
  // Without it, a process that started after the dataset was made is not its maker either: else a killed run's
  // leftovers stay for as long as any process has its pid (a dataset has no heartbeat to go stale, as a lease has).
  if (start === null && startedAfter(pid, Number(props.get('creation')) * 1000)) return false;
  return holderAlive({ pid, host: null, beat: null, pid_start: start });
}

/**
 * gc on ZFS: keeps the snapshots holding what `keep` refers to (every leaf
 * of a tree), destroys the rest and what dead processes left behind.
 */
export async function collect(
  core: ZfsCore,
  keep: ReadonlySet<SnapshotId>,
  dryRun: boolean,
  busy: (name: string, props: Map<string, string>) => boolean,
  signal?: AbortSignal,
): Promise<{ count: number; bytes: number; gone: string[]; leftovers: { count: number; bytes: number }; interrupted: boolean }> {
  const wanted = new Set<string>();
  const seen = new Set<SnapshotId>();
  const mark = (id: SnapshotId): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const ref = core.locate(id);
    if (ref !== undefined) wanted.add(ref.guid);
    for (const e of core.entries(id) ?? []) mark(e.id);
  };
  for (const id of keep) mark(id);
  const plan = planCollect(core.dataset, await inventory(core), wanted, busy, await clonedElsewhere(core));
  if (!dryRun) {
    // Recorded first, as the directory store does, so that the exports and lineage say freed, not damaged; and the
    // snapshots forgotten before they are destroyed: a gc killed among its destroys left fsck reporting as missing
    // what it had destroyed on purpose. One it could not destroy (a clone of it is busy) is unwanted still, and
    // the next gc, which lists what the pool holds, destroys it.
    const doomed = plan.destroy.flatMap((d) => d.guids);
    core.meta.freed.mark(doomed.flatMap((g) => core.catalog.contentsOf(g).map((c) => c.content)), 'gc');
    core.catalog.forget(doomed);
    for (const target of plan.unmount) await unmount(core.cmd, target);
    for (const ds of plan.clones) await core.cmd.run('zfs', ['destroy', ds], ds).catch(() => undefined);
  }
  let count = 0;
  let bytes = 0;
  const gone: string[] = [];
  const leftovers = { count: 0, bytes: 0 };
  // Stopped between two destroys, what is left is forgotten already and unwanted: the next gc destroys it.
  let interrupted = false;
  const stops = (): boolean => (interrupted = !dryRun && signal?.aborted === true);
  for (const d of plan.destroy) {
    if (stops()) break;
    if (!dryRun) {
      try {
        await core.cmd.run('zfs', d.whole ? ['destroy', '-r', d.name] : ['destroy', d.name], d.name);
      } catch {
        continue; // e.g. a running job has a clone of it: it stays until the next gc
      }
      appendAll(gone, d.guids);
    }
    count += d.count;
    bytes += d.bytes;
    if (d.folder !== undefined) {
      leftovers.count++;
      leftovers.bytes += d.folder.bytes;
    }
  }
  for (const f of interrupted ? [] : plan.finish) {
    if (stops()) break;
    // After its unwanted snapshots went: a rollback only reaches the latest snapshot.
    if (!dryRun && !(await finishWorkspace(core, f))) continue;
    leftovers.count++;
    leftovers.bytes += f.bytes;
  }
  return { count, bytes, gone, leftovers, interrupted };
}

/**
 * Ends a committed job's workspace as `disposeWorkspace` does; false when it
 * cannot yet (a straggler holds it busy): the next gc tries again.
 */
async function finishWorkspace(core: ZfsCore, f: Unfinished): Promise<boolean> {
  try {
    await core.cmd.run('zfs', ['set', 'mountpoint=none', f.name], f.name);
  } catch {
    return false;
  }
  // Only drops scratch files; the snapshots are whole either way (disposeWorkspace says why it may fail).
  await core.cmd.run('zfs', ['rollback', f.last], f.name).catch(() => undefined);
  return true;
}

/**
 * The store's snapshots that a dataset outside its areas is a clone of (`zfs clone` of a result, to look at it):
 * elsewhere in the pool, or in the store's own dataset beside its areas (`tank/shark/look`), which the
 * inventory does not list either.
 */
async function clonedElsewhere(core: ZfsCore): Promise<Set<string>> {
  const found = new Set<string>();
  const pool = core.dataset.split('/')[0]!;
  const inventoried = (name: string): boolean => INVENTORIED.some((a) => name.startsWith(`${core.dataset}/${a}/`));
  for (const [name, p] of await core.cmd.get('origin', [pool], true)) {
    const origin = p.get('origin') ?? '-';
    if (!inventoried(name) && origin.startsWith(`${core.dataset}/`)) found.add(origin);
  }
  return found;
}

async function inventory(core: ZfsCore): Promise<Map<string, Map<string, string>>> {
  const props = 'type,guid,used,referenced,createtxg,creation,origin,mountpoint,shark:pid,shark:host,shark:start';
  const all = new Map<string, Map<string, string>>();
  for (const area of INVENTORIED) {
    const ds = `${core.dataset}/${area}`;
    for (const [k, v] of await core.cmd.get(props, [ds], true)) if (k !== ds) all.set(k, v);
  }
  return all;
}
