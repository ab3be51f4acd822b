import { hostname } from 'node:os';
import type { Metadata } from './metadata.js';
import { holderAlive } from './liveness.js';
import { otherLiveHolder, type LeaseRow } from './leases.js';

/*
 * The jobs' leases (`jobLease`) as other commands read them: which jobs a
 * run has under way (`shark serve`, `logs`), which another live run holds
 * (`plan`; Slurm jobs left by a run that is gone, which a new run adopts).
 */

/**
 * The jobs of a run whose commands run: it holds their leases, has started
 * them (`Leases.running`) and not yet recorded them. A job whose lease it
 * took ahead, whose inputs are being placed, or which waits for a free slot
 * or for another run's lease, is not among them.
 */
export function leasedJobs(meta: Metadata, runId: number): LeasedJob[] {
  return meta.db.prepare<[number], { job: string; name: string }>('SELECT job, name FROM leases WHERE run_id = ? AND job IS NOT NULL ORDER BY job').all(runId)
    .map((r) => ({ job: r.job, key: r.name.startsWith(JOB_LEASE) ? r.name.slice(JOB_LEASE.length) : r.name }));
}

/**
 * The jobs' cache keys whose leases another live process holds now, with
 * its run: what a run started now would wait for and reuse (one statement
 * over the leases, few at any time, not a lookup per job).
 */
export function heldJobLeases(meta: Metadata): Map<string, { readonly run: number | null; readonly pid: number; readonly host: string }> {
  const rows = meta.db.prepare<[string], LeaseRow & { name: string; run_id: number | null }>('SELECT name, pid, pid_start, host, beat, run_id FROM leases WHERE name LIKE ?').all(`${JOB_LEASE}%`);
  const held = new Map<string, { run: number | null; pid: number; host: string }>();
  const host = hostname();
  for (const r of rows) {
    const holder = otherLiveHolder(r, host);
    if (holder !== undefined) held.set(r.name.slice(JOB_LEASE.length), { run: r.run_id, ...holder });
  }
  return held;
}

/** The job keys of `keys` whose lease a live process holds: a run still at work, whose jobs nobody else adopts. */
export function keysHeldAlive(meta: Metadata, keys: Iterable<string>): Set<string> {
  const holder = meta.db.prepare<[string], LeaseRow>('SELECT pid, pid_start, host, beat FROM leases WHERE name = ?');
  const out = new Set<string>();
  for (const key of keys) {
    const row = holder.get(jobLease(key));
    if (row !== undefined && holderAlive(row)) out.add(key);
  }
  return out;
}

/** A job whose command a run started, with the cache key it runs under: a run of other options (`-e`, `-i`) runs the same job under another. */
export interface LeasedJob {
  readonly job: string;
  readonly key: string;
}

const JOB_LEASE = 'job:';

/** The lease that guards running the job whose cache key is `key`. */
export const jobLease = (key: string): string => `${JOB_LEASE}${key}`;
