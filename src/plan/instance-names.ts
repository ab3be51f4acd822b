import { idAxes } from '../pipeline/block-ids.js';
import type { Pipeline, Step } from '../pipeline/pipeline.js';
import { someOf } from '../counted.js';

export type InstanceName = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly message: string };

/**
 * `name` with the instance it starts with (`BLOCK[AXIS=V,…]`, then maybe a
 * step's `.2` or a job's `[item]`) spelled as its id is: a user writes the
 * axis values in any order, and leaves out an axis of one value in the run
 * (`filter[TAXA=AVES]` with `MIN_CELLS: [3]`, or with `-e` keeping one), and
 * either way there is one instance it can mean. A name that leaves out an
 * axis of several values could mean each of them: an error naming them,
 * rather than all of them taken, which is what the bare block id asks for.
 * An axis the block does not have is an error too. Any other name comes back
 * as it is, for the caller's own messages (a value the axis lacks, an
 * instance `-e` leaves out, a typo). `steps`: those the name may select.
 */
export function instanceName(pipeline: Pipeline, steps: readonly Step[], name: string): InstanceName {
  const same: InstanceName = { ok: true, name };
  const open = name.indexOf('[');
  const close = name.indexOf(']', open);
  if (open <= 0 || close < 0) return same;
  const base = name.slice(0, open);
  const of = (ids: readonly string[]): string[] => [...new Set(ids)].filter((id) => id.startsWith(`${base}[`) && idAxes(id).base === base);
  const present = of(steps.map((s) => s.blockId));
  const left = of(pipeline.leftOut?.map((l) => l.block) ?? []);
  // Not axis values (`area[a.txt]`, an item without its instance), or one named twice: the caller says what it is.
  // Read as an id is (`idAxes`): a pair after the first starts with `NAME=`, so only the first may not.
  if (present.length + left.length === 0 || !/^[^,]*=/.test(name.slice(open + 1, close))) return same;
  const given = idAxes(name.slice(0, close + 1)).axes;
  if (new Set(given.map(([a]) => a)).size < given.length) return same;
  const matching = (ids: readonly string[]): string[] => ids.filter((id) => {
    const axes = new Map(idAxes(id).axes);
    return given.every(([axis, value]) => axes.get(axis) === value);
  });
  // An instance the run has, else one `-e` leaves out: the caller says so, of its id.
  const found = matching(present).length > 0 ? matching(present) : matching(left);
  const rest = name.slice(close + 1);
  if (found.length === 1) return { ok: true, name: found[0]! + rest };
  const axes = idAxes([...present, ...left][0]!).axes.map(([axis]) => axis);
  const unknown = given.find(([axis]) => !axes.includes(axis));
  if (unknown !== undefined) return { ok: false, message: `\`${name}\`: \`${unknown[0]}\` is no axis of ${base} (its axes: ${axes.join(', ')})` };
  if (found.length === 0) return same;
  const out = axes.filter((axis) => !given.some(([a]) => a === axis));
  const ids = found.map((id) => `\`${id}${rest}\``);
  const list = ids.length === 2 ? ids.join(' or ') : someOf(ids);
  const all = rest === '' ? ` (\`${base}\` names them all)` : '';
  return {
    ok: false,
    message: `\`${name}\` leaves out the ${out.length === 1 ? 'axis' : 'axes'} ${out.join(', ')}, and names ${found.length} instances: did you mean ${list}?${all}`,
  };
}
