import type { Metadata, RunRow } from '../store/metadata.js';

/** One run of a pipeline, as `shark runs` shows it. */
export interface RunEntry {
  readonly run: number;
  readonly status: string;
  readonly started: string;
  readonly ended: string | null;
  /** Jobs executed in the run, reused from the store, failed, and in no other state (skipped, cancelled). */
  readonly executed: number;
  readonly cached: number;
  readonly failed: number;
  readonly other: number;
  /** The Shark that ran it; for runs recorded before it was kept, the version its executed jobs recorded. */
  readonly version: string | null;
  readonly host: string | null;
  /** The values of each axis `-e` ran it with, when it kept some only (a subset of the sweep). */
  readonly axes?: Readonly<Record<string, readonly string[]>>;
}

/**
 * What lineage, logs and exports mean by "the latest run": the newest that
 * recorded a job. A run that ran none (every block `{manual}`, or stopped
 * before its first job) says nothing about the results, and hides no
 * earlier run; when no run recorded a job, the newest (which then says so).
 */
export function latestRunWithJobs(meta: Metadata, runs: readonly RunRow[]): RunRow | undefined {
  return runs.find((r) => meta.runRows.any(r.id)) ?? runs[0];
}

/** The runs of a pipeline, newest first; the counts come from the jobs each run recorded, and the jobs its summary says it skipped. */
export function listRuns(meta: Metadata, pipelinePath: string): RunEntry[] {
  // A run's own rows, and those it names of an earlier run (`cached`), counted from the names: a million rows each were read.
  const counts = meta.db.prepare<[number], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM run_jobs WHERE run_id = ? GROUP BY status');
  // Skipped and cancelled jobs leave no row, nor does a step that failed as a whole (a build, say):
  // the run's summary counts them (none while it runs, or if it died).
  const unrecorded = meta.db.prepare<[number], { skipped: number | null; failed: number | null; axes: string | null }>(
    "SELECT json_extract(summary, '$.skipped') AS skipped, json_extract(summary, '$.failed') AS failed, json_extract(summary, '$.axes') AS axes FROM runs WHERE id = ?",
  );
  const jobVersion = meta.db.prepare<[number], { version: string | null }>("SELECT json_extract(meta, '$.version') AS version FROM results WHERE run_id = ? LIMIT 1");
  return meta.runs(pipelinePath).map((r: RunRow) => {
    const by = new Map(counts.all(r.id).map((c) => [c.status, c.n]));
    const named = meta.runRows.named(r.id);
    if (named > 0) by.set('cached', (by.get('cached') ?? 0) + named);
    const executed = by.get('ok') ?? 0;
    const cached = by.get('cached') ?? 0;
    const summary = unrecorded.get(r.id);
    // The summary's failures are the failed rows and those that left none.
    const failed = Math.max(by.get('failed') ?? 0, summary?.failed ?? 0);
    const total = [...by.values()].reduce((a, b) => a + b, 0);
    return {
      run: r.id,
      status: r.status,
      started: new Date(r.started).toISOString(),
      ended: r.ended === null ? null : new Date(r.ended).toISOString(),
      executed, cached, failed, other: total - executed - cached - (by.get('failed') ?? 0) + (summary?.skipped ?? 0),
      version: r.version ?? jobVersion.get(r.id)?.version ?? null,
      host: r.host,
      ...(summary?.axes != null ? { axes: JSON.parse(summary.axes) as Record<string, string[]> } : {}),
    };
  });
}

/**
 * The values of each axis run `id` kept, when it ran a subset of the sweep
 * (`-e AXIS=V`), with those of the instances it needed all the same
 * (`summary.needed`: `sum[K=y]`); undefined when that left none of `all`'s
 * values out (a fan-in brought every other instance along).
 */
export function runSubset(meta: Metadata, id: number, all?: ReadonlyMap<string, { readonly values: readonly { readonly value: string }[] }>): Record<string, string[]> | undefined {
  const row = meta.db.prepare<[number], { axes: string | null; needed: string | null }>(
    "SELECT json_extract(summary, '$.axes') AS axes, json_extract(summary, '$.needed') AS needed FROM runs WHERE id = ?").get(id);
  if (row?.axes == null) return undefined;
  const kept = JSON.parse(row.axes) as Record<string, string[]>;
  for (const { instance } of row.needed == null ? [] : JSON.parse(row.needed) as { instance: string }[]) {
    for (const pair of /\[([^\]]*)\]$/.exec(instance)?.[1]?.split(',') ?? []) {
      const [name, value] = pair.split('=') as [string, string | undefined];
      if (value !== undefined && kept[name] !== undefined && !kept[name]!.includes(value)) kept[name]!.push(value);
    }
  }
  const whole = all !== undefined && Object.entries(kept).every(([name, values]) => all.get(name)?.values.every((v) => values.includes(v.value)) === true);
  return whole ? undefined : kept;
}

/** A failure as a run's summary keeps it (`message` since the fifty-ninth stop; `log` null for a step's as a whole). */
export interface SummaryFailure {
  readonly job: string;
  readonly where: string;
  readonly reason: string;
  readonly log?: string | null;
  readonly message?: string;
}

/** What failed in run `id` as its summary recorded it (a job, or a step as a whole: a publish refused): job, place and reason. */
export function summaryFailures(meta: Metadata, id: number): readonly SummaryFailure[] {
  const row = meta.db.prepare<[number], { failures: string | null }>("SELECT json_extract(summary, '$.failures') AS failures FROM runs WHERE id = ?").get(id);
  return row?.failures == null ? [] : JSON.parse(row.failures) as SummaryFailure[];
}

/** What `--run N` naming none of the document's runs (`runs`, newest first) is told. */
export function notARun(n: number, runs: readonly RunRow[]): string {
  return `run ${n} is not a run of this pipeline (its runs: ${runs.map((r) => r.id).reverse().join(', ') || 'none'})`;
}

/**
 * What to say when the store has no run of `pipelinePath` (`name` as the
 * user gave it): never run, unless the store has runs of other documents —
 * this one moved without its store, say —, which are named.
 */
export function noRunsMessage(meta: Metadata, pipelinePath: string, name: string): string {
  const others = meta.runTable.documents().filter((d) => d !== pipelinePath);
  if (others.length === 0) return `${name} has not been run yet`;
  const shown = others.length > 3 ? `${others.slice(0, 3).join(', ')} and ${others.length - 3} more` : others.join(', ');
  return `${name} has no run recorded in this store, which has runs of ${shown} (a document's runs are found by its path, or by its path from the directory holding the store when both moved together)`;
}

export function renderRuns(runs: readonly RunEntry[]): string {
  const rows = runs.map((r) => [
    String(r.run), r.status, r.started, r.ended ?? '—',
    `${r.executed} run, ${r.cached} cached, ${r.failed} failed${r.other > 0 ? `, ${r.other} not run` : ''}`,
    r.version === null ? '' : `shark ${r.version}`,
    r.axes === undefined ? '' : Object.entries(r.axes).map(([name, values]) => `-e ${name}=${values.join(',')}`).join(' '),
  ]);
  // The column of `-e` subsets only when a run was one.
  const subsets = runs.some((r) => r.axes !== undefined);
  if (!subsets) for (const row of rows) row.pop();
  const header = ['run', 'status', 'started', 'ended', 'jobs', 'version', ...(subsets ? ['subset'] : [])];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** A subset's values as the `-e` options that ask for it. */
export function subsetArgs(subset: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(subset).map(([name, values]) => `-e ${name}=${values.join(',')}`).join(' ');
}
