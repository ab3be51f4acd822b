import { inBlock } from '../pipeline/block-ids.js';
import { fixedPathProblem, isUnder, leadsIntoData, normaliseDataPath } from '../pipeline/data-path.js';
import type { Pipeline, Step } from '../pipeline/pipeline.js';
import { isPrecious, manualNeeds } from '../plan/selection.js';
import { maxOf } from '../fold.js';
import { displayWidth, padDisplay } from '../columns.js';
import { landedAt, localFileTarget, localNamed, localReason, type LocalPlaces } from './impact-files.js';

/** What might change: data at a path, an environment, or the text of a block (or one of its steps). */
export type ImpactTarget =
  | { readonly kind: 'path'; readonly path: string }
  /** `block` when named by its `shark-build` block's id: editing that block rebuilds the image. */
  | { readonly kind: 'environment'; readonly name: string; readonly block?: string }
  | { readonly kind: 'block'; readonly id: string }
  | { readonly kind: 'step'; readonly id: string }
  /** A file (or `dir`ectory) on the host a step's key holds (`path` as shown, relative to the document's directory when inside it). */
  | { readonly kind: 'file'; readonly path: string; readonly abs: string; readonly dir?: true };

/** A step that may run again, and the first reason found for it. */
export interface ImpactedStep {
  readonly step: string;
  readonly block: string;
  readonly line: number;
  readonly kind: Step['kind'];
  readonly why: string;
  /** A `{precious}` step: its result is kept (`why` says `kept (precious): …`), so it does not run again, nor do its readers for it. */
  readonly kept?: true;
  /** A `{manual}` step, or one that reads from one: it runs again only when named as a target (`plan` says `manual`). */
  readonly manual?: true;
  /** The `{manual}` block a step that reads from one needs (`plan`'s `needs B, which is {manual}`). */
  readonly needs?: string;
}

export type ImpactFailure = { readonly reason: 'unknown-target'; readonly target: string; readonly message: string };

/**
 * `env:NAME` (or a bare environment name that is no block) is an
 * environment, and so is the id of its `shark-build` block (its steps run
 * again on a rebuild, as `shark plan` says); `/data/…` is a path, anything
 * else a block or step id, or failing that a local file a step keys on
 * (`localFileTarget`, relative to `places.cwd`). A
 * sweep's bare block id is all its instances, as `shark plan` takes it.
 */
export function parseTarget(pipeline: Pipeline, text: string, places: LocalPlaces): { ok: true; target: ImpactTarget } | { ok: false; error: ImpactFailure } {
  const unknown = (message: string): { ok: false; error: ImpactFailure } => ({ ok: false, error: { reason: 'unknown-target', target: text, message } });
  // However the kernel spells it (`//data/x`, `/./data/x`), as `lineage` takes it.
  if (leadsIntoData(text)) {
    // A pattern is no path: `/data/items/*` would stand for a file named `*`, and read as one of the directory's.
    const literal = fixedPathProblem(text, 'a path given to `impact`');
    if (literal !== undefined && !/[$`]/.test(text[literal.offset] ?? '')) return unknown(literal.message);
    const normal = normaliseDataPath(text);
    if (!normal.ok) return unknown(normal.message);
    const path = normal.path.text;
    const mentioned = pipeline.steps.some((s) => [...s.inputs, ...s.outputs].some((io) => io.path === path || isUnder(path, io.path) || isUnder(io.path, path)));
    return mentioned ? { ok: true, target: { kind: 'path', path } } : unknown(`no step reads or writes ${path}`);
  }
  const envName = text.startsWith('env:') ? text.slice(4) : undefined;
  const isEnv = (name: string): boolean => name === 'host' || pipeline.environments.has(name);
  if (envName !== undefined) {
    return isEnv(envName) ? { ok: true, target: { kind: 'environment', name: envName } } : unknown(`no environment \`${envName}\` (environments: ${['host', ...pipeline.environments.keys()].join(', ')})`);
  }
  const built = [...pipeline.environments.values()].find((e) => e.blockId === text);
  if (built !== undefined) return { ok: true, target: { kind: 'environment', name: built.name, block: text } };
  if (pipeline.blocks.some((b) => inBlock(b.id, text))) return { ok: true, target: { kind: 'block', id: text } };
  if (pipeline.stepsById.has(text)) return { ok: true, target: { kind: 'step', id: text } };
  if (isEnv(text)) return { ok: true, target: { kind: 'environment', name: text } };
  const file = localFileTarget(pipeline, text, places);
  if (file !== undefined && 'unreadable' in file) return unknown(`\`${text}\` cannot be read: ${file.unreadable}`);
  if (file !== undefined) return { ok: true, target: { kind: 'file', ...file } };
  return unknown(`\`${text}\` is no /data path, environment (env:NAME), block of this pipeline or local file or directory a step uses (blocks: ${pipeline.blocks.map((b) => b.id).join(', ')})`);
}

/**
 * The steps that may run again when the targets change, in document order
 * (the forward direction of lineage). "May": a step that re-runs and writes
 * the same bytes leaves its readers cached. A `{precious}` step the change
 * reaches keeps its result whatever changed (`plan` says `kept (precious)`):
 * it is listed as kept, and the chain stops there; but not one writing no
 * /data path whose own command is what changes.
 */
export function impactOf(pipeline: Pipeline, targets: readonly ImpactTarget[], pipelineDir: string): ImpactedStep[] {
  const marked = new Map<string, string>();
  const kept = new Set<string>();
  // A local file an import copies changes one path of what it brings in: its readers are those of that path.
  const landed: ImpactTarget[] = [];
  const narrowed = new Set<string>();
  for (const step of pipeline.steps) {
    for (const t of targets) {
      const at = t.kind === 'file' ? landedAt(step, t, pipelineDir) : undefined;
      if (at !== undefined) (landed.push({ kind: 'path', path: at }), narrowed.add(step.id));
    }
  }
  const all = [...targets, ...landed];
  for (const step of pipeline.steps) {
    const reached = all.map((t) => ({ t, why: directReason(pipeline, step, t, pipelineDir) })).find((r) => r.why !== undefined);
    const why = reached?.why ?? fromUpstream(step, marked, new Set([...kept, ...narrowed]));
    if (why === undefined) continue;
    marked.set(step.id, why);
    // A step that writes no /data path is known by its command (`stepIdentity`): edited, it is a new step, with nothing to keep.
    const edited = step.outputs.length === 0 && (reached?.t.kind === 'step' || reached?.t.kind === 'block');
    if (isPrecious(step) && !edited) kept.add(step.id);
  }
  const manual = manualNeeds(pipeline);
  return pipeline.steps.flatMap((s) => {
    const why = marked.get(s.id);
    if (why === undefined) return [];
    const by = manual.get(s.id);
    const needs = by === undefined || by === s.id ? {} : { needs: pipeline.stepsById.get(by)?.blockId ?? by };
    const base = { step: s.id, block: s.blockId, line: s.at.line, kind: s.kind, ...(by !== undefined ? { manual: true as const, ...needs } : {}) };
    return [kept.has(s.id) ? { ...base, why: `kept (precious): ${why}`, kept: true as const } : { ...base, why }];
  });
}

/** The first input a step reads from a marked step that runs again. Steps are in document order, a writer before its readers: one pass sees every mark. */
function fromUpstream(step: Step, marked: ReadonlyMap<string, string>, kept: ReadonlySet<string>): string | undefined {
  for (const input of step.inputs) {
    const from = input.from.find((id) => marked.has(id) && !kept.has(id));
    if (from !== undefined) return `reads ${shown(input)} (from ${from})`;
  }
  return undefined;
}

function directReason(pipeline: Pipeline, step: Step, target: ImpactTarget, pipelineDir: string): string | undefined {
  switch (target.kind) {
    case 'path': {
      const input = step.inputs.find((i) => i.path === target.path || isUnder(target.path, i.path) || isUnder(i.path, target.path));
      return input === undefined ? undefined : `reads ${shown(input)}`;
    }
    case 'environment':
      return step.kind === 'run' && (step.env ?? 'host') === target.name ? `runs in ${target.name}` : undefined;
    case 'step':
      return step.id === target.id ? 'changed' : undefined;
    case 'block':
      if (!inBlock(step.blockId, target.id)) return undefined;
      return pipeline.blocks.find((b) => b.id === step.blockId)?.steps.length === 1 ? 'changed' : `in block ${step.blockId}`;
    case 'file':
      return localReason(pipeline, step, target, pipelineDir);
  }
}

function shown(input: Step['inputs'][number]): string {
  return input.pattern !== undefined ? `${input.path}/${input.pattern}` : input.isDir ? `${input.path}/` : input.path;
}

export function describeTarget(t: ImpactTarget): string {
  if (t.kind === 'environment') return t.block === undefined ? `environment ${t.name}` : `block ${t.block} (environment ${t.name})`;
  if (t.kind === 'file') return localNamed(t);
  return t.kind === 'path' ? t.path : `${t.kind} ${t.id}`;
}

/**
 * The steps that may run again: those the change reaches but `{precious}`
 * ones, which keep their results, and publish blocks, which are no job (they
 * copy out again what the others make, counted apart).
 */
export function runningAgain(steps: readonly ImpactedStep[]): number {
  return steps.filter((s) => s.kept !== true && s.kind !== 'publish').length;
}

export function renderImpact(targets: readonly ImpactTarget[], steps: readonly ImpactedStep[], file: string): string {
  const what = targets.map(describeTarget).join(', ');
  if (steps.length === 0) return `if ${what} changes, no step runs again\n`;
  const width = maxOf(steps, (s) => displayWidth(s.step));
  const where = steps.map((s) => `${file}:${s.line}`);
  const whereWidth = maxOf(where, displayWidth);
  const onlyNamed = (s: ImpactedStep): string => (s.manual !== true || s.kept === true ? ''
    : s.needs !== undefined ? ` (needs ${s.needs}, which is {manual}: only when named as a target)` : ' (manual: only when named as a target)');
  const lines = steps.map((s, i) => `  ${padDisplay(s.step, width)}  ${padDisplay(where[i]!, whereWidth)}  ${s.why}${onlyNamed(s)}`);
  const running = runningAgain(steps);
  const manual = steps.filter((s) => s.manual === true && s.kept !== true).length;
  const ofThem = manual === 0 ? '' : manual === running ? ` (${running === 1 ? 'it is' : 'all are'} manual: only when named as a target)` : ` (${manual} of them manual: only when named as a target)`;
  const publishing = steps.filter((s) => s.kind === 'publish' && s.kept !== true).length;
  const copies = publishing === 0 ? '' : `, and ${publishing} publish block${publishing === 1 ? '' : 's'} may copy out again what ${running === 1 ? 'it makes' : 'they make'}`;
  return [
    running === 0 && publishing > 0 ? `if ${what} changes, no step runs again; ${publishing} publish block${publishing === 1 ? '' : 's'} may copy it out again:`
      : running === 0 ? `if ${what} changes, no step runs again:` : `if ${what} changes, ${running} step${running === 1 ? '' : 's'} may run again${ofThem}${copies}:`,
    ...lines,
    ...(running === 0 ? [] : ['(a step that writes the same bytes again stops the chain there: its readers stay cached)']),
  ].join('\n') + '\n';
}
