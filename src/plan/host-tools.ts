import { statSync, type BigIntStats } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import type { Position } from '../diagnostics.js';
import { sha256 } from '../store/hash.js';
import { deniedPath } from '../store/unreadable.js';
import { commandPrograms } from '../pipeline/command-words.js';
import type { Step } from '../pipeline/pipeline.js';
import { optionAt } from '../pipeline/resources.js';
import type { Session } from './session.js';
import { effectivePath, HOST_SHELL, programTools, type ToolProbe } from './tools.js';

/** Where each name resolved, per search path: programs are looked up once per process. */
const resolved = new Map<string, string>();
/** Content hashes by path, valid while the file's stat is the same. */
const hashed = new Map<string, { readonly sig: string; readonly hash: string }>();

function executable(path: string): BigIntStats | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return st.isFile() && (st.mode & 0o111n) !== 0n ? st : undefined;
  } catch {
    return undefined;
  }
}

/** What `readable` returns for a file this process may not read. */
const DENIED = Symbol('permission denied');

/** `read()`, or `DENIED` when the file may not be read (mode 000, or a program of mode 0711). */
function readable<T>(read: () => T): T | typeof DENIED {
  try {
    return read();
  } catch (e) {
    if (deniedPath(e) === undefined) throw e;
    return DENIED;
  }
}

/**
 * A program that can be run but not read (mode 0711): its size and
 * modification time stand for its content, so that installing another
 * version still changes the key of the steps that run it.
 */
const statId = (st: BigIntStats): string => `stat:${sha256(`${st.size}:${st.mtimeNs}`)}`;

/**
 * The file system as a ToolProbe, memoised for the process: a name's
 * resolution is remembered (and re-checked by the stat its hash needs), a
 * file's hash is reused while its stat is unchanged, and `hashFile` (the
 * store's stat cache) makes the next process's first look free too.
 */
export function fsProbe(hashFile: (path: string, st: BigIntStats) => string): ToolProbe {
  // The stat `which` just took of what it found: `hash`, asked next of the same path, uses it instead of taking another.
  let found: { readonly path: string; readonly st: BigIntStats } | undefined;
  const lookedUp = (path: string): string | undefined => {
    const st = executable(path);
    found = st === undefined ? undefined : { path, st };
    return st === undefined ? undefined : path;
  };
  return {
    which(name, dirs) {
      const memo = `${dirs.join(':')}\0${name}`;
      const known = resolved.get(memo);
      if (known !== undefined && lookedUp(known) !== undefined) return known;
      for (const dir of dirs) {
        const path = lookedUp(join(dir, name));
        if (path !== undefined) {
          resolved.set(memo, path);
          return path;
        }
      }
      return undefined;
    },
    hash(path) {
      const st = found?.path === path ? found.st : executable(path);
      found = undefined;
      if (st === undefined) return undefined;
      const sig = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
      const known = hashed.get(path);
      if (known?.sig === sig) return known.hash;
      const hex = readable(() => hashFile(path, st));
      const hash = hex === DENIED ? statId(st) : `sha256:${hex}`;
      hashed.set(path, { sig, hash });
      return hash;
    },
  };
}

/**
 * A host step's programs, resolved and hashed: the shell that runs it and
 * each command's first word, on the PATH it will run with. Once per step:
 * all its jobs share the result. Container steps have none (their image's
 * id covers their tools).
 */
export function stepTools(session: Session, step: Step): [string, string][] {
  if (step.kind !== 'run' || step.env !== undefined) return [];
  const dirs = effectivePath(session.hostPath ?? '', session.variables, step.exports);
  return programTools([HOST_SHELL, ...commandPrograms(step.command)], dirs, fsProbe((p, st) => session.meta.hashFile(p, st)));
}

/** The files a run block lists in `{deps=a,b}`, as written. */
export function depsOption(step: Step): string[] {
  if (step.kind !== 'run') return [];
  const value = step.block.options['deps'];
  if (typeof value !== 'string') return [];
  return value.split(',').map((d) => d.trim()).filter((d) => d !== '');
}

/**
 * `{deps=…}` files with their content hashes, sorted: paths relative to the
 * pipeline's directory. One that is not a file is an error at the option.
 */
export function stepDeps(session: Session, step: Step): { ok: true; deps: [string, string][] } | { ok: false; message: string; at: Position } {
  const deps: [string, string][] = [];
  for (const rel of depsOption(step)) {
    const abs = resolve(session.pipelineDir, rel);
    let st: BigIntStats | undefined;
    try {
      st = statSync(abs, { bigint: true });
    } catch {
      st = undefined;
    }
    const hash = st?.isFile() === true ? readable(() => session.meta.hashFile(abs, st!)) : undefined;
    if (hash === undefined || hash === DENIED) {
      const at = optionAt(step.block, 'deps');
      if (hash === DENIED) return { ok: false, at, message: `{deps=…}: ${rel} cannot be read: permission denied` };
      const what = st === undefined ? 'does not exist' : 'is not a file';
      return { ok: false, at, message: `{deps=…}: ${rel} ${what} (paths are relative to the pipeline's directory, ${session.pipelineDir})` };
    }
    deps.push([posix.normalize(rel), `sha256:${hash}`]);
  }
  return { ok: true, deps: deps.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) };
}
