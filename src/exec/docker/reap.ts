import { hostname } from 'node:os';
import { pidAlive } from '../../store/liveness.js';
import { connectDocker, type DockerClient } from './client.js';
import { HOST_LABEL, JOB_LABEL, PID_LABEL } from './docker-executor.js';

/**
 * Ends the job containers a run left behind when it died without cleaning up
 * (SIGKILL, a crash, a lost machine). Called by the watchdog when a run dies
 * and by gc or the next run for older leftovers. Never throws: it runs when
 * something has already gone wrong, and an unreachable engine has nothing to
 * reap that we could reach anyway.
 */

/** Kills and removes every job container of the run `ownerPid` on this host; how many it removed. */
export async function reapJobContainers(ownerPid: number, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return reap(env, [`${PID_LABEL}=${ownerPid}`], () => true);
}

/** Kills and removes every job container whose run (a pid on this host) is no longer alive; how many it removed (a dry run only counts them). */
export async function reapDeadOwners(env: NodeJS.ProcessEnv = process.env, dryRun = false): Promise<number> {
  return reap(env, [], (labels) => {
    const pid = Number(labels[PID_LABEL]);
    // A pid we cannot read is no evidence of death: leave the container to `docker rm`.
    return Number.isSafeInteger(pid) && pid > 0 && !pidAlive(pid);
  }, dryRun);
}

async function reap(env: NodeJS.ProcessEnv, labels: readonly string[], dead: (labels: Readonly<Record<string, string>>) => boolean, dryRun = false): Promise<number> {
  try {
    const connection = await connectDocker(env);
    if (!connection.ok) return 0;
    return await removeAll(connection.client, labels, dead, dryRun);
  } catch {
    return 0;
  }
}

async function removeAll(client: DockerClient, labels: readonly string[], dead: (labels: Readonly<Record<string, string>>) => boolean, dryRun: boolean): Promise<number> {
  const here = hostname();
  const candidates = (await client.labelledContainers([JOB_LABEL, ...labels])).filter(
    // A pid names a process only on its own host; an engine may serve several
    // (DOCKER_HOST over TCP, CI containers sharing a socket). Containers from
    // before the host label existed are taken as this host's.
    (c) => (c.labels[HOST_LABEL] ?? here) === here && dead(c.labels),
  );
  if (dryRun) return candidates.length;
  const removed = await Promise.all(candidates.map((c) => client.removeContainer(c.id).catch(() => false)));
  return removed.filter((r) => r).length;
}
