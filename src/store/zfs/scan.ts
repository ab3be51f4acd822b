import { createHash } from 'node:crypto';
import {
  chmodSync, closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync,
  type Stats, symlinkSync, unlinkSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { entryOn, type LinkFollower, treeId } from '../content-id.js';
import { DIR_MODE, executable, storedMode } from '../file-modes.js';
import { Pace } from '../../abortable.js';
import { hashFileSync } from '../hash.js';
import { objectId } from '../object-file.js';
import type { Metadata } from '../metadata.js';
import { refuseSpecial } from '../special-file.js';

/**
 * Reading data into the ZFS store: every file, link and directory gets the
 * content id of the content-addressed store (`sha256:`, `sha256x:`, `link:`,
 * `tree:`; content-id.ts), which is the id the store hands out.
 */

/** A file, symbolic link or directory as scanned, with its content id. */
export type Node =
  | { readonly kind: 'file'; readonly content: string }
  | { readonly kind: 'link'; readonly content: string }
  | { readonly kind: 'dir'; readonly content: string; readonly children: readonly { name: string; node: Node }[] };

export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function dirNode(children: { name: string; node: Node }[]): Node {
  children.sort(byName);
  return { kind: 'dir', content: treeId(children.map((c) => ({ name: c.name, id: c.node.content }))), children };
}

/**
 * Hashes what is at `path` without following symbolic links (but those
 * `links` follows below it: a bound input's). `hashFile`
 * decides how a file is read (plain for a workspace, stat-cached for a host
 * file, counted for fsck). `settle` (a commit) gives each file and directory
 * on the way the mode the directory store gives the same data (file-modes.ts):
 * one id, the same files, whichever store holds them.
 */
export async function scan(path: string, hashFile: (path: string) => string = hashFileSync, settle = false, links?: LinkFollower, pace = paced(undefined)): Promise<Node> {
  await pace.step();
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return { kind: 'link', content: `link:${readlinkSync(path)}` };
  if (st.isDirectory()) {
    if (settle) settleMode(path, st, DIR_MODE);
    const children: { name: string; node: Node }[] = [];
    for (const name of readdirSync(path)) {
      const on = entryOn(join(path, name), links);
      children.push({ name, node: await scan(on.path, hashFile, settle, on.links, pace) });
    }
    return dirNode(children);
  }
  refuseSpecial(path, st);
  const exec = executable(st.mode);
  if (settle) settleMode(path, st, storedMode(exec));
  return { kind: 'file', content: objectId(hashFile(path), exec) };
}

/** Entries read between two turns of the event loop, where a long scan or copy hears Ctrl-C (`Pace`). */
const HEAR_EVERY = 256;

/** A scan's or copy's pace, stopped by `signal` between entries. */
export const paced = (signal: AbortSignal | undefined): Pace => new Pace(signal, HEAR_EVERY);

/** `scan` of a job's output as it is committed: each mode is settled on the way. */
export function scanOutput(path: string, signal?: AbortSignal): Promise<Node> {
  return scan(path, hashFileSync, true, undefined, paced(signal));
}

/**
 * Gives the file or directory `st` describes mode `mode`, by a descriptor
 * opened without following a link: a straggling process of the job that
 * swapped it for a link since (`ln -s /etc/shadow`) must not have Shark
 * change a host file's mode. Whatever took its place fails the commit.
 */
function settleMode(path: string, st: Stats, mode: number): void {
  if ((st.mode & 0o7777) === mode) return;
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const now = fstatSync(fd);
    if (now.ino !== st.ino || now.dev !== st.dev) throw new Error(`${path} was replaced while it was being stored`);
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

/**
 * Like `scan`, for a host path through the stat cache: the content ids the
 * planner predicts for frontmatter inputs (`contentId`), which is what
 * `ingest` must return.
 */
export function scanHost(path: string, meta: Metadata, links?: LinkFollower, signal?: AbortSignal): Promise<Node> {
  return scan(path, (p) => meta.hashFile(p), false, links, paced(signal));
}

/**
 * Rewrites the symbolic links under `path` that point into the job's own
 * `/data` by a workspace path (`ROOT/data/...`, ROOT as given or resolved)
 * to the in-job path `/data/...`: a link's value must not name a workspace
 * that is gone after the job, and must be the same in every job.
 */
export function relinkIntoData(path: string, roots: readonly string[]): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) {
    const target = readlinkSync(path);
    for (const root of roots) {
      const data = `${root}/data`;
      if (target !== data && !target.startsWith(`${data}/`)) continue;
      unlinkSync(path);
      symlinkSync(`/data${target.slice(data.length)}`, path);
      return;
    }
  } else if (st.isDirectory()) {
    for (const name of readdirSync(path)) relinkIntoData(join(path, name), roots);
  }
}

const CHUNK = 4 * 1024 * 1024;

/** Copies a file and returns the SHA-256 of the bytes written: one read for both. */
export function copyHashing(from: string, to: string, mode: number): string {
  const buffer = Buffer.allocUnsafe(CHUNK);
  const hash = createHash('sha256');
  const src = openSync(from, 'r');
  try {
    const dst = openSync(to, 'wx', mode);
    try {
      for (;;) {
        const n = readSync(src, buffer, 0, CHUNK, null);
        if (n === 0) break;
        const chunk = n === CHUNK ? buffer : buffer.subarray(0, n);
        hash.update(chunk);
        for (let off = 0; off < n; ) off += writeSync(dst, chunk, off, n - off);
      }
    } finally {
      closeSync(dst);
    }
  } finally {
    closeSync(src);
  }
  return hash.digest('hex');
}

/** Copies host data (symbolic links as links, like `contentId`, but those `links` follows) and hashes it in the same pass; stopped by `pace`'s signal between entries. */
export async function copyIn(from: string, to: string, links?: LinkFollower, pace = paced(undefined)): Promise<Node> {
  await pace.step();
  const st = lstatSync(from);
  if (st.isSymbolicLink()) {
    const target = readlinkSync(from);
    symlinkSync(target, to);
    return { kind: 'link', content: `link:${target}` };
  }
  if (st.isDirectory()) {
    mkdirSync(to);
    chmodSync(to, DIR_MODE);
    const children: { name: string; node: Node }[] = [];
    for (const name of readdirSync(from)) {
      const on = entryOn(join(from, name), links);
      children.push({ name, node: await copyIn(on.path, join(to, name), on.links, pace) });
    }
    return dirNode(children);
  }
  refuseSpecial(from, st);
  const exec = executable(st.mode);
  const hex = copyHashing(from, to, storedMode(exec));
  chmodSync(to, storedMode(exec)); // the umask may have cleared bits
  return { kind: 'file', content: objectId(hex, exec) };
}
