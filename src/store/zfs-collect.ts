import { readFileSync } from 'node:fs';

/**
 * What `shark gc` removes from a ZFS store, decided from one inventory of
 * its datasets (`zfs get -Hp -r`: name → property → value).
 */

export const RESULT_AREAS = ['job', 'in'] as const;

export interface Doomed {
  readonly name: string;
  readonly whole: boolean;
  readonly guids: readonly string[];
  readonly count: number;
  readonly bytes: number;
}

/**
 * What gc removes: snapshots not wanted (and their datasets once none is
 * left), workspaces abandoned by a dead process, and the clones and bind
 * mounts such a process left behind. Datasets of live processes are spared.
 */
export function planCollect(
  root: string,
  inv: Map<string, Map<string, string>>,
  wanted: ReadonlySet<string>,
  inUse: (name: string, props: Map<string, string>) => boolean,
): { destroy: Doomed[]; clones: string[]; unmount: string[] } {
  const clones: string[] = [];
  const pinned = new Set<string>(); // snapshots that a live clone depends on
  for (const [name, p] of inv) {
    if (!name.startsWith(`${root}/mnt/`) || p.get('type') !== 'filesystem') continue;
    if (inUse(name, p)) pinned.add(p.get('origin') ?? '');
    else clones.push(name);
  }
  const destroy: Doomed[] = [];
  const unmount: string[] = [];
  for (const [name, p] of inv) {
    if (p.get('type') !== 'filesystem' || !RESULT_AREAS.some((a) => name.startsWith(`${root}/${a}/`)) || inUse(name, p)) continue;
    const snaps = [...inv].filter(([n]) => n.startsWith(`${name}@`));
    const dead = snaps.filter(([n, s]) => !wanted.has(s.get('guid') ?? '') && !pinned.has(n));
    const guids = dead.map(([, s]) => s.get('guid') ?? '');
    if (snaps.length === 0 || dead.length === snaps.length) {
      const mp = p.get('mountpoint') ?? '';
      if (mp.startsWith('/')) unmount.push(...bindMountsUnder(mp));
      destroy.push({ name, whole: true, guids, count: Math.max(1, dead.length), bytes: Number(p.get('used') ?? 0) });
    } else {
      for (const [n, s] of dead) destroy.push({ name: n, whole: false, guids: [s.get('guid') ?? ''], count: 1, bytes: Number(s.get('used') ?? 0) });
    }
  }
  return { destroy, clones, unmount };
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
