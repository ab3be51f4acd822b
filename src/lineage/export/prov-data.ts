import type { SnapshotId } from '../../store/snapshot-store.js';
import { dataOf, sha256Of, type DataItem, type RunJob, type RunView } from './run-jobs.js';
import type { ProvNode, ProvRelation } from './prov-model.js';

/** A `/`-separated name as the local part of an IRI: each segment percent-encoded. */
export const enc = (s: string): string => s.split('/').map(encodeURIComponent).join('/');
const trim = (p: string): string => p.replace(/\/$/, '');

/** A piece of data's IRI: `shark-data:` is `…/data/`, so its path is named from below `/data` (not `…/data/data/…`). */
export const dataId = (d: Pick<DataItem, 'path' | 'id'>): string => `shark-data:${enc(d.path.replace(/^\/data(\/|$)/, ''))}@${encodeURIComponent(d.id)}`;

/** The data of a run as PROV: its entities, the `hadMember` of each directory, and which entity each job used. */
export interface ProvData {
  readonly entities: readonly ProvNode[];
  readonly relations: readonly ProvRelation[];
  /** The entity `job` used as its input `path` with content `id`. */
  readonly used: (job: RunJob, path: string, id: SnapshotId) => string;
}

type Entity = ProvNode & { readonly path: string };
type Piece = { readonly path: string; readonly id: SnapshotId };

/**
 * Every piece of data the run's jobs read or wrote, an entity per path and
 * content. A directory is a `prov:Collection` whose members are all its
 * entries (files, links, subdirectories, collections in turn), each an
 * entity of its own with its sha256: a directory one job wrote whole is
 * described down to its files, as its readers saw it.
 *
 * A cached job is the activity of an earlier run `M`, with run `M`'s times.
 * When a later run made its input again (the same bytes: a command edited,
 * an image rebuilt), the entity of this run was generated after that
 * activity ended, and PROV has generation precede usage: the job used the
 * data as run `M` had it, an entity of its own (`…/run/M`, `shark:run` M),
 * `alternateOf` this run's, and, for a directory, with such versions of the
 * members made again as its members.
 */
export function provData(view: RunView): ProvData {
  const entities = new Map<string, Entity>();
  const relations: ProvRelation[] = [];
  const members = new Map<string, Piece[]>();
  const add = (path: string, id: SnapshotId): string => {
    const eid = dataId({ path, id });
    if (entities.has(eid)) return eid;
    const entries = view.entries(id);
    const dir = id.startsWith('tree:') || entries !== undefined;
    const sha = sha256Of(id);
    entities.set(eid, {
      id: eid, path,
      types: dir ? ['shark:Directory', 'prov:Collection'] : ['shark:File'],
      attrs: { 'prov:label': path, 'shark:path': path, 'shark:snapshot': id, ...(sha !== undefined ? { 'shark:sha256': sha } : {}) },
    });
    const pieces = (entries ?? []).map((e) => ({ path: `${trim(path)}/${e.name}`, id: e.id }));
    members.set(eid, pieces);
    for (const m of pieces) relations.push({ kind: 'hadMember', args: { 'prov:collection': eid, 'prov:entity': add(m.path, m.id) } });
    return eid;
  };
  for (const d of dataOf(view)) add(d.path, d.id);

  const madeIn = new Map<string, number[]>();
  for (const job of view.jobs) {
    for (const [path, id] of Object.entries(job.record.outputs)) {
      const eid = dataId({ path, id });
      madeIn.set(eid, [...(madeIn.get(eid) ?? []), job.record.runId]);
    }
  }
  const remade = new Map<string, boolean>();
  /** Whether a run later than `run` generated the entity, or a member of it. */
  const remadeAfter = (eid: string, run: number): boolean => {
    const key = `${eid}\0${run}`;
    let answer = remade.get(key);
    if (answer === undefined) {
      answer = (madeIn.get(eid) ?? []).some((r) => r > run) || (members.get(eid) ?? []).some((m) => remadeAfter(dataId(m), run));
      remade.set(key, answer);
    }
    return answer;
  };
  const asIn = (piece: Piece, run: number): string => {
    const eid = dataId(piece);
    if (!remadeAfter(eid, run)) return eid;
    const vid = `${eid}/run/${run}`;
    if (entities.has(vid)) return vid;
    const of = entities.get(eid)!;
    entities.set(vid, { ...of, id: vid, attrs: { ...of.attrs, 'shark:run': run } });
    relations.push({ kind: 'alternateOf', args: { 'prov:alternate1': vid, 'prov:alternate2': eid } });
    for (const m of members.get(eid) ?? []) relations.push({ kind: 'hadMember', args: { 'prov:collection': vid, 'prov:entity': asIn(m, run) } });
    return vid;
  };
  for (const job of view.jobs) for (const [path, id] of job.record.record.inputs) asIn({ path, id }, job.record.runId);

  // By path, as the run's data is listed: a member beside the items, not after its directory.
  const sorted = [...entities.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.id < b.id ? -1 : 1));
  return {
    entities: sorted.map(({ path: _, ...node }) => node),
    relations,
    used: (job, path, id) => asIn({ path, id }, job.record.runId),
  };
}
