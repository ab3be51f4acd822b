import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** How often a live holder (a run, a lease) refreshes its heartbeat, and how stale one may get before it counts as dead. */
export const BEAT_MS = 5_000;
export const STALE_MS = 60_000;

/**
 * Whether the process that holds a run or a lease still lives. On this host
 * the process table says so at once; a holder on another host (a shared
 * store on a cluster) is trusted while its heartbeat is fresh.
 */
export function holderAlive(pid: number | null, host: string | null, beat: number | null, now = Date.now()): boolean {
  if (pid === null || pid <= 0) return false;
  if (host === null || host === hostname()) return pidAlive(pid);
  return beat !== null && now - beat < STALE_MS;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process its parent has not reaped yet still answers signals.
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
