import type { RunBuild } from '../exec/events.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Metadata, RunRow } from '../store/metadata.js';
import { summaryFailures } from '../lineage/runs.js';

/**
 * The environments run `runId` built, as its summary recorded them, logs
 * where the store is now: a build is no job and has no row among them.
 * None while the run goes on, or for one that died (its summary is written
 * as it ends).
 */
export function runBuilds(meta: Metadata, runId: number): RunBuild[] {
  const json = meta.db.prepare<[number], { builds: string | null }>("SELECT json_extract(summary, '$.builds') AS builds FROM runs WHERE id = ?").get(runId)?.builds ?? null;
  if (json === null) return [];
  return (JSON.parse(json) as RunBuild[]).map((b) => (b.log === null ? b : { ...b, log: meta.runTable.logAt(b.log) }));
}

/**
 * For `logs`, the latest run is the newest that recorded a job, built an
 * environment or failed: a run stopped by a failed build has that build's
 * log to show, one whose import's ref was unknown the message it printed.
 */
export function latestRunWithLogs(meta: Metadata, runs: readonly RunRow[]): RunRow | undefined {
  return runs.find((r) => meta.runRows.any(r.id) || runBuilds(meta, r.id).length > 0 || summaryFailures(meta, r.id).length > 0) ?? runs[0];
}

/**
 * The builds of the run that `target` names as a `shark-build` block of the
 * document now: its environment's, whatever the block was called then.
 * Undefined when it names no build block.
 */
export function buildsOfBlock(pipeline: Pipeline, builds: readonly RunBuild[], target: string): { env: string; found: RunBuild[] } | undefined {
  const env = [...pipeline.environments.values()].find((e) => e.blockId === target);
  return env === undefined ? undefined : { env: env.name, found: builds.filter((b) => b.env === env.name) };
}

/**
 * Whether run `runId` built environment `env` as the image the lock names now
 * (`image`, `docker:…`), the one a later run reused: its build log is that
 * image's. A run recorded before builds kept their image counts for any
 * image, as does every build when the lock names none.
 */
export function builtImage(meta: Metadata, runId: number, env: string, image: string | undefined): boolean {
  return runBuilds(meta, runId).some((b) => b.env === env && b.status === 'ok' && (b.image === undefined || image === undefined || b.image === image));
}

/** Why a build block of the document has no build in a run: the image was found, nothing needed it, or the run stopped first. */
export function whyNotBuilt(run: RunRow): string {
  if (run.status === 'running') return `run ${run.id} has not ended: its builds are listed once it does`;
  const stopped = run.status === 'failed' ? `, or run ${run.id} failed before building it` : run.status === 'interrupted' ? `, or run ${run.id} was interrupted before building it` : '';
  return `run ${run.id} did not build it (its image was built before, or no step of the run needed it${stopped})`;
}
