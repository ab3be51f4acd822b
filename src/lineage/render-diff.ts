import { short } from '../plan/key.js';
import type { Ancestry } from './ancestry.js';
import { CLASS_ORDER, type StepClass, type StepDiff } from './diff.js';
import { maxOf } from '../fold.js';
import { displayWidth, padDisplay } from '../columns.js';
import { printable } from '../printable.js';
import { subsetArgs } from './runs.js';

const LABEL: Record<StepClass, string> = {
  'root-cause': 'root cause',
  damaged: 'damaged',
  nondeterministic: 'nondeterministic',
  propagated: 'propagated',
  'only-old': 'only in old',
  'only-new': 'only in new',
  same: 'same',
};

/** One side of a comparison: the result, by the run that made it, its path and its content id. */
export interface DiffSide {
  readonly run: number;
  readonly path: string;
  readonly id: string;
}

export interface DiffAnswer {
  readonly old: DiffSide;
  readonly new: DiffSide;
  readonly identical: boolean;
  readonly steps: readonly StepDiff[];
  readonly summary: Readonly<Partial<Record<StepClass, number>>>;
  /** The runs compared that ran a subset of the sweep (`-e AXIS=V`), with the values they kept: what one left out reads as added or removed. */
  readonly subsets?: readonly { readonly run: number; readonly axes: Readonly<Record<string, readonly string[]>> }[];
  /** The runs compared that did not finish the steps writing the directory compared, and what they left undone (`lineage`'s note). */
  readonly unfinished?: readonly { readonly run: number; readonly note: string }[];
}

/**
 * `diff --json` of a path that had the same content in every run: nothing
 * to compare, in the shape of every other answer (no old result: its run
 * and id null; no steps), so a script reads one shape.
 */
export interface NothingToCompare extends Omit<DiffAnswer, 'old'> {
  readonly old: { readonly run: null; readonly path: string; readonly id: null };
}

export function nothingToCompare(now: Ancestry): NothingToCompare {
  return { old: { run: null, path: now.path, id: null }, new: { run: now.run, path: now.path, id: now.id }, identical: true, steps: [], summary: {} };
}

export function diffAnswer(old: Ancestry, now: Ancestry, steps: readonly StepDiff[], subsetOf: (run: number) => Record<string, string[]> | undefined = () => undefined): DiffAnswer {
  const summary: Partial<Record<StepClass, number>> = {};
  for (const s of steps) summary[s.class] = (summary[s.class] ?? 0) + 1;
  const subsets = [...new Set([old.run, now.run])].flatMap((run) => {
    const axes = subsetOf(run);
    return axes === undefined ? [] : [{ run, axes }];
  });
  // Each run once: a path compared with itself in one run (two content ids) says it once.
  const unfinished = [old, now].filter((a, i) => a.unfinished !== undefined && (i === 0 || a.run !== old.run)).map((a) => ({ run: a.run, note: a.unfinished! }));
  return {
    ...(subsets.length > 0 ? { subsets } : {}),
    ...(unfinished.length > 0 ? { unfinished } : {}),
    old: { run: old.run, path: old.path, id: old.id },
    new: { run: now.run, path: now.path, id: now.id },
    identical: steps.every((s) => s.class === 'same'),
    steps,
    summary,
  };
}

function side(s: DiffSide): string {
  const id = /^(sha256x?|tree):/.test(s.id) ? ` (${short(s.id)})` : '';
  return `${s.path} in run ${s.run}${id}`;
}

/** Causes first, each with what changed, old → new; the command's two texts in full. */
export function renderDiff(d: DiffAnswer): string {
  const out = [`${side(d.old)} → ${side(d.new)}`];
  for (const sub of d.subsets ?? []) {
    out.push(`note: run ${sub.run} ran a subset of the sweep (${subsetArgs(sub.axes)}): the values it left out read as added or removed`);
  }
  for (const u of d.unfinished ?? []) out.push(`note: ${printable(u.note)}; the jobs it did not end well read as only in the other run`);
  const jobWidth = maxOf(d.steps, (s) => displayWidth(s.job), 0);
  const locWidth = maxOf(d.steps, (s) => displayWidth(s.location), 0);
  const classWidth = maxOf(d.steps, (s) => LABEL[s.class].length, 0);
  for (const s of d.steps) {
    const lead = `${LABEL[s.class].padEnd(classWidth)}  ${padDisplay(s.job, jobWidth)}  ${padDisplay(s.location, locWidth)}`;
    const indent = ' '.repeat(displayWidth(lead) + 2);
    // A reason can quote what a server sent (a pin's etag): one line, its controls escaped.
    out.push(`${lead}  ${printable(s.reasons[0] ?? '')}`.trimEnd());
    for (const r of s.reasons.slice(1)) out.push(`${indent}${printable(r)}`);
    const command = s.changes.find((c) => c.field === 'command');
    if (command !== undefined) {
      out.push(`${indent}- ${(command.old ?? '').split('\n').join(`\n${indent}  `)}`);
      out.push(`${indent}+ ${(command.new ?? '').split('\n').join(`\n${indent}  `)}`);
    }
  }
  const counts = CLASS_ORDER.flatMap((c) => (d.summary[c] === undefined ? [] : [`${d.summary[c]} ${LABEL[c]}`]));
  const rows = d.steps.filter((s) => s.block !== '');
  const what = jobsCounted(rows, d.steps.length - rows.length);
  out.push(d.identical ? `identical: ${what}, all the same` : `${what}: ${counts.join(', ')}`);
  return out.join('\n') + '\n';
}

/**
 * How many jobs the rows are, each job once: a job in two versions (a
 * `{precious}` map kept what an older version made) has a row for each,
 * said so that the classes' counts add up.
 */
function jobsCounted(rows: readonly StepDiff[], inputs: number): string {
  const versions = new Map<string, number>();
  for (const r of rows) versions.set(r.job, (versions.get(r.job) ?? 0) + 1);
  const several = [...versions.values()].filter((n) => n > 1);
  const jobs = versions.size;
  const versioned = several.length === 0 ? '' : ` (${several.length} in ${several.every((n) => n === 2) ? 'two' : 'several'} versions)`;
  return `${jobs} job${jobs === 1 ? '' : 's'}${versioned}${inputs > 0 ? ` and ${inputs} host input${inputs === 1 ? '' : 's'}` : ''}`;
}
