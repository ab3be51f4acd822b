import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hashFileSync } from '../../store/hash.js';
import { inTheWay } from '../../store/safe-path.js';
import type { SnapshotId, SnapshotStore } from '../../store/snapshot-store.js';
import { kept, linkDescription, screenLinks, type CrateLink } from './crate-links.js';
import { sha256Of, type DataItem } from './run-jobs.js';

export type Ref = { readonly '@id': string };
export type CrateEntity = Record<string, unknown> & { readonly '@id': string; readonly '@type': string | readonly string[] };

/** A symbolic link a step made that the crate does not hold: its /data path, why, and the entity that says so. */
export interface LeftOutLink {
  readonly path: string;
  /** "a symbolic link to /etc/passwd, outside the crate: not copied" */
  readonly description: string;
  /** The directory it was in, below the crate. */
  readonly parent: string;
  readonly entity: CrateEntity;
}

/**
 * The data of a run as it lands in the crate: where each item went, the
 * File and Dataset entities, and the links left out; or the first file
 * copied whose bytes are not its content id's (damage that kept the
 * object's time, which only a hash sees).
 */
export type CrateData = {
  readonly ok: true;
  /** `path\0id` → the crate @id of the item. */
  readonly placed: ReadonlyMap<string, string>;
  readonly entities: readonly CrateEntity[];
  readonly leftOut: readonly LeftOutLink[];
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
  // The piece gone may be the output of another item's job (a map's item inside the directory a reduce read).
  const dropped = [item, ...items.filter((d) => d.path === path && d.id === id)].some((d) => d.writer?.dropped === true);
  if (dropped) return `the data of ${path} in run ${run} was missing or damaged, and \`shark fsck --repair\` dropped its result (\`shark export prov --run ${run}\` describes the run without its data)`;
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
 * takes out the links that must not be shared (`screenLinks`), then
 * describes what is left (`describeData`). Each file's sha256, taken for its
 * entity, is compared with the content id it was copied from.
 */
export async function placeData(store: SnapshotStore, items: readonly DataItem[], dir: string): Promise<CrateData> {
  const copy = await copyItems(store, items, dir);
  const links = new Map(screenLinks(dir).map((l) => [l.rel, l]));
  const described = describeData(dir, copy, links);
  if (described.damaged !== undefined) return { ok: false, damaged: described.damaged };
  const placed = new Map([...copy.placedAt].flatMap(([key, rel]) => {
    const id = described.idAt.get(rel);
    return id === undefined ? [] : [[key, id] as const];
  }));
  return { ok: true, placed, entities: described.entities, leftOut: described.leftOut };
}

/** Where `copyItems` put the items, and what each place was copied from. */
interface Copied {
  /** `path\0id` → the item's place below the crate. */
  readonly placedAt: ReadonlyMap<string, string>;
  /** A place → the /data path of the item put there. */
  readonly origin: ReadonlyMap<string, string>;
  /** Each copied file's place in the crate → the /data path and content id it was copied from. */
  readonly copied: ReadonlyMap<string, { path: string; id: SnapshotId }>;
}

/**
 * Copies each item to `data/` and its /data path. An item whose path
 * another item, or a directory copied around it, already took with other
 * content (a path rewritten between runs) goes beside it, suffixed with its
 * id; one that a copy already
 * holds (a file inside a directory copied) is not copied again; one below a
 * link is not copied (nothing is written through a link a step made).
 */
async function copyItems(store: SnapshotStore, items: readonly DataItem[], dir: string): Promise<Copied> {
  const placedAt = new Map<string, string>();
  const taken = new Map<string, string>();
  const origin = new Map<string, string>();
  const copied = new Map<string, { path: string; id: SnapshotId }>();
  const copiedFrom = (id: SnapshotId, rel: string, path: string): void => {
    if (!copied.has(rel)) copied.set(rel, { path, id });
    for (const e of store.entries(id) ?? []) copiedFrom(e.id, `${rel}/${e.name}`, `${path}/${e.name}`);
  };
  for (const d of items) {
    let rel = relOf(d.path);
    // A directory copied before it may hold its path in another version (a kept job read an input the run has since changed).
    const other = taken.get(rel) ?? copied.get(rel)?.id;
    if (other !== undefined && other !== d.id) rel = `${rel}@${d.id.slice(d.id.lastIndexOf(':') + 1, d.id.lastIndexOf(':') + 13)}`;
    if (inTheWay(dir, dirname(rel)) !== undefined) continue;
    taken.set(rel, d.id);
    const full = join(dir, rel);
    if (lstatSync(full, { throwIfNoEntry: false }) === undefined) {
      await store.exportTo(d.id, full, d.path.replace(/(.)\/$/, '$1'));
      copiedFrom(d.id, rel, d.path.replace(/\/$/, ''));
    }
    placedAt.set(itemKey(d), rel);
    origin.set(rel, d.path);
  }
  return { placedAt, origin, copied };
}

/**
 * The entities of what is under `data/`: each file a `File` with its sha256
 * and size, each directory a `Dataset` listing its children, a link kept
 * the `File` or `Dataset` it leads to (named as the link, its `description`
 * saying where it leads; a directory's parts are listed where they are),
 * and a link taken out a `CreativeWork` (`#link/…`) that the directory it
 * was in `mentions` (the root, all of them). `idAt`: the @id of each place.
 */
function describeData(dir: string, { origin, copied }: Copied, links: ReadonlyMap<string, CrateLink>): {
  entities: CrateEntity[]; leftOut: LeftOutLink[]; idAt: Map<string, string>; damaged: { path: string; id: SnapshotId } | undefined;
} {
  const entities: CrateEntity[] = [];
  const leftOut: LeftOutLink[] = [];
  const idAt = new Map<string, string>();
  let damaged: { path: string; id: SnapshotId } | undefined;
  const nameOf = (rel: string): string => origin.get(rel) ?? `/${rel}`;
  const describe = (rel: string, entity: CrateEntity): string => {
    entities.push(entity);
    idAt.set(rel, entity['@id']);
    return entity['@id'];
  };
  for (const l of links.values()) {
    if (kept(l)) continue;
    const name = nameOf(l.rel);
    const description = linkDescription(l);
    const entity = { '@id': `#link/${encodePath(l.rel)}`, '@type': 'CreativeWork', name, alternateName: name, description };
    leftOut.push({ path: name, description, parent: dirname(l.rel), entity });
    idAt.set(l.rel, entity['@id']);
  }
  const walk = (rel: string): string | undefined => {
    const full = join(dir, rel);
    // Follows a link kept: it leads to a file or directory within data/.
    const st = statSync(full);
    const alternateName = nameOf(rel);
    const link = links.get(rel);
    const about = link === undefined ? {} : { description: linkDescription(link) };
    if (st.isDirectory()) {
      // An older version placed beside its file (`copyItems`: `a.txt@4355a46b19d3`) is described, but is no part of the directory.
      const own = (name: string): boolean => nameOf(`${rel}/${name}`).replace(/\/$/, '') === `${alternateName.replace(/\/$/, '')}/${name}`;
      const parts = link !== undefined ? undefined : readdirSync(full).sort().flatMap((name) => {
        const id = walk(`${rel}/${name}`);
        return id === undefined || !own(name) ? [] : [id];
      });
      const mentions = leftOut.filter((l) => l.parent === rel).map((l) => ({ '@id': l.entity['@id'] }));
      return describe(rel, {
        '@id': `${encodePath(rel)}/`, '@type': 'Dataset', name: alternateName, alternateName, ...about,
        ...(parts === undefined ? {} : { hasPart: parts.map((p) => ({ '@id': p })) }), ...(mentions.length > 0 ? { mentions } : {}),
      });
    }
    if (!st.isFile()) return undefined;
    // Hashed in pieces: a file read whole held all its bytes in memory, and one over 2 GiB could not be read at all.
    const sha256 = hashFileSync(full);
    const from = link === undefined ? copied.get(rel) : undefined;
    const want = from === undefined ? undefined : sha256Of(from.id);
    if (want !== undefined && want !== sha256) damaged ??= from;
    return describe(rel, { '@id': encodePath(rel), '@type': 'File', name: alternateName, alternateName, ...about, contentSize: String(st.size), sha256 });
  };
  const top = existsSync(join(dir, 'data')) ? readdirSync(join(dir, 'data')).sort() : [];
  for (const name of top) walk(`data/${name}`);
  return { entities, leftOut, idAt, damaged };
}
