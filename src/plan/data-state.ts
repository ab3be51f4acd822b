import { isUnder, parentOf } from '../pipeline/data-path.js';
import { PathMap } from '../pipeline/path-map.js';
import type { SnapshotId, TreeEntry } from '../store/snapshot-store.js';
import { descend, overlay, type Part } from './trees.js';

export type Lookup =
  | { readonly kind: 'known'; readonly id: SnapshotId }
  | { readonly kind: 'pending'; readonly step: string }
  /** `conflict`: it cannot be put together, two steps writing one name in it (`trees.ts` `overlay`). */
  | { readonly kind: 'missing'; readonly message: string; readonly conflict?: true }
  /**
   * At or under an optional frontmatter input left unbound (`path`): it does not exist for the steps. Or one that
   * is not optional (`unbound`: why nothing can read it, as `plan` says).
   */
  | { readonly kind: 'absent'; readonly path: string; readonly unbound?: string };

/**
 * What is known of each /data path at one point of a plan or a run: its
 * snapshot id, or the step that will produce it. Subpaths are found by
 * walking directory snapshots, so reading `/data/dir/x.tif` depends only on
 * that file's id, not the whole directory's. A directory several steps
 * wrote into is the union of what they wrote, as the inference says
 * (pipeline/writers.ts): the nearest written directory at or above the
 * path, with every path written inside it laid over it.
 */
export class DataState {
  private readonly known = new PathMap<{ id: SnapshotId; by: string; input?: boolean; step?: string }>();
  private readonly pending = new PathMap<string>();
  /** Unbound inputs' paths, with why a step cannot read one that is not optional. */
  private readonly absent = new Map<string, string | undefined>();

  constructor(
    private readonly entriesOf: (id: SnapshotId) => readonly TreeEntry[] | undefined,
    private readonly composeTree: (entries: readonly TreeEntry[]) => SnapshotId,
  ) {}

  /** `by` names the writer in messages about two writers of one name. */
  setKnown(path: string, id: SnapshotId, by = 'a frontmatter input'): void {
    this.pending.delete(path);
    this.known.set(path, by.startsWith('a ') ? { id, by } : { id, by: `\`${by}\``, step: by });
  }

  /**
   * The frontmatter input `name`: one bound inside another's directory is
   * laid over it, and the same bytes from both agree (plan/nested-inputs.ts
   * refuses different ones before this).
   */
  setInput(path: string, id: SnapshotId, name: string): void {
    this.pending.delete(path);
    this.known.set(path, { id, by: `input \`${name}\``, input: true });
  }

  /** A frontmatter input left unbound: reading an optional one finds nothing, and is no error; reading another is `unbound`. */
  setAbsent(path: string, unbound?: string): void {
    this.absent.set(path, unbound);
  }

  setPending(path: string, step: string): void {
    this.known.delete(path);
    this.pending.set(path, step);
  }

  entries(id: SnapshotId): readonly TreeEntry[] | undefined {
    return this.entriesOf(id);
  }

  /**
   * `hidden`: steps whose writes this reader does not see (a fan-in under `-e`, `Pipeline.hidden`). `from`: the
   * steps it reads the path from (`Input.from`), when given: a step below it in the document writing into the same
   * directory is not one, though in a run it may be done first.
   */
  lookup(path: string, hidden?: ReadonlySet<string>, from?: readonly string[]): Lookup {
    for (const [a, unbound] of this.absent) if (a === path || isUnder(path, a)) return unbound === undefined ? { kind: 'absent', path: a } : { kind: 'absent', path: a, unbound };
    const seen = (step: string | undefined): boolean => step === undefined || (hidden?.has(step) !== true && (from === undefined || from.includes(step)));
    let base: { dir: string; id: SnapshotId; by: string } | undefined;
    for (let dir = path; dir.length > '/data'.length; dir = parentOf(dir)) {
      const step = this.pending.get(dir);
      if (step !== undefined && seen(step)) return { kind: 'pending', step };
      const known = this.known.get(dir);
      if (known !== undefined && seen(known.step)) {
        base = { dir, ...known };
        break;
      }
    }
    for (const [, step] of this.pending.under(path)) if (seen(step)) return { kind: 'pending', step };
    const parts: Part[] = [];
    for (const [p, k] of this.known.under(path)) if (seen(k.step)) parts.push({ ...k, rel: p.slice(path.length + 1) });
    let id: SnapshotId | undefined;
    if (base !== undefined) {
      id = base.dir === path ? base.id : descend(base.id, path.slice(base.dir.length + 1), this.entriesOf);
      if (id === undefined && parts.length === 0) return { kind: 'missing', message: this.notIn(path, base) };
    }
    if (id === undefined && parts.length === 0) return { kind: 'missing', message: `nothing has written ${path}` };
    const merged = overlay(path, id === undefined ? undefined : { ...base!, id }, parts, this.entriesOf, this.composeTree);
    return merged.ok ? { kind: 'known', id: merged.id } : { kind: 'missing', message: merged.message, conflict: true };
  }

  /**
   * Where a path is missing, and who wrote that directory: a later command of the writer's
   * block cannot write into it (it is read-only there), so the writer is where to look.
   */
  private notIn(path: string, base: { dir: string; id: SnapshotId; by: string }): string {
    const deepest = this.deepest(base.id, base.dir, path);
    const its = deepest === base.dir ? '' : ` (its ${base.dir}/)`;
    const by = base.by.startsWith('`') ? `written by step ${base.by}${its}` : `${base.by}${its}`;
    return `${path} does not exist in ${deepest}/, ${by}`;
  }

  /** The deepest directory on the way from `dir` to `path` that exists, for saying where a path is missing. */
  private deepest(id: SnapshotId, dir: string, path: string): string {
    let current: SnapshotId | undefined = id;
    let at = dir;
    for (const name of path.slice(dir.length + 1).split('/')) {
      current = this.entriesOf(current)?.find((e) => e.name === name)?.id;
      if (current === undefined) return at;
      at = `${at}/${name}`;
    }
    return at;
  }
}
