import { idAxes } from '../pipeline/block-ids.js';
import { shownName } from '../printable.js';
import type { AncestryStep, StepDiff } from './diff.js';

/** A job of one ancestry that nothing of the other is paired with. */
export interface LoneStep {
  readonly step: AncestryStep;
  readonly side: 'old' | 'new';
}

/** How many writers a reason names before `and N more`. */
const NAMED = 3;

/**
 * A job whose input changed because the jobs writing into it are others:
 * one of them is in one ancestry only and is no item of a map — an instance
 * of a block the document added or removed (an axis value, a block), not one
 * that data upstream made (that cause is upstream, and is listed there). No
 * upstream step changed, so the reader is where the change shows first: a
 * root cause, its input's reason saying which jobs write into it no longer,
 * or now, and which axis values went or came.
 */
export function withWriterChanges(d: StepDiff, lone: readonly LoneStep[], old: readonly AncestryStep[], now: readonly AncestryStep[]): StepDiff {
  if (d.class !== 'propagated' && d.class !== 'root-cause') return d;
  let found = false;
  const reasons = d.reasons.map((reason) => {
    const path = d.changes.map((c) => c.field.slice('input '.length)).find((p) => reason.startsWith(`input ${shownName(p)} changed`));
    if (path === undefined) return reason;
    const writes = (s: AncestryStep): boolean => Object.keys(s.outputs).some((o) => o === path || o.startsWith(`${path}/`));
    const parts = (['old', 'new'] as const).flatMap((side) => {
      const writers = lone.filter((l) => l.side === side && l.step.job === l.step.block && writes(l.step)).map((l) => l.step);
      if (writers.length === 0) return [];
      const names = writers.slice(0, NAMED).map((s) => s.job).join(', ') + (writers.length > NAMED ? ` and ${writers.length - NAMED} more` : '');
      const verb = side === 'old' ? (writers.length === 1 ? 'no longer writes' : 'no longer write') : writers.length === 1 ? 'now writes' : 'now write';
      const axes = axisValues(writers, side === 'old' ? now : old);
      return [`${names} ${verb} into it${axes === '' ? '' : ` (${axes} ${side === 'old' ? 'removed' : 'added'})`}`];
    });
    if (parts.length === 0) return reason;
    found = true;
    return `${reason}: ${parts.join('; ')}`;
  });
  return found ? { ...d, class: 'root-cause', reasons } : d;
}

/**
 * The axes the writers stand for: an axis whose values among them no
 * instance of the same block has on the other side (which still has some).
 */
function axisValues(writers: readonly AncestryStep[], other: readonly AncestryStep[]): string {
  const mine = writers.map((w) => idAxes(w.block));
  const theirs = other.map((s) => idAxes(s.block)).filter((s) => mine.some((m) => m.base === s.base));
  const names = [...new Set(mine.flatMap((m) => m.axes.map(([n]) => n)))];
  const valuesOf = (list: typeof mine, name: string): string[] => [...new Set(list.flatMap((m) => m.axes.filter(([n]) => n === name).map(([, v]) => v)))];
  return names.flatMap((name) => {
    const values = valuesOf(mine, name);
    const others = new Set(valuesOf(theirs, name));
    return others.size > 0 && values.every((v) => !others.has(v)) ? [`axis ${name}: ${values.join(', ')}`] : [];
  }).join('; ');
}
