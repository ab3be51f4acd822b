import { isRecalled, type Plan, type PlannedJob } from '../plan/planner.js';
import { jobCounts } from '../plan/job-counts.js';
import { printable, shownName } from '../printable.js';
import { counted } from '../counted.js';
import { displayWidth, padDisplay } from '../columns.js';

/** Where rendered text goes, a piece at a time. */
export type Out = (s: string) => void;

/**
 * The total of a plan. A blocked map stands for items nobody knows yet (its
 * input is still to be made): it is counted apart, not as one job, so the
 * total is what is known and agrees with what `run` then reports of it.
 */
export function summaryLine(summary: Plan['summary'], blockedMaps: Plan['blockedMaps'] = []): string {
  const blocked = summary.blocked - blockedMaps.length;
  const total = summary.cached + summary.run + blocked + summary.manual;
  const more = `${blocked > 0 ? `, ${blocked} blocked` : ''}${summary.manual > 0 ? `, ${summary.manual} manual` : ''}`;
  const kept = summary.kept === undefined ? '' : ` (${summary.kept} kept)`;
  return `${total} job${total === 1 ? '' : 's'}: ${summary.cached} cached${kept}, ${summary.run} to run${more}${mapsWaiting(blockedMaps)}`;
}

/** What the blocked maps wait for: their directories to be made, or (a map behind one) a step that can never run, which never makes them. */
function mapsWaiting(blockedMaps: NonNullable<Plan['blockedMaps']>): string {
  const some = (n: number): string => `${n} map${n === 1 ? '' : 's'} blocked`;
  const listed = (names: string[]): string => (names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`);
  const waiting = blockedMaps.filter((m) => m.never === undefined);
  const waits = [...new Set(waiting.flatMap((m) => m.waitsFor))].map(shownName);
  const roots = [...new Set(blockedMaps.flatMap((m) => (m.never === undefined ? [] : [m.never])))];
  const never = blockedMaps.length - waiting.length;
  return (waiting.length === 0 ? ''
    : `; ${some(waiting.length)}, ${waiting.length === 1 ? 'its' : 'their'} items unknown until ${listed(waits)} ${waits.length === 1 ? 'is' : 'are'} made`)
    + (never === 0 ? '' : `; ${some(never)} behind ${roots.length === 1 ? 'a step' : 'steps'} that cannot run (${listed(roots.map(printable))})`);
}

/**
 * Gathers small pieces into chunks of about 64 KB: a plan of a million jobs
 * is written as it is rendered, never held as one string (nor spread into
 * one call's arguments, which overflowed the stack).
 */
export function chunked(out: Out): { write: Out; flush: () => void } {
  let buffer = '';
  const flush = (): void => {
    if (buffer.length > 0) out(buffer);
    buffer = '';
  };
  return {
    write: (s) => {
      buffer += s;
      if (buffer.length >= 1 << 16) flush();
    },
    flush,
  };
}

/** The jobs of each step, in the order steps first appear. */
function byStep<T extends { readonly step: string }>(jobs: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const j of jobs) {
    const group = groups.get(j.step);
    if (group === undefined) groups.set(j.step, [j]);
    else group.push(j);
  }
  return groups;
}

/** A map step's one line: `species-aoh: 1000 jobs — 997 cached, 2 to run (new item)`. */
function mapLine(step: string, jobs: readonly PlannedJob[], width: number, at: string): string {
  const { parts, allCached } = jobCounts(jobs);
  return countsLine(allCached ? 'cached' : 'map', step, width, at, jobs.length, parts);
}

function countsLine(status: string, step: string, width: number, at: string, jobs: number, parts: readonly string[]): string {
  return `${status.padEnd(8)} ${padDisplay(step, width)} ${at}  ${counted(jobs, 'job')} — ${parts.join(', ')}`;
}

/**
 * One line per job in DAG order; a map step is one line with its counts
 * (`species-aoh: 1000 jobs — 997 cached, 2 to run (new item)`), unless
 * `verbose` lists every item. Written to `out` in chunks as it goes.
 */
export function writePlanText(plan: Plan, file: string, verbose: boolean, out: Out): void {
  const { write, flush } = chunked(out);
  // Without -v, a step its memo decided is one line of counts: its jobs are not made.
  const parts = verbose ? plan.jobs : (plan.parts ?? plan.jobs);
  let longest = 8;
  let lastLine = 0;
  for (const j of parts) {
    if (!isRecalled(j) || j.count > 0) longest = Math.max(longest, displayWidth(verbose ? (j as PlannedJob).job : j.step));
    lastLine = Math.max(lastLine, j.line);
  }
  // The column after the location starts at one place (`p.md:9  ` beside `p.md:103`).
  const at = (line: number): string => `${file}:${String(line).padEnd(String(lastLine).length)}`;
  // Aligned to the longest name (a sweep's instance ids run long), up to a limit a pathological one does not push past.
  const width = Math.min(80, longest);
  for (const [step, jobs] of byStep(parts)) {
    if (jobs.length === 1 && isRecalled(jobs[0]!)) {
      const { count, line } = jobs[0];
      if (count > 0) write(countsLine('cached', step, width, at(line), count, [`${count} cached`]) + '\n');
      continue;
    }
    const made = jobs as PlannedJob[];
    if (!verbose && made.some((j) => j.items.length > 0)) {
      write(mapLine(step, made, width, at(made[0]!.line)) + '\n');
      continue;
    }
    for (const j of made) {
      // A reason can quote what a server sent (an import's error): one line, its controls escaped.
      const reasons = j.reasons.length > 0 ? `  ${printable(j.reasons.join('; '))}` : '';
      write(`${j.status.padEnd(8)} ${padDisplay(verbose ? j.job : j.step, width)} ${reasons === '' ? `${file}:${j.line}` : at(j.line)}${reasons}\n`);
      // With -v, a cached job shows its results' snapshots (ZFS snapshot names on the ZFS store), a name with a newline quoted.
      if (verbose) for (const [path, id] of j.outputs ?? []) write(`${''.padEnd(8)} ${''.padEnd(width)}   ${shownName(path)} = ${id}\n`);
    }
  }
  for (const note of plan.notes) write(`note: ${note}\n`);
  write(summaryLine(plan.summary, plan.blockedMaps) + '\n');
  flush();
}

/** The text plan as one string (small plans, tests). */
export function renderPlan(plan: Plan, file: string, verbose: boolean): string {
  const pieces: string[] = [];
  writePlanText(plan, file, verbose, (s) => pieces.push(s));
  return pieces.join('');
}

function jobJson(j: PlannedJob): object {
  const { items, outputs } = j;
  return {
    block: j.block,
    step: j.step,
    job: j.job,
    line: j.line,
    ...(items.length > 0 ? { item: items.join(','), items } : {}),
    status: j.status,
    reasons: j.reasons,
    ...(outputs !== undefined ? { outputs: Object.fromEntries(outputs) } : {}),
  };
}

const q = JSON.stringify;

/**
 * `indented(jobJson(j), 2)`, written out field by field: the same bytes
 * (`JSON.stringify` quotes each value) at a third of the time of
 * stringifying an object per job with indentation (~0.85 s for 200,000).
 */
function jobText(j: PlannedJob, shared: SharedTexts): string {
  let s = `${shared.head(j.block, j.step)}\n      "job": ${q(j.job)},\n      "line": ${j.line},`;
  // Read once: a job its step's memo decided works its items and outputs out when asked (`plan/planner.ts` RecalledJob).
  const { items, outputs } = j;
  if (items.length === 1) {
    const item = q(items[0]);
    s += `\n      "item": ${item},\n      "items": [\n        ${item}\n      ],`;
  } else if (items.length > 0) s += `\n      "item": ${q(items.join(','))},\n      "items": ${listText(items)},`;
  s += shared.tail(j.status, j.reasons);
  if (outputs !== undefined) s += `,\n      "outputs": ${pairsText(outputs)}`;
  return `${s}\n    }`;
}

/**
 * The members a step's jobs share (block and step; status and reasons,
 * one frozen list for a million new items), written once while they stay
 * the same from one job to the next: a million jobs quoted them a million times.
 */
class SharedTexts {
  private block: string | undefined;
  private step: string | undefined;
  private headText = '';
  private status: string | undefined;
  private reasons: readonly string[] | undefined;
  private tailText = '';

  head(block: string, step: string): string {
    if (block !== this.block || step !== this.step) {
      (this.block = block), (this.step = step);
      this.headText = `{\n      "block": ${q(block)},\n      "step": ${q(step)},`;
    }
    return this.headText;
  }

  tail(status: string, reasons: readonly string[]): string {
    if (status !== this.status || reasons !== this.reasons) {
      (this.status = status), (this.reasons = reasons);
      this.tailText = `\n      "status": ${q(status)},\n      "reasons": ${listText(reasons)}`;
    }
    return this.tailText;
  }
}

/** A list of strings as a job member (six spaces in). */
function listText(list: readonly string[]): string {
  if (list.length === 0) return '[]';
  let s = '[';
  for (let i = 0; i < list.length; i++) s += `${i === 0 ? '' : ','}\n        ${q(list[i])}`;
  return `${s}\n      ]`;
}

/** Outputs as a job member: an object of their paths, in the step's order (no path reads as an integer, which JSON.stringify would put first). */
function pairsText(pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return '{}';
  let s = '{';
  for (let i = 0; i < pairs.length; i++) s += `${i === 0 ? '' : ','}\n        ${q(pairs[i]![0])}: ${q(pairs[i]![1])}`;
  return `${s}\n      }`;
}

function summaryJson(plan: Plan): object {
  // `kept`, `manual` and `blockedMaps` only when there are any: the summary of a plain plan keeps its three counts.
  const { cached, run, blocked, manual, kept } = plan.summary;
  const maps = plan.blockedMaps?.length ?? 0;
  return { cached, ...(kept !== undefined ? { kept } : {}), run, blocked, ...(manual > 0 ? { manual } : {}), ...(maps > 0 ? { blockedMaps: maps } : {}) };
}

export function planJson(plan: Plan): object {
  return { jobs: plan.jobs.map(jobJson), summary: summaryJson(plan), notes: plan.notes };
}

/** `JSON.stringify(value, null, 2)` nested `depth` levels deep (JSON strings hold no raw newline). */
function indented(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replaceAll('\n', '\n' + '  '.repeat(depth));
}

/**
 * The bytes of `JSON.stringify(planJson(plan), null, 2) + '\n'`, written a
 * job at a time: the JSON of a million jobs is a few hundred megabytes, too
 * much to hold as one string beside the plan.
 */
/** `extra`: more top-level members after `notes` (`slurm` with `--executor slurm`). */
export function writePlanJson(plan: Plan, out: Out, extra: Readonly<Record<string, unknown>> = {}): void {
  const { write, flush } = chunked(out);
  write('{\n  "jobs": [');
  const shared = new SharedTexts();
  plan.jobs.forEach((j, n) => write(`${n === 0 ? '' : ','}\n    ${jobText(j, shared)}`));
  write(plan.jobs.length > 0 ? '\n  ],\n' : '],\n');
  const more = Object.entries(extra).map(([k, v]) => `,\n  ${JSON.stringify(k)}: ${indented(v, 1)}`).join('');
  write(`  "summary": ${indented(summaryJson(plan), 1)},\n  "notes": ${indented(plan.notes, 1)}${more}\n}\n`);
  flush();
}
