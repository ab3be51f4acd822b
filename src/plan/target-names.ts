import { idAxes, inBlock } from '../pipeline/block-ids.js';
import { isUnder, leadsIntoData, normaliseDataPath } from '../pipeline/data-path.js';
import type { Pipeline, Step } from '../pipeline/pipeline.js';
import { closest } from './closest-name.js';
import { instanceName } from './instance-names.js';
import { inItemOutput, jobIdStep, sweepJobProblem, type PickedName } from './job-picks.js';
import type { SelectionError } from './selection.js';

/** `picks`: the steps of `steps` of which the name selects only some jobs, by step id. */
type Resolved = { ok: true; steps: readonly Step[]; picks: ReadonlyMap<string, PickedName> } | { ok: false; error: SelectionError };

/** The steps a name selects: a path's writers, a step, a block (or its instance), all instances of a block, or one job of a map. */
export function resolveName(pipeline: Pipeline, name: string, forced: boolean): Resolved {
  const unknown = (message: string): Resolved => ({ ok: false, error: { reason: 'unknown-target', target: name, forced, message } });
  const whole = (steps: readonly Step[]): Resolved => ({ ok: true, steps, picks: new Map() });
  const runnable = pipeline.steps.filter((s) => s.kind !== 'publish' || !forced);
  // However the kernel spells it (`//data/x`, `/./data/x`), as `lineage` takes it.
  if (leadsIntoData(name)) {
    const normal = normaliseDataPath(name);
    if (!normal.ok) return unknown(normal.message);
    const path = normal.path.text;
    const writers = runnable.filter((s) => s.outputs.some((o) => writes(o.path, path)));
    // A path inside a map's per-item directory is written by one of its jobs (or none: said once the items are known).
    if (writers.length > 0) return { ok: true, steps: writers, picks: new Map(writers.filter((s) => inItemOutput(s, path)).map((s) => [s.id, { name, path }])) };
    const left = pipeline.leftOut?.filter((l) => l.writes.some((w) => writes(w, path)));
    if (left !== undefined && left.length > 0) {
      return unknown(`no step writes ${path} with ${left[0]!.leftOutBy} (${left.map((l) => l.block).join(', ')} write${left.length === 1 ? 's' : ''} it)`);
    }
    const input = [...pipeline.inputs].find(([, p]) => p === path || isUnder(path, p));
    return unknown(input !== undefined ? `no step writes ${path}: it is the frontmatter input \`${input[0]}\`` : `no step writes ${path}`);
  }
  const spelled = instanceName(pipeline, runnable, name);
  if (!spelled.ok) return unknown(spelled.message);
  const id = spelled.name;
  const step = pipeline.stepsById.get(id);
  if (step !== undefined && runnable.includes(step)) return whole([step]);
  const ofBlock = runnable.filter((s) => inBlock(s.blockId, id));
  if (ofBlock.length > 0) return whole(ofBlock);
  const mapped = jobIdStep(runnable, id);
  if (mapped !== undefined) return { ok: true, steps: [mapped], picks: new Map([[mapped.id, { name, job: id }]]) };
  const left = pipeline.leftOut?.find((l) => l.block === id || l.steps.includes(id));
  if (left !== undefined) return unknown(`\`${name}\` is left out by ${left.leftOutBy}`);
  const sweep = sweepJobProblem(pipeline, runnable, id);
  if (sweep !== undefined) return unknown(sweep);
  // `dag` lists a build block, but it has no step to select: its image is built when a step in it runs.
  const built = [...pipeline.environments.values()].find((e) => e.blockId === name);
  if (built !== undefined) {
    const users = [...new Set(runnable.filter((s) => s.kind === 'run' && s.env === built.name).map((s) => baseId(s.blockId)))];
    const which = users.length > 0 ? ` (${users.join(', ')})` : ' (none does)';
    return unknown(`\`${name}\` is the shark-build block of environment ${built.name}: it writes no /data path, so it is no target; its image is built when a block that runs in it is${which}`);
  }
  // A publish block is a block, but `--force` has no result of it to pass over.
  if (forced && pipeline.steps.some((s) => s.kind === 'publish' && (s.id === id || inBlock(s.blockId, id)))) {
    return unknown(`\`${name}\` is a shark-publish block: it keeps no result, so there is nothing to force; it publishes on every run that makes what it copies out`);
  }
  const ids = [...new Set(runnable.map((s) => baseId(s.blockId)))];
  // An axis of the document's given to a block that mentions none: it has one instance, named without brackets.
  const { base, axes } = idAxes(name);
  const sweeps = new Set(runnable.flatMap((s) => idAxes(s.blockId).axes.map(([axis]) => axis)));
  if (axes.length > 0 && runnable.some((s) => s.blockId === base) && axes.every(([axis]) => sweeps.has(axis))) {
    return unknown(`\`${name}\`: ${base} mentions no axis (${axes.map(([axis]) => axis).join(', ')} ${axes.length === 1 ? 'is' : 'are'} not in its commands), so it has one instance, \`${base}\``);
  }
  const near = closest(name, [...ids, ...new Set(runnable.flatMap((s) => [s.blockId, s.id]))]);
  const hint = near === undefined ? '' : `did you mean \`${near}\`? `;
  return unknown(`\`${name}\` is no /data path or block of this pipeline (${hint}blocks: ${ids.join(', ')})`);
}

/** Whether an output at `output` is, holds or is inside `path`: what a path target selects the writers of. */
function writes(output: string, path: string): boolean {
  return output === path || isUnder(path, output) || isUnder(output, path);
}

function baseId(blockId: string): string {
  const bracket = blockId.indexOf('[');
  return bracket < 0 ? blockId : blockId.slice(0, bracket);
}
