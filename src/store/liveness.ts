import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** How often a live holder (a run, a lease) refreshes its heartbeat, and how stale one may get before it counts as dead. */
export const BEAT_MS = 5_000;
export const STALE_MS = 60_000;

/** A run or a lease as its row records its holder. */
export interface HolderRow {
  readonly pid: number | null;
  readonly host: string | null;
  readonly beat: number | null;
  /** When the holder process started (`processStart`); null in rows written before it was recorded, or where /proc is not. */
  readonly pid_start?: string | null;
}

/**
 * Whether the process that holds a run or a lease still lives. On this host
 * the process table says so at once, and the process's start time that it
 * is the holder and not another process given the same pid since (a busy
 * machine hands a pid out again within minutes). A holder on another host
 * (a shared store on a cluster) is trusted while its heartbeat is fresh, and
 * so is one recorded without its start time (by an older Shark).
 */
export function holderAlive(h: HolderRow, now = Date.now()): boolean {
  if (h.pid === null || h.pid <= 0) return false;
  if (h.host !== null && h.host !== hostname()) return fresh(h.beat, now);
  const stat = procStat(h.pid);
  if (stat === 'gone') return false;
  // No /proc to read (another system, or hidden): the process table is all there is.
  if (stat === undefined) return true;
  if (stat.zombie) return false;
  if (h.pid_start !== null && h.pid_start !== undefined) return stat.start === h.pid_start;
  return h.beat === null || fresh(h.beat, now);
}

function fresh(beat: number | null, now: number): boolean {
  return beat !== null && now - beat < STALE_MS;
}

export function pidAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== 'gone' && stat?.zombie !== true;
}

let own: string | null | undefined;

/**
 * When this process started, recorded beside its pid in the rows it holds:
 * field 22 of /proc/PID/stat (clock ticks since boot), the same for the
 * process's whole life and different for the next process given its pid.
 * Null where there is no /proc.
 */
export function ownStart(): string | null {
  if (own === undefined) {
    const stat = procStat(process.pid);
    own = typeof stat === 'object' ? stat.start : null;
  }
  return own;
}

/**
 * Whether process `pid` started after `time` (ms since the epoch), so that it
 * cannot be what made, at `time`, something that names its pid: the pid was
 * given to it since. False when that is unknown (no such process, no /proc).
 * For what records a pid and no start time, nor a heartbeat, but when it was
 * made (a ZFS dataset of an older Shark). Both times are whole seconds
 * (`btime`, a dataset's `creation`), hence the 2 s of grace.
 */
export function startedAfter(pid: number, time: number): boolean {
  const stat = procStat(pid);
  if (typeof stat !== 'object') return false;
  let boot: number;
  try {
    boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? NaN) * 1000;
  } catch {
    return false;
  }
  // In clock ticks since boot; /proc counts those in USER_HZ, 100 a second on every architecture Linux runs Node on.
  const started = boot + (Number(stat.start) / 100) * 1000;
  return Number.isFinite(started) && Number.isFinite(time) && started > time + 2_000;
}

/**
 * A process as the kernel shows it: `gone` when no process has the pid,
 * undefined when it exists but /proc says nothing of it.
 */
function procStat(pid: number): { readonly zombie: boolean; readonly start: string } | 'gone' | undefined {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return 'gone';
  }
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces and parentheses: fields 3… follow the last `)`.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  // A killed process its parent has not reaped yet still answers signals.
  return start === undefined ? undefined : { zombie: fields[0] === 'Z', start };
}
