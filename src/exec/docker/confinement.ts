import { lstatSync, realpathSync } from 'node:fs';

/**
 * What a job container may see of the host and do to it. The reasons for
 * each choice are in docs/environments.md ("Security").
 */

export interface Mount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/**
 * The only capabilities a job keeps (Docker's default set is larger). Root in
 * the container needs these for ordinary work on its own files and processes,
 * and the owner fix (`chown` on exit) needs CHOWN and FOWNER.
 */
export const JOB_CAPABILITIES: readonly string[] = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETUID', 'SETGID', 'KILL'];

/** At most this many processes and threads at once in one job: enough for parallel tools, not for a fork bomb. */
export const JOB_PIDS_LIMIT = 4096;

/**
 * The bind mounts of a job: its workspace's /data read-write, and each input
 * read-only at its /data path. Docker follows symbolic links in a mount's
 * source, so a link a step made (`ln -s /var/run/docker.sock /data/x`) would
 * bring its *host* target into the next job. So an input is bound only when it
 * is a plain file or directory reached without any link, inside the
 * workspace; one that is a link, or lies under one, is not bound at all: the
 * /data mount already holds the link itself, which then resolves inside the
 * container's own file system (to another input when it points into /data).
 */
export function jobMounts(workspaceRoot: string, inputs: readonly string[]): Mount[] {
  // The workspace is Shark's own, but may be reached through a link of the
  // host's (a temporary directory under /var on macOS): bind its real path.
  const root = realpathSync(workspaceRoot);
  const data = `${root}/data`;
  if (lstatSync(data).isSymbolicLink()) throw new Error(`${workspaceRoot}/data is a symbolic link: refusing to mount it`);
  const mounts: Mount[] = [{ source: data, target: '/data', readOnly: false }];
  const seen = new Set<string>();
  for (const path of inputs) {
    if (seen.has(path)) continue;
    seen.add(path);
    const source = plainSource(data, path);
    if (source !== undefined) mounts.push({ source, target: path, readOnly: true });
  }
  return mounts;
}

/** `data + path` when every component below /data is a real directory and the last a file or directory; else undefined. */
function plainSource(data: string, path: string): string | undefined {
  if (!path.startsWith('/data/')) return undefined;
  const names = path.slice('/data/'.length).split('/');
  let at = data;
  for (const [i, name] of names.entries()) {
    if (name === '' || name === '.' || name === '..') return undefined;
    at = `${at}/${name}`;
    let st;
    try {
      st = lstatSync(at);
    } catch {
      // Not materialised: nothing to bind, and the job finds nothing there.
      return undefined;
    }
    const last = i === names.length - 1;
    if (!(st.isDirectory() || (last && st.isFile()))) return undefined;
  }
  // Every component was checked with lstat; the real path agreeing is the proof.
  return realpathSync(at) === at ? at : undefined;
}
