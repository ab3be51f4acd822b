import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { hashFileSync } from '../hash.js';
import type { SnapshotId, StoreProblem } from '../snapshot-store.js';
import { RESULT_AREAS } from './collect.js';
import type { ZfsCore } from './core.js';
import { assertInside, Clones } from './mounts.js';
import { type Node, scan } from './scan.js';

/**
 * fsck on ZFS: every catalogued content is re-hashed where the catalog says
 * it is (through a temporary read-only clone: zfs-fuse has no
 * `.zfs/snapshot`), and what is gone or differs is reported; quarantine
 * makes the catalog forget it, so the planner re-runs what made it.
 */

type Progress = (done: number, total: number, bytes: number) => void;

/** The snapshots that exist now, GUID → name (not what this process believes). */
async function existing(core: ZfsCore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const areas = RESULT_AREAS.map((a) => `${core.dataset}/${a}`);
  for (const [name, props] of await core.cmd.get('guid', areas, true)) {
    const guid = props.get('guid');
    if (guid !== undefined && name.includes('@')) out.set(guid, name);
  }
  return out;
}

/** Every path in `node` (at `path`) with its content id as found now. */
function flatten(node: Node, path: string, into: Map<string, SnapshotId>): void {
  into.set(path, node.content);
  if (node.kind === 'dir') for (const c of node.children) flatten(c.node, `${path}/${c.name}`, into);
}

/** The paths not inside another of the paths: what to scan so that each byte is read once. */
function tops(paths: readonly string[]): string[] {
  const sorted = [...paths].sort();
  const out: string[] = [];
  for (const p of sorted) if (!out.some((t) => p.startsWith(`${t}/`))) out.push(p);
  return out;
}

export async function verify(core: ZfsCore, progress: Progress, signal: AbortSignal): Promise<StoreProblem[]> {
  const problems: StoreProblem[] = [];
  const now = await existing(core);
  const names = new Set(now.values());
  const work = core.catalog.snapshots().map((s) => ({ snap: s, objects: core.catalog.contentsOf(s.guid) }));
  const total = work.reduce((n, w) => n + w.objects.length, 0);
  let done = 0;
  let bytes = 0;
  const hashFile = (path: string): string => {
    const hex = hashFileSync(path);
    bytes += statSync(path).size;
    progress(done, total, bytes);
    return hex;
  };
  for (const { snap, objects } of work) {
    if (signal.aborted) break;
    if (objects.length === 0) continue;
    if (!now.has(snap.guid)) {
      // Its bytes are gone either way: one made since under its name is other data, whatever it holds.
      const detail = names.has(snap.name) ? `snapshot ${snap.name} was replaced by another of the same name (its GUID changed)`
        : `snapshot ${snap.name} no longer exists`;
      for (const o of objects) problems.push({ id: o.content, problem: 'missing', detail });
    } else {
      const clones = new Clones(core, `fsck-${randomBytes(4).toString('hex')}`);
      try {
        const mnt = await clones.get(snap.guid);
        const found = new Map<string, SnapshotId>();
        const unreadable = new Map<string, string>();
        for (const top of tops(objects.map((o) => o.path))) {
          try {
            assertInside(mnt, dirname(mnt + top));
            flatten(await scan(mnt + top, hashFile), top, found);
          } catch (e) {
            unreadable.set(top, (e as Error).message);
          }
        }
        for (const o of objects) {
          const is = found.get(o.path);
          if (is === o.content) continue;
          const why = [...unreadable].find(([t]) => o.path === t || o.path.startsWith(`${t}/`))?.[1];
          const detail = why !== undefined ? `${snap.name}:${o.path} cannot be read: ${why}`
            : is === undefined ? `${snap.name}:${o.path} is not there` : `${snap.name}:${o.path} holds ${is}`;
          problems.push({ id: o.content, problem: 'corrupt', detail });
        }
      } finally {
        await clones.destroyAll().catch(() => undefined);
      }
    }
    done += objects.length;
    progress(done, total, bytes);
  }
  return problems;
}

/**
 * Forgets where `ids` are, so that nothing reads them again; a snapshot left
 * holding nothing catalogued is destroyed (or left to gc if that fails).
 * Returns the GUIDs of the snapshots it forgot.
 */
export async function quarantine(core: ZfsCore, ids: readonly SnapshotId[]): Promise<string[]> {
  const forgotten: string[] = [];
  for (const guid of core.catalog.drop(ids)) {
    if (core.catalog.contentsOf(guid).length > 0) continue;
    const name = core.catalog.snapshot(guid)?.name;
    if (name !== undefined && core.snapshots.isLive(guid)) {
      const destroyed = await core.cmd.run('zfs', ['destroy', name], name).then(() => true, () => false);
      if (!destroyed) continue;
    }
    core.catalog.forget([guid]);
    forgotten.push(guid);
  }
  return forgotten;
}
