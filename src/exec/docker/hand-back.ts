import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerSpec, DockerClient } from './client.js';
import type { OwnerFix } from './docker-executor.js';

/**
 * Whether a job's workspace holds a file or directory that is not `uid`'s:
 * what the job's own hand-back (`chown` after its command, as the image's
 * user) could not give back, because that user is not root or the job was
 * killed. Stops at the first; links are not followed.
 */
export function othersIn(root: string, uid: number): boolean {
  const walk = (dir: string): boolean => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return true; // A directory the user cannot even list is another's.
    }
    for (const name of names) {
      const path = join(dir, name);
      const st = lstatSync(path, { throwIfNoEntry: false });
      if (st === undefined) continue;
      if (st.uid !== uid) return true;
      if (st.isDirectory() && walk(path)) return true;
    }
    return false;
  };
  return walk(join(root, 'data'));
}

/**
 * Gives a job's files back to the calling user from a container of the job's
 * image run as root, with the job's mounts and no network: inputs, mounted
 * read-only, are left as they are.
 */
export async function handBack(client: DockerClient, job: ContainerSpec, fix: OwnerFix): Promise<void> {
  const { cpus: _cpus, memory: _memory, ...spec } = job;
  const container = await client.createContainer({
    ...spec, user: '0', network: false, workdir: '/', env: [],
    cmd: ['/bin/sh', '-c', `chown -R ${fix.uid}:${fix.gid} /data 2>/dev/null; true`],
  });
  try {
    await container.start();
    await container.wait();
  } finally {
    await container.remove().catch(() => undefined);
  }
}
