import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { contextRelative, globContext, ignoredAtRoot, isPattern, leavesContext } from '../../build-context.js';
import type { BuildSpec } from '../../pipeline/build-spec.js';
import { hashFileSync, sha256 } from '../../store/hash.js';
import { parserDirectives } from '../../pipeline/dockerfile-instructions.js';
import { dockerIgnore, type Ignored } from './docker-ignore.js';

/** One path of the build context, relative to the pipeline's directory. */
export interface ContextEntry {
  readonly rel: string;
  readonly abs: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  readonly executable: boolean;
  /** Content hash (files) or link target (symlinks); '' for directories. */
  readonly content: string;
  readonly size: number;
}

/** What decides whether an environment's image must be rebuilt, and what the build sends. */
export interface BuildInputs {
  /** `sha256:` of the labeled record below: recorded in the lock as `inputs`. */
  readonly hash: string;
  readonly entries: readonly ContextEntry[];
  /** COPY/ADD sources that match nothing (the build will fail on them; their appearing must rebuild). */
  readonly missing: readonly string[];
  /** COPY/ADD sources that a symbolic link takes out of the pipeline's directory: never sent, the build is refused. */
  readonly outside: readonly Outside[];
}

export interface Outside {
  /** The source (or the path a pattern matched), relative to the pipeline's directory. */
  readonly source: string;
  /** Where its links lead on the host. */
  readonly target: string;
}

const RECORD_VERSION = 2;

/**
 * Hashes the Dockerfile's instructions (not its comments) and the content of every file its COPY/ADD
 * sources take, as a labeled record. Reads the files (no Docker), so `plan`
 * can tell whether the locked image is still the right one. `ignored`: what the
 * context leaves out (`contextIgnore`: `.dockerignore`, what the document publishes into).
 */
export function buildInputs(spec: BuildSpec, contextDir: string, ignored: Ignored | undefined = dockerIgnore(contextDir)): BuildInputs {
  const found = new Map<string, ContextEntry>();
  const missing: string[] = [];
  const outside: Outside[] = [];
  const root = realpathSync(contextDir);
  for (const source of spec.contextFiles) {
    const rel = contextRelative(source);
    if (rel === undefined) {
      missing.push(source);
      continue;
    }
    const matches = isPattern(rel) ? globContext(contextDir, rel) : [rel];
    const excluded = new Set(spec.exclude?.[source] ?? []);
    let any = false;
    for (const m of matches) {
      const leaves = leavesContext(root, join(contextDir, m));
      if (leaves !== undefined) outside.push({ source: m, target: leaves });
      any = (leaves !== undefined || addPath(contextDir, m, true, found, excluded, ignored)) || any;
    }
    if (!any) missing.push(source);
  }
  const entries = [...found.values()].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const record = {
    record: 'shark.environment-inputs',
    version: RECORD_VERSION,
    dockerfile: instructionLines(spec.dockerfile),
    network: spec.network,
    files: entries.map((e) => [e.rel, e.kind, e.executable ? 'x' : '-', e.content]),
    missing: [...missing].sort(),
    ...(outside.length > 0 ? { outside: outside.map((o) => [o.source, o.target]) } : {}),
  };
  return { hash: `sha256:${sha256(JSON.stringify(record))}`, entries, missing, outside };
}

/**
 * The Dockerfile as the builder reads it: comment lines (inside a
 * continuation too), blank lines and an instruction's indentation go, so
 * editing a comment neither rebuilds the image nor re-runs the steps on it.
 * A continuation line keeps its leading blanks: the builder joins it as it
 * is (`RUN echo "a \` then `   b"` echoes them). Parser directives at the
 * top (`# escape=`…) count, and name the continuation character.
 */
function instructionLines(dockerfile: string): string {
  const lines = dockerfile.split('\n');
  const { count, escape } = parserDirectives(lines);
  const out = lines.slice(0, count).map((l) => l.trim());
  let continuing = false;
  for (const line of lines.slice(count)) {
    const bare = line.trimStart();
    if (bare === '' || bare.startsWith('#')) continue;
    out.push(continuing ? line : bare);
    continuing = line.trimEnd().endsWith(escape);
  }
  return out.join('\n');
}

/**
 * Adds a path (recursively for directories); false when it does not exist. `excluded`
 * basenames (OBuilder's `exclude`) are left out below it: a file another copy takes
 * is still sent, and Docker's COPY of the directory then takes it too.
 */
function addPath(contextDir: string, rel: string, top: boolean, found: Map<string, ContextEntry>, excluded: ReadonlySet<string>, ignored?: Ignored): boolean {
  // What `.dockerignore` leaves out is not in the context: named as a source, it is not there (as the engine says).
  // A directory left out is still walked when a `!` pattern may take back something below it.
  const out = rel !== '.' && ignored?.(rel) === true;
  if (out && !ignored!.reopens) return !top;
  const abs = rel === '.' ? contextDir : join(contextDir, rel);
  let st: Stats;
  try {
    st = lstatSync(abs);
    // Docker follows a symlink named as a COPY source itself (one that stays in the directory:
    // leavesContext refused the others); links inside copied directories stay links.
    if (top && st.isSymbolicLink()) st = statSync(abs);
  } catch {
    return false;
  }
  if (out && !st.isDirectory()) return !top;
  if (st.isDirectory()) {
    if (rel !== '.' && !out) found.set(rel, entry(rel, abs, 'dir', st, ''));
    for (const name of readdirSync(abs).sort()) {
      if ((rel === '.' && ignoredAtRoot(name)) || excluded.has(name)) continue;
      addPath(contextDir, rel === '.' ? name : `${rel}/${name}`, false, found, excluded, ignored);
    }
  } else if (st.isSymbolicLink()) {
    found.set(rel, entry(rel, abs, 'symlink', st, readlinkSync(abs)));
  } else if (st.isFile()) {
    found.set(rel, entry(rel, abs, 'file', st, hashFileSync(abs)));
  }
  // Sockets, fifos and devices cannot be copied into an image; Docker skips them too.
  return true;
}

function entry(rel: string, abs: string, kind: ContextEntry['kind'], st: Stats, content: string): ContextEntry {
  return { rel, abs, kind, executable: (st.mode & 0o111) !== 0, content, size: kind === 'file' ? st.size : 0 };
}
