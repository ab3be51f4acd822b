import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freedBytes } from '../../store/disk-usage.js';
import { SlurmClient } from './client.js';
import { readManifest } from './manifest.js';

/** One submission's directory in `<store>/slurm/`, and the job Slurm gave it (none when sbatch printed no id). */
export interface Submission {
  readonly dir: string;
  readonly jobId: string | undefined;
}

/** What gc must know of the Slurm submissions in a store before it removes anything. */
export interface SlurmLeftovers {
  /** The workspaces (still there) of the submissions whose jobs Slurm still holds: their tasks use them, or a run will adopt them. */
  readonly busy: ReadonlySet<string>;
  /** The submissions of those jobs that have such workspaces. */
  readonly held: readonly Submission[];
  /** The submissions whose jobs Slurm has let go of (or that sbatch refused): nothing reads them again. None when Slurm was not asked. */
  readonly over: readonly Submission[];
  /** Why Slurm could not be asked: then every workspace a submission names counts as busy. */
  readonly unanswered: string | undefined;
}

/**
 * The workspaces that Slurm jobs of the submissions in `dir` (`<store>/slurm`)
 * may still use. A run killed outright leaves its jobs queued or running
 * on purpose (the next run adopts them), and their workspaces, named after
 * the dead run's pid, look abandoned: removing them would start those tasks
 * on no inputs. A job counts while the controller holds it, found by its id
 * (`by-job/`) or working directory (the submission's). Undefined when the
 * store never submitted anything: Slurm is not asked.
 */
export async function slurmLeftovers(dir: string, client = new SlurmClient()): Promise<SlurmLeftovers | undefined> {
  const all = submissions(dir);
  if (all.length === 0) return undefined;
  const listed = await client.held();
  const isHeld = listed.ok ? heldBy(listed.value) : () => true;
  const held = all.filter(isHeld);
  const busy = new Set<string>();
  const using: Submission[] = [];
  for (const s of held) {
    const named = workspacesOf(s.dir).filter((ws) => existsSync(ws));
    for (const ws of named) busy.add(ws);
    if (named.length > 0) using.push(s);
  }
  return {
    busy, held: listed.ok ? using : [], over: all.filter((s) => !isHeld(s)),
    unanswered: listed.ok ? undefined : listed.message,
  };
}

/**
 * Removes the directories of submissions that are over (`SlurmLeftovers.over`)
 * and their `by-job/` records, with the records naming a directory that is
 * gone; returns how many and the bytes that gives back (a dry run only counts).
 * Without it every submission's manifest, status files and Slurm logs stay
 * for ever: a 20,000-item map leaves 20,000 files a run.
 */
export function removeSubmissions(dir: string, over: readonly Submission[], dryRun: boolean): { count: number; bytes: number } {
  const bytes = freedBytes(over.map((s) => s.dir));
  if (!dryRun) {
    for (const s of over) rmSync(s.dir, { recursive: true, force: true });
    for (const id of entries(join(dir, 'by-job'))) {
      const record = join(dir, 'by-job', id);
      let named = '';
      try {
        named = readFileSync(record, 'utf8').trim();
      } catch {
        continue;
      }
      if (!existsSync(named)) rmSync(record, { force: true });
    }
  }
  return { count: over.length, bytes };
}

/** The submissions in `dir`, each with its job id from `by-job/<id>` (which names its directory). */
export function submissions(dir: string): Submission[] {
  const ids = new Map<string, string>();
  for (const id of entries(join(dir, 'by-job'))) {
    try {
      ids.set(resolve(readFileSync(join(dir, 'by-job', id), 'utf8').trim()), id);
    } catch {
      // Unreadable: the submission is known by its working directory alone.
    }
  }
  return entries(dir, true).filter((name) => name !== 'by-job').map((name) => {
    const at = resolve(dir, name);
    return { dir: at, jobId: ids.get(at) };
  });
}

function heldBy(jobs: readonly { readonly jobId: string; readonly workdir: string }[]): (s: Submission) => boolean {
  const ids = new Set(jobs.map((j) => j.jobId));
  const dirs = new Set(jobs.map((j) => resolve(j.workdir)));
  return (s) => dirs.has(s.dir) || (s.jobId !== undefined && ids.has(s.jobId));
}

/** The workspaces a submission's manifest names (none when it is unreadable: its tasks cannot run either). */
function workspacesOf(dir: string): string[] {
  try {
    return readManifest(join(dir, 'manifest.jsonl')).flatMap((task) => task.map((spec) => resolve(spec.workspace)));
  } catch {
    return [];
  }
}

function entries(dir: string, dirsOnly = false): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => !dirsOnly || e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}
