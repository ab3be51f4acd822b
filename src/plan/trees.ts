import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import { listAt } from '../multimap.js';

/** The most links one after another that an input (a step's, or a map's item) is followed through: a loop stops there. */
export const MAX_LINKS = 40;

export type EntriesOf = (id: SnapshotId) => readonly TreeEntry[] | undefined;
export type ComposeTree = (entries: readonly TreeEntry[]) => SnapshotId;

/** The id at `rel` (`AVES/robin.tif`) inside the tree `id`, or undefined when it is not there. */
export function descend(id: SnapshotId, rel: string, entriesOf: EntriesOf): SnapshotId | undefined {
  let current: SnapshotId | undefined = id;
  for (const name of rel.split('/')) {
    const entries = entriesOf(current);
    current = entries === undefined ? undefined : entryNamed(entries, name)?.id;
    if (current === undefined) return undefined;
  }
  return current;
}

/** Whether each tree's entries are in name order, found out once per tree (stored trees always are). */
const inOrder = new WeakMap<readonly TreeEntry[], boolean>();

/**
 * The entry of that name: by bisection in a tree's sorted entries. A join
 * looks one item up in a directory per job: searched from the start, a
 * join of 100,000 species compared names 5·10⁹ times.
 */
function entryNamed(entries: readonly TreeEntry[], name: string): TreeEntry | undefined {
  let sorted = inOrder.get(entries);
  if (sorted === undefined) inOrder.set(entries, (sorted = entries.every((e, n) => n === 0 || entries[n - 1]!.name < e.name)));
  if (!sorted) return entries.find((e) => e.name === name);
  let low = 0;
  let high = entries.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = entries[mid]!.name;
    if (at === name) return entries[mid];
    if (at < name) low = mid + 1;
    else high = mid - 1;
  }
  return undefined;
}

/** A part of a directory: a path relative to it, its id, and who wrote it (for messages). */
export interface Part {
  readonly rel: string;
  readonly id: SnapshotId;
  readonly by: string;
  /** A frontmatter input: the same bytes from two inputs agree (plan/nested-inputs.ts). */
  readonly input?: boolean;
}

type Written = { readonly id: SnapshotId; readonly by: string; readonly input?: boolean };

/**
 * A directory made of `base` (a tree, or nothing) and parts written inside
 * it by others, nested as their paths say. Two writers of one name fail,
 * naming both, unless both are directories: those are merged the same way.
 */
export function overlay(
  dir: string,
  base: Written | undefined,
  parts: readonly Part[],
  entriesOf: EntriesOf,
  composeTree: ComposeTree,
): { ok: true; id: SnapshotId } | { ok: false; message: string } {
  if (base !== undefined && parts.length === 0) return { ok: true, id: base.id };
  const entries = new Map<string, Written>();
  if (base !== undefined) {
    const listed = entriesOf(base.id);
    if (listed === undefined) return { ok: false, message: `${dir} is a file that ${base.by} writes, but ${parts[0]!.by} writes ${dir}/${parts[0]!.rel} inside it` };
    for (const e of listed) entries.set(e.name, { ...base, id: e.id });
  }
  const nested = new Map<string, Part[]>();
  for (const part of parts) {
    const slash = part.rel.indexOf('/');
    if (slash >= 0) {
      const head = part.rel.slice(0, slash);
      // Appended, not copied: a map whose items sit in one subdirectory copied the list once per item.
      listAt(nested, head).push({ ...part, rel: part.rel.slice(slash + 1) });
      continue;
    }
    const there = entries.get(part.rel);
    if (there === undefined) {
      entries.set(part.rel, part);
      continue;
    }
    if (there.id === part.id && there.input === true && part.input === true) continue;
    const inner = entriesOf(part.id);
    if (entriesOf(there.id) === undefined || inner === undefined) {
      return { ok: false, message: `${dir}/${part.rel} is written by two steps: ${there.by} and ${part.by}` };
    }
    const merged = overlay(`${dir}/${part.rel}`, there, inner.map((e) => ({ ...part, rel: e.name, id: e.id })), entriesOf, composeTree);
    if (!merged.ok) return merged;
    entries.set(part.rel, { ...there, id: merged.id });
  }
  for (const [head, sub] of nested) {
    const merged = overlay(`${dir}/${head}`, entries.get(head), sub, entriesOf, composeTree);
    if (!merged.ok) return merged;
    entries.set(head, { ...(entries.get(head) ?? sub[0]!), id: merged.id });
  }
  return { ok: true, id: composeTree([...entries].map(([name, e]) => ({ name, id: e.id }))) };
}

/**
 * The tree `id` of a directory a step wrote, without what the step was given
 * there to read: a step that writes next to files of earlier steps owns only
 * what it added (a file it changed stays, and conflicts with their writer).
 */
export function withoutGiven(
  id: SnapshotId,
  given: readonly { readonly rel: string; readonly id: SnapshotId }[],
  entriesOf: EntriesOf,
  composeTree: ComposeTree,
): SnapshotId {
  if (given.length === 0) return id;
  const entries = entriesOf(id);
  if (entries === undefined) return id;
  const kept: TreeEntry[] = [];
  for (const e of entries) {
    if (given.some((g) => g.rel === e.name && g.id === e.id)) continue;
    const inner = given.filter((g) => g.rel.startsWith(`${e.name}/`)).map((g) => ({ rel: g.rel.slice(e.name.length + 1), id: g.id }));
    if (inner.length === 0) {
      kept.push(e);
      continue;
    }
    const rest = withoutGiven(e.id, inner, entriesOf, composeTree);
    // A directory that held only what the step was given is not the step's either.
    if (entriesOf(rest)?.length !== 0) kept.push({ name: e.name, id: rest });
  }
  return kept.length === entries.length && kept.every((e, n) => e.id === entries[n]!.id) ? id : composeTree(kept);
}
