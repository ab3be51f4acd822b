import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readProblem } from '../read-problem.js';
import { deniedOnTheWay, isDirectory } from '../writable-path.js';
import { CasStore } from './cas-store.js';
import { damagedDatabase, damagedMessage } from './damaged-database.js';
import { noRoom } from './make-room.js';
import { Metadata } from './metadata.js';
import { zfsStoreMade } from './zfs/layout.js';
import { failureMessage, openZfsStore } from './zfs-store.js';
import type { SnapshotStore } from './snapshot-store.js';

export interface OpenedStore {
  readonly store: SnapshotStore;
  readonly meta: Metadata;
}

/**
 * A store that did not open; `full` when its disk has no room left (the store refused a write: exit 1, not 2);
 * `damaged` when its database is (what `fsck` is asked to find: exit 1 there, 2 from every other command).
 */
export type StoreOpenResult = { ok: true; value: OpenedStore } | { ok: false; message: string; full?: boolean; damaged?: boolean };

/**
 * `--store` values: a directory (the content-addressed store; default
 * `.shark/` beside the pipeline) or `zfs:POOL/DATASET`.
 */
export function openStore(spec: string | undefined, pipelineDir: string): StoreOpenResult {
  if (spec !== undefined && spec.startsWith('zfs:')) {
    const opened = openZfsStore(spec);
    return opened.ok ? opened : { ok: false, message: `cannot open the store ${spec}: ${failureMessage(opened.error)}` };
  }
  const dir = spec ?? join(pipelineDir, '.shark');
  try {
    const meta = new Metadata(dir);
    return { ok: true, value: { store: new CasStore(dir, meta), meta } };
  } catch (e) {
    // SQLite says `disk I/O error` when it cannot make the file it shares between processes: say why.
    if (noRoom(dir)) return { ok: false, message: `cannot open the store at ${dir}: its disk is full (${(e as Error).message})`, full: true };
    return { ok: false, message: `cannot open the store at ${dir}: ${openProblem(dir, e)}`, ...(damagedDatabase(e) ? { damaged: true } : {}) };
  }
}

/**
 * Whether a store was ever made at `spec` (default `.shark/` beside the
 * pipeline): the commands that only read say there is none rather than
 * open it, which would make it.
 */
export function storeMade(spec: string | undefined, pipelineDir: string): boolean {
  if (spec?.startsWith('zfs:') === true) return zfsStoreMade(spec);
  return existsSync(join(spec ?? join(pipelineDir, '.shark'), 'shark.sqlite'));
}

/**
 * Why the store could not be made, in words, as `mkdir` says it: Node's
 * `EACCES: permission denied, mkdir '…'` named the call, and SQLite says only
 * `unable to open database file` where it may not make its file.
 */
function openProblem(dir: string, e: unknown): string {
  const { code, syscall, path } = e as NodeJS.ErrnoException;
  // Met opening it (a table every open reads damaged): said with the ways out, as where a command meets it later.
  if (damagedDatabase(e)) return damagedMessage((e as Error).message);
  // A file where the store keeps a folder (`tmp/`, `objects/`): said as `run` says it of one it writes in.
  if (syscall === 'mkdir' && code === 'EEXIST' && path !== undefined) return `${path} is not a directory (remove it, and Shark makes the folder again)`;
  if (syscall === 'mkdir' && path !== undefined) return `cannot make the directory ${path}: ${readProblem(e)}`;
  if (code === 'SQLITE_CANTOPEN' && (e as { tooLong?: boolean }).tooLong !== true) {
    if (!isDirectory(dir)) return 'it is not a directory';
    const denied = deniedOnTheWay(join(dir, 'shark.sqlite'));
    if (denied !== undefined) return denied;
  }
  return (e as Error).message;
}
