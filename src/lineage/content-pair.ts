import type { Metadata } from '../store/metadata.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import { ancestryOfEntries, ancestryOfMaking, type Ancestry } from './ancestry.js';
import { producersOf, type Producer } from './find-content.js';
import type { EntriesOf } from './why.js';

/** One result of a comparison as given: its content, and how to look into it when no job wrote it whole. */
export interface AskedContent {
  readonly id: SnapshotId;
  readonly entries: readonly TreeEntry[];
  readonly entriesOf: EntriesOf;
}

/** Where some bytes were made: a /data path in one document (a job's versions across runs are one place). */
export interface Place {
  readonly path: string;
  readonly pipeline: string | null;
  /** The makings there, oldest run first. */
  readonly makings: readonly Producer[];
  /** For a directory no job wrote whole: the ancestries of its entries, as one. */
  readonly whole?: Ancestry;
}

export type PairOutcome =
  | { readonly ok: true; readonly old: Ancestry | undefined; readonly now: Ancestry | undefined }
  /** Both results were made at several places and nothing pairs one of each: the places of each. */
  | { readonly ok: false; readonly old: readonly Place[]; readonly now: readonly Place[] };

/**
 * The ancestries of two results given by content (`diff FILE OLD NEW`).
 * Small results share bytes (`0`, `1`): the same bytes may have been made
 * at several paths, by unrelated jobs. Each side is the making at the other
 * side's place (its path in its document), the latest one there; a side
 * made at one place only decides. When both were made at several places,
 * a single place common to both decides; otherwise comparing the newest
 * making of each would pair unrelated jobs, so the outcome names the places
 * instead. A result no job wrote whole (a map's directory) is its entries'
 * makings, at its directory's path.
 */
export function ancestriesOfContents(meta: Metadata, old: AskedContent, now: AskedContent): PairOutcome {
  const o = placesOf(producersOf(meta, old.id));
  const n = placesOf(producersOf(meta, now.id));
  // Made at one place, or at none (a directory no job wrote whole, at its path): that side decides the other's.
  const single = (asked: AskedContent, at: readonly Place[]): Place | undefined | null => (at.length > 1 ? null : at[0] ?? entriesPlace(meta, asked));
  const [os, ns] = [single(old, o), single(now, n)];
  const [oldPlace, newPlace] = os !== null && ns !== null ? [os, ns] : os !== null ? [os, facing(n, os)] : ns !== null ? [facing(o, ns), ns] : common(o, n);
  if (oldPlace === null || newPlace === null) return { ok: false, old: o, now: n };
  return { ok: true, old: ancestryAt(meta, old, oldPlace), now: ancestryAt(meta, now, newPlace) };
}

const samePlace = (a: Place, b: Place): boolean => a.path === b.path && (a.pipeline === b.pipeline || a.pipeline === null || b.pipeline === null);

/** The one of `places` at the other side's place; null when none is or several are. Any, when the other side was made nowhere (an error of its own). */
function facing(places: readonly Place[], other: Place | undefined): Place | null {
  if (other === undefined) return places.at(-1) ?? null;
  const there = places.filter((p) => samePlace(p, other));
  return there.length === 1 ? there[0]! : null;
}

/** The one place both sides were made at, each side's; nulls when there is none or several. */
function common(o: readonly Place[], n: readonly Place[]): [Place | null, Place | null] {
  const both = o.flatMap((p) => n.filter((q) => samePlace(p, q)).map((q): [Place, Place] => [p, q]));
  return both.length === 1 ? both[0]! : [null, null];
}

/** The makings by place, in the order their places were first made. */
function placesOf(makings: readonly Producer[]): Place[] {
  const by = new Map<string, Producer[]>();
  for (const m of makings) {
    const at = `${m.pipeline ?? ''}\0${m.path}`;
    const list = by.get(at);
    if (list === undefined) by.set(at, [m]);
    else list.push(m);
  }
  return [...by.values()].map((list) => ({ path: list[0]!.path, pipeline: list[0]!.pipeline, makings: list }));
}

/** The place of a result no job made whole (its entries' ancestries, kept): its directory's path, in any document. */
function entriesPlace(meta: Metadata, asked: AskedContent): Place | undefined {
  const whole = asked.entries.length === 0 ? undefined : ancestryOfEntries(meta, asked.id, asked.entries, asked.entriesOf);
  return whole === undefined ? undefined : { path: whole.path, pipeline: null, makings: [], whole };
}

/** The ancestry of the latest making at `place`. */
function ancestryAt(meta: Metadata, asked: AskedContent, place: Place | undefined): Ancestry | undefined {
  const latest = place?.makings.at(-1);
  return latest === undefined ? place?.whole : ancestryOfMaking(meta, latest, asked.id);
}
