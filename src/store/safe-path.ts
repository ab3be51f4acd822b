import { lstatSync, mkdirSync, type Stats } from 'node:fs';
import { posix } from 'node:path';

/**
 * Links are data, never doors. Before Shark writes or mounts anything at
 * `root + rel`, every directory on the way must be a real directory inside
 * `root`: a symbolic link a job (or a downloaded archive) left there must not
 * lead Shark's own writes to a host path. Creates the missing directories.
 * `known` holds directories seen to be real since nothing else could write
 * there: they are not looked at again, and those made or checked are added.
 */
export function safeDirs(root: string, rel: string, refuse: (at: string, why: string) => never = refuseWithError, known?: Set<string>): void {
  // Known itself, it was known with every directory above it: the next item of a map goes where the last went.
  if (known !== undefined && known.has(root + rel)) return;
  let at = root;
  for (const part of rel.split('/').filter((p) => p !== '')) {
    at = `${at}/${part}`;
    // Seen to be a real directory since anything else could write here (a workspace kept for the next job).
    if (known !== undefined) {
      if (known.has(at)) continue;
      known.add(at);
    }
    let st;
    try {
      st = lstatSync(at);
    } catch {
      mkdirSync(at);
      continue;
    }
    if (!st.isDirectory()) refuse(at, `${blocker(st)} is in the way`);
  }
}

/**
 * What stands where a directory should, on the way from `root` to `root +
 * dir`: "a symbolic link is in the way at /data/out" (named below `root`),
 * or undefined when each directory there is real or missing. Checked before
 * Shark takes, renames or removes anything below `dir` after a job: a link
 * the job left in place of a directory would lead it to the host's files.
 */
export function inTheWay(root: string, dir: string): string | undefined {
  let at = '';
  for (const part of dir.split('/').filter((p) => p !== '')) {
    at = `${at}/${part}`;
    const st = lstatSync(root + at, { throwIfNoEntry: false });
    if (st === undefined) return undefined;
    if (!st.isDirectory()) return `${blocker(st)} is in the way at ${at}`;
  }
  return undefined;
}

const blocker = (st: Stats): string => (st.isSymbolicLink() ? 'a symbolic link' : 'a file');

function refuseWithError(at: string, why: string): never {
  throw new Error(`cannot create ${at}: ${why} (nothing is placed through a link)`);
}

/**
 * A link's target as the store keeps it. A job that links to another of its
 * /data paths sees them under its workspace (host jobs) or under /data
 * (containers); both are stored as `/data/...`, so the link means the same
 * wherever it is placed again. Anything else is kept verbatim.
 */
export function storedLinkTarget(target: string, workspaceData: string): string {
  if (target === workspaceData || target.startsWith(`${workspaceData}/`)) return `/data${target.slice(workspaceData.length)}`;
  return target;
}

/** Whether a stored link's target is a /data path: one `placedLinkTarget` makes relative. */
export function namesData(target: string): boolean {
  return target === '/data' || target.startsWith('/data/');
}

/**
 * How a stored link is placed at `/data` path `at`: a link into /data becomes
 * relative, so it resolves to the job's own copy on the host and in a
 * container alike, and never to the host's `/data`.
 */
export function placedLinkTarget(target: string, at: string): string {
  if (!namesData(target)) return target;
  const rel = posix.relative(posix.dirname(at), target);
  return rel === '' ? '.' : rel;
}

/** The /data path a stored link leads to, or undefined: `/data/../etc` leads out of it. */
export function dataTarget(target: string): string | undefined {
  if (!target.startsWith('/data')) return undefined;
  const normal = posix.normalize(target).replace(/(.)\/$/, '$1');
  return normal === '/data' || normal.startsWith('/data/') ? normal : undefined;
}

/**
 * How a stored link is written at `/data` path `at` of a copy out of the
 * store (a publish, a crate): as a job gets it, a link into /data relative,
 * so that it leads to the copy's own data and never to the host's `/data`;
 * any other link as the job made it. A link that only looks like one into
 * /data (`/data/../etc`) is kept as it is, never made to climb out of the copy.
 */
export function exportedLinkTarget(target: string, at: string): string {
  const data = dataTarget(target);
  return data === undefined ? target : placedLinkTarget(data, at);
}
