import type { Position } from '../diagnostics.js';
import type { BlockKind, Document, SharkBlock } from '../markdown/document.js';
import type { BuildSpec } from './build-spec.js';
import type { CommandText } from './shell-lines.js';
import type { ImportClause } from './import-clause.js';
import type { Mention } from './mentions.js';
import type { LeftOut, Need } from './needed-instances.js';
import type { Resources } from './resources.js';

/** A container environment defined by a `shark-build:NAME` block. */
export interface Environment {
  readonly name: string;
  readonly block: SharkBlock;
  readonly blockId: string;
  readonly spec: BuildSpec;
}

/** A data path a step reads, and who provides it. */
export interface Input {
  readonly path: string;
  readonly isDir: boolean;
  /** Step ids (or `input:NAME` for frontmatter inputs) that write it or the directory it is under. */
  readonly from: readonly string[];
  readonly at: Position;
  /** Set for `/data/dir/*`, or a pattern over several levels: the step is a map over the paths under the directory that match it. */
  readonly pattern?: string;
  /** Set for `/data/dir/+` under a directory an earlier step writes: each job reads its own item there (`ext` replaces its last extension; `file`, of `+/stats.txt`, must be in the item's directory). */
  readonly join?: { readonly ext: string | undefined; readonly file?: string };
}

export interface Output {
  readonly path: string;
  readonly isDir: boolean;
  readonly at: Position;
  /** `/data/dir/+`: each map job writes the item of its own name into the directory. */
  readonly perItem: boolean;
  /** `/data/dir/+.EXT`: the item's last extension is replaced by `.EXT` (`ext` includes the dot). */
  readonly ext?: string;
  /**
   * Shark creates the directory before each job: the step writes into it under
   * names made at run time (`/data/out/$s.txt`), or `+/` makes each item a directory.
   */
  readonly created?: true;
  /** `+/sub/stats.txt`: the names, relative to each item's directory, the step writes there; Shark makes their directories. */
  readonly files?: readonly string[];
  /** Where each of `files` is written in the command, in their order: a job that does not write one fails there. */
  readonly filesAt?: readonly Position[];
}

interface StepBase {
  /** Stable within one document: the block id, with `.N` when the block has several steps. */
  readonly id: string;
  /** Order in the document. */
  readonly index: number;
  readonly blockId: string;
  readonly block: SharkBlock;
  readonly at: Position;
  readonly inputs: readonly Input[];
  readonly outputs: readonly Output[];
  /** Steps that must finish first: the writers of its inputs, and the step before it in its block. */
  readonly after: readonly string[];
}

export interface RunStep extends StepBase {
  readonly kind: 'run';
  /** The command as written, after prompt/continuation/comment normalisation: the cache key uses this. */
  readonly command: string;
  readonly text: CommandText;
  readonly mentions: readonly Mention[];
  /** Environment name, or undefined for the host. */
  readonly env: string | undefined;
  /** Set by `cd` lines above the command in its block (relative to the default directory when relative). */
  readonly cwd: string | undefined;
  /** `export` lines above the command in its block, as written. */
  readonly exports: readonly string[];
  /** Words that may name local files outside /data (scripts): hashed into the key when they exist. */
  readonly localFiles: readonly string[];
  /** `{network}`: the isolated bridge; `{network=host}`: a container shares the host's network (impure). */
  readonly network: NetworkOption;
  /** Seconds, from `{timeout=…}`. */
  readonly timeout: number | undefined;
  /** What each job takes from the run's budget: `{threads}`, `{memory}`, `{pool}`. */
  readonly resources: Resources;
}

export interface ImportStep extends StepBase {
  readonly kind: 'import';
  readonly clause: ImportClause;
}

/** A run step's network: none (false), the isolated bridge (true), or the host's own network ('host'). */
export type NetworkOption = boolean | 'host';

/** Where `shark-publish` without a directory copies results, relative to the pipeline's directory. */
export const DEFAULT_PUBLISH_DIR = '_shark';

export interface PublishStep extends StepBase {
  readonly kind: 'publish';
  /** Where results are copied, relative to the pipeline's directory. */
  readonly dir: string;
}

export type Step = RunStep | ImportStep | PublishStep;

/** A block as the DAG shows it: the unit people read, grouping its steps. */
export interface BlockNode {
  readonly id: string;
  readonly kind: BlockKind;
  readonly env: string | null;
  readonly block: SharkBlock;
  readonly section: string;
  readonly steps: readonly string[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly after: readonly string[];
}

export interface Pipeline {
  readonly document: Document;
  readonly environments: ReadonlyMap<string, Environment>;
  readonly steps: readonly Step[];
  readonly stepsById: ReadonlyMap<string, Step>;
  readonly blocks: readonly BlockNode[];
  /** Frontmatter inputs: name → /data path. */
  readonly inputs: ReadonlyMap<string, string>;
  /** Default working directory of container steps. */
  readonly workdir: string;
  /** Frontmatter variables, exported to every step. */
  readonly variables: ReadonlyMap<string, string>;
  /** Instances `-e AXIS=V` leaves out that a kept step needs (`needed-instances.ts`), by instance id: they run or are reused all the same. */
  readonly needed?: ReadonlyMap<string, Need>;
  /** By step id and input path, the needed instances' steps a fan-in does not see (`hiddenWriters`): it covers the kept values only. */
  readonly hidden?: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
  /** Instances `-e AXIS=V` leaves out (and nothing kept needs): a target naming one, or a path only one writes, is told so. */
  readonly leftOut?: readonly LeftOut[];
}

/** An input as the DAG names it: `/data/dir/*`, `/data/dir/+.EXT`, `/data/dir/` or `/data/file`. */
export function shownInput(i: Input): string {
  return i.pattern !== undefined ? `${i.path}/${i.pattern}` : i.join !== undefined ? `${i.path}/+${i.join.ext ?? ''}` : i.isDir ? `${i.path}/` : i.path;
}

/** An output as the DAG names it: a directory (a map's too) with its trailing slash. */
export function shownOutput(o: Output): string {
  return o.isDir ? `${o.path}/` : o.path;
}

/** A step's output as written: `/data/dir/+.EXT` per item (`+/` for a directory per item), `/data/dir/` or `/data/file`. */
export function shownStepOutput(o: Output): string {
  if (o.perItem) return `${o.path}/+${o.ext ?? ''}${o.created === true ? '/' : ''}`;
  return o.isDir ? `${o.path}/` : o.path;
}

/** The step a job id names: the step's id, or it followed by `[ITEMS]` (the longest such, as a sweep's instance ids have brackets too). */
export function stepOfJob(pipeline: Pick<Pipeline, 'stepsById'>, job: string): Step | undefined {
  for (let end = job.length; end > 0; end = job.lastIndexOf('[', end - 1)) {
    const step = pipeline.stepsById.get(job.slice(0, end));
    if (step !== undefined) return step;
  }
  return undefined;
}

export function isMap(step: Step): boolean {
  return step.inputs.some((i) => i.pattern !== undefined);
}

/** Whether a job's path for `o` must be a directory: `/data/dir/`, a directory Shark creates, or a `+/` item (a `+` item is a file). */
export function isDirectoryOutput(o: Output): boolean {
  return o.perItem ? o.created === true : o.isDir || o.created === true;
}
