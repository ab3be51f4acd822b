import { join } from 'node:path';
import { reapDeadOwners } from '../exec/docker/reap.js';
import { removeSubmissions, slurmLeftovers, type SlurmLeftovers } from '../exec/slurm/leftovers.js';
import type { Leases } from '../store/leases.js';
import type { Collected } from '../store/snapshot-store.js';
import { displayName } from './load-or-report.js';
import type { Io } from './main.js';

/**
 * What the Slurm jobs of the store whose metadata is in `metaDir` still
 * use, and which submissions are over. A run killed outright leaves its
 * jobs queued or running for the next run to adopt: gc leaves their
 * workspaces, and says so. Undefined when the store never submitted
 * anything to Slurm, or `metaDir` is a ZFS store's name (a store too full
 * to open: it has no `tmp/` to make room in).
 */
export async function slurmOf(io: Io, metaDir: string): Promise<SlurmLeftovers | undefined> {
  if (metaDir.startsWith('zfs:')) return undefined;
  const found = await slurmLeftovers(join(metaDir, 'slurm'));
  if (found === undefined || found.busy.size === 0) return found;
  if (found.unanswered !== undefined) {
    io.stderr(`shark: warning: ${found.busy.size} workspace${found.busy.size === 1 ? '' : 's'} of Slurm jobs kept: cannot ask Slurm which jobs are still queued or running (${found.unanswered})\n`);
  } else {
    const jobs = found.held.map((s) => s.jobId ?? displayName(s.dir));
    const [they, them] = jobs.length === 1 ? ['it', 'it'] : ['they', 'them'];
    io.stdout(`keeping the workspaces of Slurm job${jobs.length === 1 ? '' : 's'} ${jobs.join(', ')}: Slurm still lists ${them} (queued, running, or ended within its MinJobAge); a run takes over what ${they} computed, and gc frees ${them} once Slurm has forgotten ${them}\n`);
  }
  return found;
}

/**
 * Removes (with `del`; otherwise counts) what killed runs left beside the
 * store's data — job containers, leases, working folders (`collected`, gone
 * already with the data) — and the folders of Slurm submissions that are
 * over, and says what: the dry run names what `--delete` removes.
 */
export async function leftovers(io: Io, del: boolean, leases: Leases, collected: Collected, slurm: { readonly dir: string; readonly found: SlurmLeftovers | undefined }): Promise<void> {
  const verb = del ? 'removed' : 'would remove';
  /** `removed 2 leases left by killed runs`: `noun` takes an s. */
  const say = (count: number, noun: string, tail: string, bytes?: number): void => {
    if (count > 0) io.stdout(`${verb} ${count} ${noun}${count === 1 ? '' : 's'} ${tail}${bytes === undefined ? '' : `, ${megabytes(bytes)}`}\n`);
  };
  // Job containers of runs killed before their watchdog could end them.
  say(await reapDeadOwners(process.env, !del), 'job container', 'left by killed runs');
  // Leases of killed runs: harmless (the next holder takes them over), but nothing else ever deletes them.
  // Not a killed gc's own: --delete takes that over and gives it back, so the dry run does not count it either.
  say(leases.dropDead(!del, ['gc']), 'lease', 'left by killed runs');
  if (collected.leftovers !== undefined) say(collected.leftovers.count, 'working folder', 'left by killed runs', collected.leftovers.bytes);
  // Opened to their owner first, what is left is another user's (a container's files no output handed back).
  for (const s of collected.leftovers?.stuck ?? []) {
    io.stderr(`shark: warning: cannot remove the working folder ${displayName(s.path)} left by a killed run: ${s.why} at ${displayName(s.at)}; it holds files of another user: remove it as that user or as root\n`);
  }
  for (const u of collected.unreadable ?? []) {
    const fix = /symbolic link/.test(u.why) ? `rm ${displayName(u.path)}` : `give the folder its mode back: chmod u+rwx ${displayName(u.path)}`;
    io.stderr(`shark: warning: cannot read ${displayName(u.path)}: ${u.why}; what it holds is neither counted nor freed (${fix})\n`);
  }
  if (slurm.found === undefined) return;
  const ended = removeSubmissions(slurm.dir, slurm.found.over, !del);
  say(ended.count, 'Slurm submission folder', 'of ended jobs', ended.bytes);
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
