import { isUnder } from '../pipeline/data-path.js';
import type { SnapshotId } from '../store/snapshot-store.js';

/** A step of the session: a command (or an import) that changed /data and was committed under its cache key. */
export interface StepEntry {
  readonly kind: 'step';
  /** 1, 2, …: how the history and the DAG name it. */
  readonly n: number;
  /** Environment name; undefined for the host. */
  readonly env: string | undefined;
  /** What was typed. */
  readonly typed: string;
  /** The line as the saved document has it: the command (outputs it does not name declared after it), or an import clause. */
  readonly line: string;
  readonly isImport: boolean;
  /** Why its inputs may be incomplete (paths Shark cannot see), or why outputs had to be declared: comments in the document. */
  readonly notes: readonly string[];
  readonly inputs: readonly string[];
  readonly outputs: ReadonlyMap<string, SnapshotId>;
  /** Paths it deleted (whole outputs of earlier steps). */
  readonly deletes: readonly string[];
  /** Steps whose outputs it read. */
  readonly readsFrom: readonly number[];
  /** /data before and after it. */
  readonly before: SnapshotId | undefined;
  readonly after: SnapshotId | undefined;
  readonly key: string;
  undone: boolean;
}

export type Entry =
  | StepEntry
  | { readonly kind: 'inspection'; readonly env: string | undefined; readonly typed: string }
  | { readonly kind: 'failed'; readonly env: string | undefined; readonly typed: string; readonly why: string }
  | { readonly kind: 'comment'; readonly text: string };

const overlaps = (a: string, b: string): boolean => a === b || isUnder(a, b) || isUnder(b, a);

export function liveSteps(history: readonly Entry[]): StepEntry[] {
  return history.filter((e): e is StepEntry => e.kind === 'step' && !e.undone);
}

/** Whether `path`, written by `step`, is still in /data: no later step deleted it or a directory above it. */
export function isAlive(history: readonly Entry[], step: StepEntry, path: string): boolean {
  if (step.undone) return false;
  return !liveSteps(history).some((t) => t.n > step.n && t.deletes.some((d) => d === path || isUnder(path, d)));
}

/** Outputs still in /data, by step. */
export function aliveOutputs(history: readonly Entry[], step: StepEntry): string[] {
  return [...step.outputs.keys()].filter((p) => isAlive(history, step, p));
}

/**
 * The steps that contribute to what is in /data now: those with an output
 * still there, and, transitively, the steps they read from. Dead ends
 * (everything they wrote is gone and nobody read it) and undone steps are not.
 */
export function contributing(history: readonly Entry[]): StepEntry[] {
  const live = liveSteps(history);
  const byN = new Map(live.map((s) => [s.n, s]));
  const keep = new Set<number>();
  const visit = (s: StepEntry): void => {
    if (keep.has(s.n)) return;
    keep.add(s.n);
    for (const n of s.readsFrom) {
      const w = byN.get(n);
      if (w !== undefined) visit(w);
    }
  };
  for (const s of live) if (aliveOutputs(history, s).length > 0) visit(s);
  return live.filter((s) => keep.has(s.n));
}

/** The steps with outputs alive now that overlap `inputs`: what a new step reading them reads from. */
export function writersOf(history: readonly Entry[], inputs: readonly string[]): number[] {
  return liveSteps(history)
    .filter((s) => aliveOutputs(history, s).some((o) => inputs.some((i) => overlaps(i, o))))
    .map((s) => s.n);
}

/** The final results: outputs still in /data of contributing steps that no contributing step read. */
export function finalOutputs(history: readonly Entry[]): string[] {
  const steps = contributing(history);
  const read = steps.flatMap((s) => s.inputs);
  return steps.flatMap((s) => aliveOutputs(history, s).filter((o) => !read.some((i) => overlaps(i, o))));
}

/** Which live step (or none) wrote the output at or above `path`. */
export function ownerOf(history: readonly Entry[], path: string): { step: StepEntry; output: string } | undefined {
  for (const s of liveSteps(history).reverse()) {
    for (const o of aliveOutputs(history, s)) if (o === path || isUnder(path, o)) return { step: s, output: o };
  }
  return undefined;
}
