import { readableToOwner } from '../store/owner-access.js';
import { existsSync, mkdirSync, readSync, openSync, closeSync, fstatSync } from 'node:fs';
import { makeOutputDirs } from '../exec/run/output-dirs.js';
import type { ExecOutcome, RunSession } from '../exec/executor.js';
import type { RunStep } from '../pipeline/pipeline.js';
import { renderScript } from '../plan/render-command.js';
import { diskFull } from '../store/full-disk.js';
import type { SnapshotId, Workspace } from '../store/snapshot-store.js';
import { SpecialFileError } from '../store/special-file.js';
import { ADVICE, NotTextError } from '../store/storable.js';
import { unreadableAt } from '../store/unreadable.js';
import { diffTrees, scanTree, type Change, type Scan } from './tree.js';

/** A command run in a working view of /data: what it did, and the view (to commit from, then dispose). */
export interface Ran {
  readonly outcome: ExecOutcome;
  readonly ws: Workspace;
  readonly after: Scan | undefined;
  readonly changes: readonly Change[];
}

/**
 * A job's workspace holding a writable copy of all of /data as it stands
 * (unlike a job, which sees only its inputs, a command typed at the prompt may
 * look at anything): written out of the store, so a command that changes a
 * file in place changes the copy, never stored data.
 */
export async function openView(session: RunSession, root: SnapshotId | undefined, label: string): Promise<Workspace> {
  const ws = await session.store.createWorkspace(label);
  mkdirSync(ws.root + '/data', { recursive: true });
  for (const e of root === undefined ? [] : session.store.entries(root) ?? []) {
    await session.store.exportTo(e.id, `${ws.root}/data/${e.name}`);
  }
  return ws;
}

/** After the command: the view's tree hash, compared with /data before. */
export function compare(session: RunSession, ws: Workspace, root: SnapshotId | undefined): { after: Scan | undefined; changes: Change[] } {
  const dir = ws.root + '/data';
  // As a job's outputs are, before they are read (a file left at mode 000 is kept, as under root): readable to their owner.
  if (existsSync(dir)) readableToOwner(ws.root, '/data');
  const scanned = existsSync(dir) ? scanTree(dir, (p, st) => session.meta.hashFile(p, st)) : undefined;
  // An empty /data is no /data: the session starts without one.
  const after = scanned?.children?.size === 0 ? undefined : scanned;
  return { after, changes: diffTrees(root, after, (id) => session.store.entries(id)) };
}

/**
 * Why what a command left in the view cannot be kept, as `shark run` refuses
 * a job's outputs, named as a /data path: a FIFO, a socket or a device, a name
 * or a link target that is not UTF-8, what cannot be read (permission denied,
 * a path too long), or a store with no room. Undefined for any other error,
 * which stays the bug it is.
 */
export function unkeepable(e: unknown, ws: Workspace): string | undefined {
  const dir = ws.root + '/data';
  const shown = (path: string): string => elided(`/data${path.slice(dir.length)}`);
  if (e instanceof SpecialFileError) return `${shown(e.path)} is ${e.kind}: ${ADVICE.special}`;
  if (e instanceof NotTextError) return `${shown(e.path)} ${e.why}: ${ADVICE.text}`;
  const unreadable = unreadableAt(e, dir);
  if (unreadable !== undefined) return `${shown(unreadable.path)}: ${unreadable.why}`;
  return diskFull(e) ? `the store has no room for its writes (${(e as Error).message})` : undefined;
}

/** A path to show on one line: one too long for the file system (thousands of characters) loses its middle. */
const elided = (path: string): string => (path.length <= 160 ? path : `${path.slice(0, 100)}…${path.slice(-50)}`);

export interface Live {
  readonly signal: AbortSignal;
  /** Called with output as it is written to the job's log. */
  readonly show: (text: string) => void;
}

/** Runs one command of a parsed step in its environment's executor, as a job runs, showing its log as it grows. */
export async function runIn(session: RunSession, step: RunStep, ws: Workspace, logPath: string, live: Live): Promise<ExecOutcome> {
  const tail = follow(logPath, live.show);
  try {
    return await session.envs.executor(step.env ?? '').run({
      label: `shell-${step.id}`,
      script: (dataRoot) => renderScript(step, new Map(), undefined, dataRoot),
      workspace: ws,
      inputs: [],
      // The whole view is the job's: a container running as another user may write anywhere in it, the directories
      // made for what the line writes (`outputDirs`) among them, as `run` opens them for a job.
      outputs: [{ path: '/data' }, ...step.outputs.map((o) => ({ path: o.path }))],
      cwd: step.cwd,
      pipelineDir: session.pipelineDir,
      containerWorkdir: session.pipeline.workdir,
      workdirFromImage: session.pipeline.document.frontmatter?.path === undefined,
      env: { ...Object.fromEntries(session.variables), ...Object.fromEntries(session.secrets ?? []), SHARK_THREADS: '1' },
      secrets: [...(session.secrets?.values() ?? [])],
      network: step.network,
      timeout: step.timeout,
      logPath,
      signal: live.signal,
    });
  } finally {
    tail.stop();
  }
}

/** Shows what is appended to `path` until stopped (the executors write a job's output there). */
function follow(path: string, show: (text: string) => void): { stop: () => void } {
  let offset = 0;
  const drain = (): void => {
    if (!existsSync(path)) return;
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      while (offset < size) {
        const buf = Buffer.alloc(Math.min(1 << 16, size - offset));
        const n = readSync(fd, buf, 0, buf.length, offset);
        if (n === 0) break;
        offset += n;
        show(buf.subarray(0, n).toString('utf8'));
      }
    } finally {
      closeSync(fd);
    }
  };
  const timer = setInterval(drain, 100);
  return { stop: () => (clearInterval(timer), drain()) };
}

/**
 * Makes the directories of the paths the command writes (`> /data/sub/b.txt`),
 * as `shark run` makes them for a job; why not, as a /data path, when
 * something other than a directory is in the way.
 */
export function outputDirs(step: RunStep, ws: Workspace): string | undefined {
  try {
    for (const o of step.outputs) makeOutputDirs(ws.root, o.path, o, false);
    return undefined;
  } catch (e) {
    return (e as Error).message.split(ws.root).join('');
  }
}
