import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SnapshotId, SnapshotStore } from '../../store/snapshot-store.js';
import { sha256Of, type DataItem } from './run-jobs.js';

export type Ref = { readonly '@id': string };
export type CrateEntity = Record<string, unknown> & { readonly '@id': string; readonly '@type': string | readonly string[] };

/**
 * The data of a run as it lands in the crate: where each item went, and the
 * File and Dataset entities; or the first file copied whose bytes are not its
 * content id's (damage that kept the object's time, which only a hash sees).
 */
export type CrateData = {
  readonly ok: true;
  /** `path\0id` → the crate @id of the item. */
  readonly placed: ReadonlyMap<string, string>;
  readonly entities: readonly CrateEntity[];
} | { readonly ok: false; readonly damaged: { readonly path: string; readonly id: SnapshotId } };

const encodePath = (p: string): string => p.split('/').map(encodeURIComponent).join('/');
/** Where data at a /data path goes in the crate, before any suffix that tells apart two contents of one path. */
const relOf = (path: string): string => `data/${path.replace(/^\/data\/?/, '').replace(/\/$/, '')}`;

/** The File or Dataset the crate lists at `/data` path `path`, if any (`ids`: the @ids of its data entities). */
export function entityAt(path: string, ids: ReadonlySet<string>): string | undefined {
  const id = encodePath(relOf(path));
  return ids.has(id) ? id : ids.has(`${id}/`) ? `${id}/` : undefined;
}
export const itemKey = (d: Pick<DataItem, 'path' | 'id'>): string => `${d.path}\0${d.id}`;

/**
 * Why some item's data cannot be copied out of the store, naming its /data
 * path (within a directory, the file that is gone) and whether it was
 * removed on purpose; undefined when the store holds all of it.
 */
export function unavailableData(store: SnapshotStore, items: readonly DataItem[], run: number): string | undefined {
  const item = items.find((d) => !d.id.startsWith('link:') && !store.has(d.id));
  if (item === undefined) return undefined;
  const { id, path } = goneLeaf(store, item.id, item.path);
  const why = store.freed?.(id);
  if (why === 'gc') return `the data of ${path} in run ${run} was freed by \`shark gc\` (\`shark export prov --run ${run}\` describes the run without its data)`;
  if (why === 'modified-input') return `the data of ${path} in run ${run} was discarded after a job modified it in place (\`shark export prov --run ${run}\` describes the run without its data)`;
  if (item.writer?.dropped === true) return `the data of ${path} in run ${run} was missing or damaged, and \`shark fsck --repair\` dropped its result (\`shark export prov --run ${run}\` describes the run without its data)`;
  return damagedMessage(path, id, run, 'missing or damaged');
}

/** The data of `path` (id `id`) cannot be trusted; `shark fsck` finds, and `--repair` drops, what is made of it. */
export function damagedMessage(path: string, id: SnapshotId, run: number, how: 'missing or damaged' | 'damaged'): string {
  return `the stored data of ${path} in run ${run} is ${how} (${id}): run \`shark fsck\``;
}

/** The first piece of `id` (itself, or an entry of a directory, at any depth) the store does not hold whole. */
function goneLeaf(store: SnapshotStore, id: SnapshotId, path: string): { id: SnapshotId; path: string } {
  const entry = store.entries(id)?.find((e) => !store.has(e.id));
  return entry === undefined ? { id, path } : goneLeaf(store, entry.id, `${path}/${entry.name}`);
}

/**
 * Copies every item out of the store under `data/` (the /data path it had),
 * then describes what is on disk: each file a `File` with its sha256 and
 * size, each directory a `Dataset` listing its children. An item whose path
 * another item already took with other content (a path rewritten between
 * runs) goes beside it, suffixed with its id. Each file's sha256, taken
 * for its entity, is compared with the content id it was copied from.
 */
export async function placeData(store: SnapshotStore, items: readonly DataItem[], dir: string): Promise<CrateData> {
  const placed = new Map<string, string>();
  const taken = new Map<string, string>();
  const origin = new Map<string, string>();
  /** Each copied file's place in the crate → the /data path and content id it was copied from. */
  const copied = new Map<string, { path: string; id: SnapshotId }>();
  const copiedFrom = (id: SnapshotId, rel: string, path: string): void => {
    if (!copied.has(rel)) copied.set(rel, { path, id });
    for (const e of store.entries(id) ?? []) copiedFrom(e.id, `${rel}/${e.name}`, `${path}/${e.name}`);
  };
  for (const d of items) {
    if (d.id.startsWith('link:')) continue;
    let rel = relOf(d.path);
    const other = taken.get(rel);
    if (other !== undefined && other !== d.id) rel = `${rel}@${d.id.slice(d.id.lastIndexOf(':') + 1, d.id.lastIndexOf(':') + 13)}`;
    taken.set(rel, d.id);
    const full = join(dir, rel);
    if (!existsSync(full)) {
      await store.exportTo(d.id, full, d.path.replace(/(.)\/$/, '$1'));
      copiedFrom(d.id, rel, d.path.replace(/\/$/, ''));
    }
    const isDir = lstatSync(full).isDirectory();
    placed.set(itemKey(d), encodePath(rel) + (isDir ? '/' : ''));
    origin.set(rel, d.path);
  }
  const entities: CrateEntity[] = [];
  let damaged: { path: string; id: SnapshotId } | undefined;
  const walk = (rel: string): string | undefined => {
    const full = join(dir, rel);
    const st = lstatSync(full);
    const alternateName = origin.get(rel) ?? `/${rel}`;
    if (st.isDirectory()) {
      const parts = readdirSync(full).sort().flatMap((name) => walk(`${rel}/${name}`) ?? []);
      const id = `${encodePath(rel)}/`;
      entities.push({ '@id': id, '@type': 'Dataset', name: alternateName, alternateName, hasPart: parts.map((p) => ({ '@id': p })) });
      return id;
    }
    if (!st.isFile()) return undefined;
    const bytes = readFileSync(full);
    const id = encodePath(rel);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const from = copied.get(rel);
    const want = from === undefined ? undefined : sha256Of(from.id);
    if (want !== undefined && want !== sha256) damaged ??= from;
    entities.push({ '@id': id, '@type': 'File', name: alternateName, alternateName, contentSize: String(bytes.length), sha256 });
    return id;
  };
  const top = existsSync(join(dir, 'data')) ? readdirSync(join(dir, 'data')).sort() : [];
  for (const name of top) walk(`data/${name}`);
  return damaged === undefined ? { ok: true, placed, entities } : { ok: false, damaged };
}
