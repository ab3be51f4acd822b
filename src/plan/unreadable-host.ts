import { accessSync, constants, existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { contextIgnore, contextRelative, globContext, ignoredAtRoot, isPattern, linkOut, namesNothing, publishedDirs, publishedIn } from '../build-context.js';
import { error, inDocumentOrder, type Diagnostic } from '../diagnostics.js';
import { directoryMisused, localPath, missingLocal, specialImported } from '../imports/file-importer.js';
import { LocalLinkError, LocalLinks } from '../imports/local-links.js';
import type { ContextSource } from '../pipeline/build-spec.js';
import type { ImportStep } from '../pipeline/pipeline.js';
import { refuseSpecial, SpecialFileError } from '../store/special-file.js';
import { deniedPath, unreadableAt } from '../store/unreadable.js';
import { NotTextError, textNames } from '../store/storable.js';
import { InvalidInput, type Session } from './session.js';

/** All these checks read: the document and its directory, so that they run before a store is opened or made. */
type Where = Pick<Session, 'pipeline' | 'pipelineDir'>;

/**
 * Throws the `EACCES` of the first file or directory under `path` (itself
 * included, a link at the top followed) that this process may not read, or
 * the `SpecialFileError` of a FIFO, socket or device there (never opened),
 * following the links inside that the import follows (`local-links.ts`).
 * A walk of names and modes, nothing read: what lets `run` refuse such an
 * import before it records a run, as it refuses a missing one.
 */
function assertReadable(path: string, links?: LocalLinks, skip?: (path: string) => boolean): void {
  const st = links === undefined ? statSync(path) : lstatSync(path);
  refuseSpecial(links === undefined ? realpathSync(path) : path, st);
  const to = st.isSymbolicLink() ? links?.follow(path) : undefined;
  if (to !== undefined) {
    if (to.st.isDirectory()) assertReadable(to.path, links!.below(path, to), skip);
    else accessSync(to.path, constants.R_OK);
  } else if (st.isDirectory()) {
    const inside = links ?? LocalLinks.of(path);
    // A name that is not UTF-8 is refused here too (`NotTextError`): read back as another, it names no file.
    for (const name of textNames(path)) if (skip?.(join(path, name)) !== true) assertReadable(join(path, name), inside, skip);
  } else if (st.isFile()) {
    accessSync(path, constants.R_OK);
  }
}

/**
 * Local imports (`file:`) that are missing, that this process may not read,
 * that are or hold a FIFO, a socket or a device, or that hold a link that
 * cannot be followed (`local-links.ts`),
 * or that are a directory with a checksum or `extract`, thrown as
 * `InvalidInput` at the import line before anything is recorded: exit 2, as
 * a missing frontmatter input. Found only as the import
 * ran, a missing one was a failed run (exit 1) that plan had called `run`.
 * (Frontmatter inputs are refused as they are hashed or stored: `readingInput`.)
 * So are the COPY/ADD sources of environments that name nothing.
 */
export function refuseUnreadable(session: Where): void {
  // Each refused at its line, all of them at once: a user fixing them one per run would run once per mistake.
  const found: Diagnostic[] = [];
  const collect = (look: () => void): void => {
    try {
      look();
    } catch (e) {
      if (!(e instanceof InvalidInput)) throw e;
      found.push(e.diagnostic, ...e.others);
    }
  };
  for (const step of session.pipeline.steps) {
    const source = step.kind === 'import' ? step.clause.source : undefined;
    if (step.kind === 'import' && source?.scheme === 'file') collect(() => refuseUnreadableImport(session, step, source.path));
  }
  for (const env of session.pipeline.environments.values()) {
    for (const source of env.spec.sources ?? []) collect(() => refuseMissingSource(session, env.name, source));
  }
  const [first, ...others] = inDocumentOrder(found);
  if (first !== undefined) throw new InvalidInput(first, others);
}

/**
 * A COPY/ADD (or `copy`) source that names nothing beside the document (or
 * is left out of the context, leads out of the directory, cannot be read),
 * thrown at the source: found only by the engine, it was a failed build
 * (exit 1) that plan had called `not built yet`. One that leaves the
 * directory was refused when the document was checked.
 */
function refuseMissingSource(session: Where, envName: string, source: ContextSource): void {
  const rel = contextRelative(source.path);
  if (rel === undefined) return;
  // What is never sent (the store, `.dockerignore`'s names, what is published) is not read either: a FIFO there builds fine.
  const ignored = contextIgnore(session.pipelineDir, session.pipeline);
  const leftOut = (rel: string): boolean => ignoredAtRoot(rel.split('/')[0]!) || ignored?.(rel) === true;
  const outOfContext = (abs: string): boolean => leftOut(relative(session.pipelineDir, abs).split(sep).join('/'));
  const named = `${source.by} source \`${source.path}\` of environment ${envName}`;
  const refuse = (why: string): never => {
    throw new InvalidInput(error(session.pipeline.document.file, source.at, `${named} ${why}`));
  };
  if (namesNothing(session.pipelineDir, rel)) {
    refuse(isPattern(rel) ? `matches nothing in ${session.pipelineDir}` : `does not exist (looked for ${join(session.pipelineDir, rel)})`);
  }
  const sent = rel === '.' ? undefined : leftOutSource(session, rel, leftOut);
  if (sent !== undefined) refuse(sent);
  // A link out of the directory: the build would be refused (plan said `not built yet`).
  for (const m of isPattern(rel) ? globContext(session.pipelineDir, rel) : [rel]) {
    const out = linkOut(session.pipelineDir, m);
    if (out === undefined) continue;
    const how = out.link === m ? `is a symbolic link to ${out.target}` : `goes through ${out.link}, a symbolic link to ${out.target}`;
    refuse(`${m === rel ? '' : `matches ${m}, which `}${how}, outside the pipeline's directory: Docker sends nothing from outside the build context (copy it into the directory instead)`);
  }
  // What the engine is sent must be read first: a file this process may not read was an internal error.
  const unsendable = isPattern(rel) ? undefined : unreadableSource(join(session.pipelineDir, rel), rel, outOfContext);
  if (unsendable !== undefined) refuse(unsendable);
}

/**
 * Why a COPY source that is there reaches the engine as nothing: all it names
 * is left out of the context (the engine, or Shark's own context, would find
 * nothing to copy, and run failed the build calling it gone).
 */
function leftOutSource(session: Where, rel: string, leftOut: (rel: string) => boolean): string | undefined {
  const matches = isPattern(rel) ? globContext(session.pipelineDir, rel) : [rel];
  if (!matches.every(leftOut)) return undefined;
  for (const s of session.pipeline.steps) {
    if (s.kind !== 'publish') continue;
    const dir = publishedIn(publishedDirs({ steps: [s] }), rel);
    if (dir !== undefined) return `is in ${dir}/, where the document publishes (shark-publish:${s.dir}): what a run publishes is never part of an environment`;
  }
  if (ignoredAtRoot(rel.split('/')[0]!)) return `is in ${rel.split('/')[0]}, which is never part of a build context (the store, published results, version control and lock files)`;
  return isPattern(rel)
    ? `matches only what .dockerignore leaves out of the build context (${matches.join(', ')})`
    : 'is left out of the build context by .dockerignore: the engine would find nothing to copy';
}

/** Why a COPY source cannot be sent to the engine: a file or directory in it this process may not read, or a FIFO, socket or device. */
function unreadableSource(abs: string, rel: string, skip: (path: string) => boolean): string | undefined {
  try {
    assertReadable(abs, undefined, skip);
    return undefined;
  } catch (e) {
    if (e instanceof SpecialFileError) return `${e.path === abs ? 'is' : `holds ${join(rel, relative(abs, e.path))}, which is`} ${e.kind}: it cannot be copied into an image`;
    if (e instanceof NotTextError) return `holds ${e.path}, which ${e.why}`;
    const denied = deniedPath(e);
    if (denied === undefined) return undefined; // A link the engine keeps as a link, or leaves: checked elsewhere.
    return denied === abs ? 'cannot be read: permission denied' : `holds ${join(rel, relative(abs, denied))}, which cannot be read: permission denied`;
  }
}

function refuseUnreadableImport(session: Where, step: ImportStep, written: string): void {
  const abs = resolve(session.pipelineDir, written);
  // A link as the source is its target's data: one that leads nowhere is missing too.
  if (!existsSync(abs)) {
    const message = missingLocal(step.clause, localPath(step.clause, session.pipelineDir));
    throw new InvalidInput(error(session.pipeline.document.file, step.at, message));
  }
  // A checksum or `extract` of a directory can never succeed: plan called it `run`, and each run failed it.
  const misused = isDirectoryHere(abs) ? directoryMisused(step.clause, written) : undefined;
  if (misused !== undefined) throw new InvalidInput(error(session.pipeline.document.file, step.at, misused));
  try {
    assertReadable(abs);
  } catch (e) {
    // Found by the same walk: bad input, as a source that does not exist.
    if (e instanceof LocalLinkError || e instanceof NotTextError) throw new InvalidInput(error(session.pipeline.document.file, step.at, `cannot import ${written}: ${e.message}`));
    if (e instanceof SpecialFileError) throw new InvalidInput(error(session.pipeline.document.file, step.at, specialImported(written, e)));
    // Permission denied anywhere (a followed link's target too), or what fails a read inside it (a name too long, an i/o error).
    const denied = deniedPath(e);
    const failed = denied === undefined ? unreadableAt(e, abs) : { path: denied, why: 'permission denied' };
    if (failed === undefined) return; // Missing: the import reports it as it is resolved.
    const rel = relative(abs, failed.path);
    // A followed link's target lies elsewhere: named as it is, not as a climb out of the import.
    const inside = failed.path === abs ? '' : rel.startsWith('../') ? ` leads through a symbolic link to ${failed.path}, which` : ` holds ${join(written, rel)}, which`;
    const message = `local import \`${step.clause.raw}\`${inside} cannot be read: ${failed.why}`;
    throw new InvalidInput(error(session.pipeline.document.file, step.at, message));
  }
}

/** Whether `path` is a directory (through a link); false when it cannot be looked at, which `assertReadable` then says why. */
function isDirectoryHere(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
