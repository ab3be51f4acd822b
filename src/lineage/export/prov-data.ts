import type { SnapshotId } from '../../store/snapshot-store.js';
import { dataOf, sha256Of, type DataItem, type RunView } from './run-jobs.js';
import type { ProvNode, ProvRelation } from './prov-model.js';

const enc = (s: string): string => s.split('/').map(encodeURIComponent).join('/');
const trim = (p: string): string => p.replace(/\/$/, '');

export const dataId = (d: Pick<DataItem, 'path' | 'id'>): string => `shark-data:${enc(d.path.slice(1))}@${encodeURIComponent(d.id)}`;

/** The data of a run as PROV: its entities, and the `hadMember` of each directory. */
export interface ProvData {
  readonly entities: readonly ProvNode[];
  readonly relations: readonly ProvRelation[];
}

/**
 * Every piece of data the run's jobs read or wrote, an entity per path and
 * content. A directory is a `prov:Collection` whose members are all its
 * entries (files, links, subdirectories, collections in turn), each an
 * entity of its own with its sha256: a directory one job wrote whole is
 * described down to its files, as its readers saw it.
 */
export function provData(view: RunView): ProvData {
  const entities = new Map<string, ProvNode & { readonly path: string }>();
  const relations: ProvRelation[] = [];
  const add = (path: string, id: SnapshotId): string => {
    const eid = dataId({ path, id });
    if (entities.has(eid)) return eid;
    const entries = view.store.entries(id);
    const dir = id.startsWith('tree:') || entries !== undefined;
    const sha = sha256Of(id);
    entities.set(eid, {
      id: eid, path,
      types: dir ? ['shark:Directory', 'prov:Collection'] : ['shark:File'],
      attrs: { 'prov:label': path, 'shark:path': path, 'shark:snapshot': id, ...(sha !== undefined ? { 'shark:sha256': sha } : {}) },
    });
    for (const e of entries ?? []) {
      const member = add(`${trim(path)}/${e.name}`, e.id);
      relations.push({ kind: 'hadMember', args: { 'prov:collection': eid, 'prov:entity': member } });
    }
    return eid;
  };
  for (const d of dataOf(view)) add(d.path, d.id);
  // By path, as the run's data is listed: a member beside the items, not after its directory.
  const sorted = [...entities.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.id < b.id ? -1 : 1));
  return { entities: sorted.map(({ path: _, ...node }) => node), relations };
}
