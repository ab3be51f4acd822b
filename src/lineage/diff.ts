import { canonicalJson } from '../canonical-json.js';
import { explain, short, type KeyRecord } from '../plan/key.js';
import { listAt } from '../multimap.js';
import { withWriterChanges, type LoneStep } from './writer-changes.js';
import { appendAll } from '../fold.js';

/** One job of an ancestry, with the outputs it had in that ancestry. */
export interface AncestryStep {
  readonly job: string;
  readonly block: string;
  readonly location: string;
  readonly line: number;
  readonly key: string;
  /** What `plan` finds its results by whatever the block is called: its declared outputs (or command), and its items. */
  readonly identity: string;
  readonly record: KeyRecord;
  readonly outputs: Readonly<Record<string, string>>;
  /** `fsck --repair` dropped the result since: its stored data, or what it read, was missing or damaged. */
  readonly dropped?: true;
}

export type StepClass = 'root-cause' | 'damaged' | 'nondeterministic' | 'propagated' | 'only-old' | 'only-new' | 'same';

/** One changed component, whole (the text reasons shorten ids). */
export interface Change {
  readonly field: string;
  readonly old: string | null;
  readonly new: string | null;
}

export interface StepDiff {
  readonly job: string;
  readonly block: string;
  readonly location: string;
  readonly line: number;
  readonly class: StepClass;
  /** As `shark plan` words them: `command text changed`, `environment changed (a → b)`, `input /data/x changed (a → b)`. */
  readonly reasons: readonly string[];
  readonly changes: readonly Change[];
  readonly oldKey: string | null;
  readonly newKey: string | null;
}

/** Classes in the order they print: causes first, consequences after. */
export const CLASS_ORDER: readonly StepClass[] = ['root-cause', 'damaged', 'nondeterministic', 'propagated', 'only-old', 'only-new', 'same'];

/** The fields that define what a job does, as opposed to the data it reads. */
function definitionOf(r: KeyRecord): Omit<KeyRecord, 'inputs'> {
  const { inputs: _inputs, ...rest } = r;
  return rest;
}

/**
 * A job of the old ancestry against the same job of the new one. Its own
 * definition changed (command, environment, local files, variables, import
 * source…): root cause, with every change named, its inputs' too (they are
 * part of why its output differs). Only its inputs: propagated. Neither, yet
 * other output bytes: nondeterministic, or damaged when `fsck --repair`
 * dropped one of the two results. Nothing: same.
 */
export function classify(old: AncestryStep | undefined, now: AncestryStep | undefined): StepDiff {
  const base = now ?? old!;
  const make = (cls: StepClass, reasons: readonly string[], changes: readonly Change[]): StepDiff => ({
    job: base.job, block: base.block, location: base.location, line: base.line, class: cls, reasons, changes,
    oldKey: old?.key ?? null, newKey: now?.key ?? null,
  });
  if (old === undefined) return make('only-new', ['not in the old ancestry'], []);
  if (now === undefined) return make('only-old', ['not in the new ancestry'], []);
  if (canonicalJson(definitionOf(old.record)) !== canonicalJson(definitionOf(now.record))) {
    return make('root-cause', explain(old.record, now.record), [...definitionChanges(old.record, now.record), ...inputChanges(old.record, now.record)]);
  }
  if (canonicalJson(old.record.inputs) !== canonicalJson(now.record.inputs)) {
    return make('propagated', explain(old.record, now.record), inputChanges(old.record, now.record));
  }
  const outputs = pairChanges('output', Object.entries(old.outputs), Object.entries(now.outputs));
  // A result `fsck --repair` dropped (its data, or bytes it read, damaged) made again: not the step's doing.
  const dropped = old.dropped === true ? 'the old' : now.dropped === true ? 'the new' : undefined;
  if (outputs.length > 0 && dropped !== undefined) {
    return make('damaged', outputs.map((c) => `same command and inputs, output ${c.field.slice('output '.length)} changed (${shortOr(c.old)} → ${shortOr(c.new)}): ${dropped} result was dropped by shark fsck --repair, its data or what it read damaged`), outputs);
  }
  if (outputs.length > 0) {
    return make('nondeterministic', outputs.map((c) => `same command and inputs, output ${c.field.slice('output '.length)} changed (${shortOr(c.old)} → ${shortOr(c.new)})`), outputs);
  }
  return make('same', [], []);
}

/** Every definition field that differs, old → new, whole. */
export function definitionChanges(a: KeyRecord, b: KeyRecord): Change[] {
  const out: Change[] = [];
  const text = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === 'string' ? v : canonicalJson(v));
  for (const field of ['v', 'kind', 'env', 'command', 'cwd', 'workdir', 'prelude', 'outputs', 'network'] as const) {
    if (canonicalJson(a[field]) !== canonicalJson(b[field])) out.push({ field, old: text(a[field]), new: text(b[field]) });
  }
  for (const [label, x, y] of [['variable', a.variables, b.variables], ['file', a.files, b.files], ['program', a.tools ?? [], b.tools ?? []], ['dependency', a.deps ?? [], b.deps ?? []]] as const) {
    appendAll(out, pairChanges(label, x, y));
  }
  const pins = new Set([...Object.keys(a.pin ?? {}), ...Object.keys(b.pin ?? {})]);
  for (const k of [...pins].sort()) {
    const x = a.pin?.[k];
    const y = b.pin?.[k];
    if (x !== y) out.push({ field: `pin.${k}`, old: x === undefined ? null : String(x), new: y === undefined ? null : String(y) });
  }
  return out;
}

const inputChanges = (a: KeyRecord, b: KeyRecord): Change[] => pairChanges('input', a.inputs, b.inputs);

function pairChanges(label: string, a: readonly (readonly [string, string])[], b: readonly (readonly [string, string])[]): Change[] {
  const left = new Map(a);
  const right = new Map(b);
  const names = [...new Set([...left.keys(), ...right.keys()])].sort();
  return names.flatMap((n) => (left.get(n) === right.get(n) ? [] : [{ field: `${label} ${n}`, old: left.get(n) ?? null, new: right.get(n) ?? null }]));
}

function shortOr(id: string | null): string {
  return id === null ? 'none' : short(id);
}

/**
 * Two ancestries aligned by job (a block's step, and its item for a map
 * job), plus the host inputs they read: each entry classified, causes first,
 * then in document order.
 */
export function diffAncestries(
  old: { readonly steps: readonly AncestryStep[]; readonly hostInputs: ReadonlyMap<string, ReadonlySet<string>> },
  now: { readonly steps: readonly AncestryStep[]; readonly hostInputs: ReadonlyMap<string, ReadonlySet<string>> },
): StepDiff[] {
  const pairs = aligned(old.steps, now.steps);
  const lone = pairs.flatMap(([a, b]): LoneStep[] => (a === undefined ? [{ step: b!, side: 'new' }] : b === undefined ? [{ step: a, side: 'old' }] : []));
  const diffs = onceEach(pairs.map(([a, b]) => withWriterChanges(classify(a, b), lone, old.steps, now.steps)));
  // Data from outside that changed is a cause too: no step of the pipeline made it.
  // Read in several versions on one side (a `{precious}` map's kept items were made from an older one): changed when
  // one side read a version the other did not; said from the version only the old side read to the one only the new did.
  for (const path of [...new Set([...old.hostInputs.keys(), ...now.hostInputs.keys()])].sort()) {
    const before = [...(old.hostInputs.get(path) ?? [])];
    const after = [...(now.hostInputs.get(path) ?? [])];
    const gone = before.filter((id) => !after.includes(id));
    const added = after.filter((id) => !before.includes(id));
    if (gone.length === 0 && added.length === 0) continue;
    const a = gone[0] ?? before[0];
    const b = added[0] ?? after[0];
    const reason = a === undefined ? `host input ${path} now read` : b === undefined ? `host input ${path} no longer read` : `host input ${path} changed (${short(a)} → ${short(b)})`;
    diffs.push({
      job: `input ${path}`, block: '', location: '', line: 0, class: 'root-cause', reasons: [reason],
      changes: [{ field: `input ${path}`, old: a ?? null, new: b ?? null }], oldKey: null, newKey: null,
    });
  }
  return diffs.sort((x, y) => CLASS_ORDER.indexOf(x.class) - CLASS_ORDER.indexOf(y.class) || x.line - y.line || (x.job < y.job ? -1 : x.job > y.job ? 1 : 0));
}

/**
 * One row for the versions of a job (`aligned`) that compare alike, in the
 * same words: two `same ranges` rows would tell a reader nothing more than
 * one, and nothing would tell them apart. Versions that differ (one changed,
 * one the same; other ids) keep a row each.
 */
function onceEach(diffs: readonly StepDiff[]): StepDiff[] {
  const seen = new Set<string>();
  return diffs.filter((d) => {
    const said = canonicalJson([d.job, d.class, d.reasons, d.changes]);
    if (seen.has(said)) return false;
    seen.add(said);
    return true;
  });
}

/**
 * The steps of two ancestries paired by what identifies a step across edits:
 * the same cache key, then the same identity (its declared outputs and
 * items: the paths it writes), then the same paths written, and only then
 * the same job id. Ids are only names: a block inserted above another, or
 * two headings swapped, renumbers them, and the id a step had may now name
 * another block. Among several candidates, the one of the same id first.
 * A step one side holds in several versions (a `{precious}` map kept the
 * items an older version of the step upstream made, and ran new ones on
 * its current version) pairs one of them so; each other version is then
 * compared with the step of its identity (or paths) on the other side, so
 * a changed command is not hidden behind the version that stayed. The rest
 * are alone.
 */
function aligned(old: readonly AncestryStep[], now: readonly AncestryStep[]): [AncestryStep | undefined, AncestryStep | undefined][] {
  const pairs = new Map<AncestryStep, AncestryStep>();
  const paired = new Set<AncestryStep>();
  for (const by of [(s: AncestryStep) => s.key, (s: AncestryStep) => s.identity, written, (s: AncestryStep) => s.job]) {
    const left = new Map<string, AncestryStep[]>();
    for (const s of now) if (!paired.has(s)) listAt(left, by(s)).push(s);
    for (const s of old) {
      const candidates = pairs.has(s) ? undefined : left.get(by(s));
      if (candidates === undefined || candidates.length === 0) continue;
      const match = candidates.splice(Math.max(0, candidates.findIndex((c) => c.job === s.job)), 1)[0]!;
      pairs.set(s, match);
      paired.add(match);
    }
  }
  const oldOf = new Map([...pairs].map(([a, b]) => [b, a]));
  const sameStep = sameStepIn(old);
  const nowStep = sameStepIn(now);
  return [
    ...now.map((s): [AncestryStep | undefined, AncestryStep] => [oldOf.get(s) ?? sameStep(s), s]),
    ...old.filter((s) => !pairs.has(s)).map((s): [AncestryStep, AncestryStep | undefined] => [s, nowStep(s)]),
  ];
}

/** The step of `steps` with the identity of a given one, else writing its paths: the same step, in another version. */
function sameStepIn(steps: readonly AncestryStep[]): (s: AncestryStep) => AncestryStep | undefined {
  const byIdentity = new Map(steps.map((s) => [s.identity, s]));
  const byWritten = new Map(steps.map((s) => [written(s), s]));
  return (s) => byIdentity.get(s.identity) ?? byWritten.get(written(s));
}

/** The paths a step wrote, as one text. */
function written(s: AncestryStep): string {
  return JSON.stringify(Object.keys(s.outputs).sort());
}
