import { posix } from 'node:path';
import type { Input, Step } from '../pipeline/pipeline.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import type { Item, Job } from './jobs.js';
import { MISSING_INPUT, type KeyRecord } from './key.js';
import { descend, MAX_LINKS, type EntriesOf } from './trees.js';
import { printable } from '../printable.js';

/** A job's id: its step's, with its items' names (`aoh[robin.tif]`). */
export function jobIdOf(step: string, items: readonly string[]): string {
  return items.length > 0 ? `${step}[${items.map(printable).join(',')}]` : step;
}

/** What every job of one step shares, built once per step by `expandJobs`. */
export interface StepShape {
  readonly step: Step;
  readonly baseIdentity: string;
  /** Inputs read whole, with their ids. */
  readonly plain: readonly { readonly path: string; readonly id: SnapshotId }[];
  /** Joined inputs, with the ids of their directories. */
  readonly joins: readonly { readonly input: Input; readonly id: SnapshotId }[];
  /** The directories mapped over (wildcard inputs), by input: where an item that is a link is followed. */
  readonly mapped: ReadonlyMap<Input, SnapshotId>;
  readonly entriesOf: EntriesOf;
  /** The key record but its inputs, in the order records are written in. */
  readonly shared: Omit<KeyRecord, 'inputs'>;
  /** `keyOf` of the record with these inputs (`keyMaker`). */
  readonly keyFor: (inputs: KeyRecord['inputs']) => string;
}

type Inputs = { path: string; id: SnapshotId }[];

/**
 * A job that keeps only its items and key: its id, identity, inputs,
 * outputs and record are derived from the step's shape when asked for. A
 * million-item map holds a million of these while it is planned or run,
 * so each costs a few hundred bytes instead of a few kilobytes.
 */
export class ExpandedJob implements Job {
  private madeKey: string | undefined = undefined;
  declare readonly problem?: NonNullable<Job['problem']>;

  /** Its items, or its one item (a map over one wildcard) until they are asked for as a list: a text plan of a memo asks none. */
  private held: readonly Item[] | Item;

  constructor(private readonly shape: StepShape, items: readonly Item[] | Item) {
    this.held = items;
    // A joined item that is not there is a problem known at once; the key is hashed when first asked
    // (a step its memo answers for asks none: `plan/step-memo.ts`).
    if (shape.joins.length > 0) this.resolve(true);
  }

  get items(): readonly Item[] {
    const held = this.held;
    return 'input' in held ? (this.held = [held]) : held;
  }

  get key(): string {
    return (this.madeKey ??= this.shape.keyFor(keyInputs(this.resolve(false))));
  }

  get step(): Step {
    return this.shape.step;
  }

  get id(): string {
    return jobIdOf(this.shape.step.id, this.items.map((i) => i.name));
  }

  get identity(): string {
    return this.items.length > 0 ? `${this.shape.baseIdentity}\0${this.items.map((i) => i.name).join('\0')}` : this.shape.baseIdentity;
  }

  get plusName(): string | undefined {
    return this.items.length > 0 ? this.items.map((i) => i.name).join('_') : undefined;
  }

  get inputs(): Job['inputs'] {
    return this.resolve(false);
  }

  get outputs(): Job['outputs'] {
    const plusName = this.plusName;
    return this.shape.step.outputs.map((o) => ({ path: o.perItem ? `${o.path}/${withExtension(plusName!, o.ext)}` : o.path, output: o }));
  }

  get record(): KeyRecord {
    // Members in the order records were always written in (stored records and exports keep their text).
    const { v, kind, env, command, cwd, workdir, prelude, variables, ...rest } = this.shape.shared;
    return { v, kind, env, command, cwd, workdir, prelude, variables, inputs: keyInputs(this.resolve(false)), ...rest };
  }

  /** The job's inputs by path; a joined item that is not there is recorded as `missing` (and, first time, its problem). */
  private resolve(first: boolean): Inputs {
    const { plain, joins, entriesOf, mapped } = this.shape;
    const inputs: Inputs = [...plain, ...this.items.map((it) => ({ path: `${it.input.path}/${it.name}`, id: it.id }))];
    for (const it of this.items) if (it.id.startsWith('link:')) inputs.push(...linkedItem(it, mapped.get(it.input), entriesOf, inputs));
    const plusName = this.plusName;
    if (plusName === undefined) return inputs;
    for (const j of joins) {
      const rel = withExtension(plusName, j.input.join!.ext);
      const file = j.input.join!.file;
      const found = descend(j.id, rel, entriesOf);
      const inFile = file === undefined || found === undefined ? undefined : descend(found, file, entriesOf);
      // `+/stats.txt`: the key (and the workspace) holds that file alone, so another file of the item's directory
      // changing runs no job again; a link there keeps the directory, where what it leads to may be.
      const byFile = inFile !== undefined && !inFile.startsWith('link:');
      const id = file === undefined ? found : inFile === undefined ? undefined : byFile ? inFile : found;
      // Recorded as missing, so the key can never match a result: the job fails instead of running.
      inputs.push({ path: byFile ? `${j.input.path}/${rel}/${file}` : `${j.input.path}/${rel}`, id: id ?? MISSING_INPUT });
      if (id === undefined && first) {
        const missing = found === undefined || file === undefined ? rel : `${rel}/${file}`;
        (this as { problem?: Job['problem'] }).problem ??= {
          at: j.input.at, message: `the joined item ${missing} is not in ${j.input.path}/ (for item ${this.items.map((i) => i.name).join(', ')})`,
        };
      }
    }
    return inputs;
  }
}

/**
 * An item that is a link to a file of the directory mapped over (`l.csv ->
 * x.csv`): what it leads to, as inputs of the job too, so that the link
 * resolves in the workspace (a job was given the link alone, which led
 * nowhere), as a step naming such a link is given its file. Not a link out of
 * the directory, nor to a directory.
 */
function linkedItem(item: Item, dirId: SnapshotId | undefined, entriesOf: EntriesOf, have: Inputs): Inputs {
  const found: Inputs = [];
  const root = item.input.path;
  let at = `${root}/${item.name}`;
  let id = item.id;
  for (let hops = 0; dirId !== undefined && hops < MAX_LINKS && id.startsWith('link:'); hops++) {
    const text = id.slice('link:'.length);
    if (text.startsWith('/')) break;
    const target = posix.normalize(posix.join(posix.dirname(at), text));
    if (!target.startsWith(`${root}/`) || have.some((i) => i.path === target) || found.some((i) => i.path === target)) break;
    const next = descend(dirId, target.slice(root.length + 1), entriesOf);
    if (next === undefined || next.startsWith('tree:')) break;
    found.push({ path: target, id: next });
    at = target;
    id = next;
  }
  return found;
}

function keyInputs(inputs: Inputs): KeyRecord['inputs'] {
  return inputs.map((i) => [i.path, i.id] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * What `+.EXT` stands for: the item with its last extension replaced
 * (`AVES/robin.geojson` → `AVES/robin.tif`); a name without one, or a dot
 * file, gets `EXT` added. Plain `+` keeps the item as it is.
 */
export function withExtension(name: string, ext: string | undefined): string {
  if (ext === undefined) return name;
  const base = name.lastIndexOf('/') + 1;
  const dot = name.lastIndexOf('.');
  return (dot > base ? name.slice(0, dot) : name) + ext;
}
