import { isUnder } from '../pipeline/data-path.js';
import { isMap, type Step } from '../pipeline/pipeline.js';
import type { JobPick, PickedName } from './job-picks.js';

/**
 * The items of map `step` that `pick` names, when every name of it is one:
 * a job id (`step[a.txt]`), or a path inside a per-item output directory
 * that names the item as it is (`/data/out/a.txt` of `/data/out/+`). Any
 * other name (an output with `+.EXT`, which changes the item's name) gives
 * none: the step's upstream then runs whole.
 */
function pickedItems(step: Step, pick: JobPick): string[] | undefined {
  const items: string[] = [];
  for (const n of pick.names) {
    if (n.job !== undefined) {
      if (!n.job.startsWith(`${step.id}[`) || !n.job.endsWith(']')) return undefined;
      items.push(n.job.slice(step.id.length + 1, -1));
      continue;
    }
    const out = n.path === undefined ? undefined : step.outputs.find((o) => o.perItem && o.ext === undefined && isUnder(n.path!, o.path));
    if (out === undefined) return undefined;
    items.push(n.path!.slice(out.path.length + 1).split('/')[0]!);
  }
  return items;
}

/**
 * What a map whose targets name some of its jobs needs of map `dep`
 * upstream: the same items, when all it reads of `dep` is the directory
 * `dep` writes an item of each name into (`/data/s1/+`), mapped over
 * (`/data/s1/*`) or joined (`/data/s1/+`). `step2[a]` reading `/data/s1/a`
 * needs `step1`'s job writing `/data/s1/a`, not every job of `step1`.
 * Undefined: `dep` runs whole (the step reads more of it, or names its
 * items another way). Picks made so are `derived`: an item `dep` does not
 * write (the directory holds other writers' files too) is no error.
 */
export function upstreamPick(step: Step, pick: JobPick | undefined, dep: Step): JobPick | undefined {
  if (pick === undefined || !isMap(step) || !isMap(dep)) return undefined;
  const wildcards = step.inputs.filter((i) => i.pattern !== undefined);
  if (wildcards.length !== 1 || wildcards[0]!.pattern!.includes('/')) return undefined;
  const items = pickedItems(step, pick);
  if (items === undefined) return undefined;
  const read = step.inputs.filter((i) => i.from.includes(dep.id));
  const itemDir = (path: string): boolean => dep.outputs.some((o) => o.perItem && o.ext === undefined && o.path === path);
  const byItem = (i: (typeof read)[number]): boolean =>
    itemDir(i.path) && (i.pattern !== undefined || (i.join !== undefined && i.join.ext === undefined && i.join.file === undefined));
  if (read.length === 0 || !read.every(byItem)) return undefined;
  const names: PickedName[] = read.flatMap((i) => items.map((item) => ({ name: `${i.path}/${item}`, path: `${i.path}/${item}`, derived: true as const })));
  return { names };
}

/**
 * A pick only derived from a map below (`upstreamPick`) whose items `step`
 * writes none of, as one naming them outright: when `step` is the only
 * writer of their directory, the target below names no job, and is said
 * so. Undefined when another step writes there too (the items may be its).
 */
export function strayedPick(steps: readonly Step[], step: Step, pick: JobPick): JobPick | undefined {
  const sole = (path: string): boolean => {
    const dir = path.slice(0, path.lastIndexOf('/'));
    return !steps.some((s) => s.id !== step.id && s.outputs.some((o) => o.path === dir || isUnder(o.path, dir) || isUnder(dir, o.path)));
  };
  if (!pick.names.every((n) => n.derived === true && n.path !== undefined && sole(n.path))) return undefined;
  return { names: pick.names.map(({ derived: _, ...n }) => n) };
}
