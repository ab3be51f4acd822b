import { Command } from 'commander';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { loadPipeline } from '../pipeline/load.js';
import { templateDocuments } from '../pipeline/sweep-template.js';
import { displayName, EXIT_INVALID, ExitError, loadOrReport, refuseReport } from './load-or-report.js';
import type { Io } from './main.js';
import { envPairs } from './option-pairs.js';
import { collect } from './common-options.js';
import { makeDirs } from '../store/make-dirs.js';
import { depsOption } from '../plan/host-tools.js';
import { shownName } from '../printable.js';
import { writeAtomically } from '../lockfile/atomic-write.js';
import { isDirectory, writeError } from '../writable-path.js';
import type { Pipeline } from '../pipeline/pipeline.js';

/**
 * `shark template FILE --output-dir DIR`: a sweep as one document per
 * combination of its axes, for people who want separate documents. The sweep
 * is checked first, so every document written is one Shark accepts.
 */
export function templateCommand(io: Io): Command {
  return new Command('template')
    .description('write one document per combination of the axes (list-valued frontmatter keys), values substituted')
    .argument('<file>', 'pipeline markdown file')
    .requiredOption('--output-dir <dir>', 'where to write the documents (created if missing)')
    .option('-e, --env <name=v1,v2>', 'only these values of an axis (repeatable)', collect)
    .action((file: string, flags: { outputDir: string; env?: string[] }) => {
      const overrides = envPairs(flags.env, io.stderr);
      const pipeline = loadOrReport(file, io.stderr, 'read', overrides);
      refuseVariables(pipeline, overrides, io.stderr);
      const { source } = pipeline.document;
      const stem = basename(file, extname(file));
      const { documents, diagnostics } = templateDocuments(pipeline.document.file, source, stem, overrides);
      if (diagnostics.length > 0) {
        refuseReport(diagnostics, () => source, io.stderr);
      }
      if (writesOver(file, flags.outputDir, documents.map((d) => d.name))) {
        io.stderr(`shark: error: ${displayName(resolve(file))} would be written over: choose another --output-dir\n`);
        throw new ExitError(EXIT_INVALID);
      }
      makeOutputDir(flags.outputDir, io.stderr);
      refuseNonFiles(documents.map((d) => join(flags.outputDir, d.name)), io.stderr);
      for (const d of documents) {
        const to = join(flags.outputDir, d.name);
        // Whole or absent: a reader never sees half a document.
        try {
          writeAtomically(to, d.text);
        } catch (e) {
          io.stderr(`shark: error: cannot write ${shownName(to)}: ${writeError(to, e)}\n`);
          throw new ExitError(EXIT_INVALID);
        }
        io.stdout(`${shownName(to)}\n`);
        // One combination alone may lack what another writes (a step reading /data/aoh/restore/ in every document).
        const loaded = loadPipeline(to, d.text);
        const errors = loaded.diagnostics.filter((x) => x.severity === 'error');
        if (errors.length > 0) {
          const first = errors[0]!;
          io.stderr(`shark: warning: ${shownName(to)} does not check (${errors.length === 1 ? '1 error' : `${errors.length} errors`}; ${first.file}:${first.at.line}:${first.at.col}: ${first.message}): \`shark check ${shownName(to)}\` shows ${errors.length === 1 ? 'it' : 'them'}\n`);
        }
        // Every path lost, also in a document that does not check (a lost local import may be why).
        const steps = loaded.pipeline ?? loaded.partial;
        for (const lost of steps === undefined ? [] : lostLocal(steps, dirname(resolve(file)), resolve(flags.outputDir))) io.stderr(`shark: warning: ${shownName(to)}: ${lost}\n`);
      }
    });
}

/**
 * An `-e NAME=…` of no axis: the documents keep their variables as written,
 * so a value given here would be dropped without a word. The value is not
 * shown (NAME may be a secret's).
 */
function refuseVariables(pipeline: Pipeline, overrides: ReadonlyMap<string, string>, stderr: (s: string) => void): void {
  const axes = [...(pipeline.document.frontmatter?.axes.keys() ?? [])];
  const name = [...overrides.keys()].find((n) => !axes.includes(n));
  if (name === undefined) return;
  const known = axes.length === 0 ? 'it has none' : `its axes: ${axes.join(', ')}`;
  stderr(`shark: error: -e ${name}=…: \`${name}\` is no axis of ${pipeline.document.file} (${known}): template's -e keeps some values of an axis; the documents keep a variable as written, for -e when they are planned or run\n`);
  throw new ExitError(EXIT_INVALID);
}

/** A document's place held by what is no file (a directory): one plain line, exit 2, before any document is written. */
function refuseNonFiles(paths: readonly string[], stderr: (s: string) => void): void {
  for (const to of paths) {
    const st = statSync(to, { throwIfNoEntry: false });
    if (st === undefined || st.isFile()) continue;
    stderr(`shark: error: cannot write ${shownName(to)}: it is ${st.isDirectory() ? 'a directory' : 'no regular file'}; nothing was written\n`);
    throw new ExitError(EXIT_INVALID);
  }
}

/** `--output-dir`, made if missing; a file in its place or on its way is one plain line, exit 2. */
function makeOutputDir(dir: string, stderr: (s: string) => void): void {
  const fail = (message: string): never => {
    stderr(`shark: error: ${message}\n`);
    throw new ExitError(EXIT_INVALID);
  };
  if (existsSync(dir) && !isDirectory(dir)) fail(`--output-dir ${shownName(dir)} is not a directory`);
  try {
    makeDirs(dir);
  } catch (e) {
    // A file where a directory of the path should be: name it, as mkdir -p does.
    let d = dir;
    while (dirname(d) !== d && !existsSync(d)) d = dirname(d);
    fail(`cannot make --output-dir ${shownName(dir)}: ${existsSync(d) && !isDirectory(d) ? `${shownName(d)} is not a directory` : writeError(dir, e)}`);
  }
  // Made, or said to be there by a link that leads nowhere a path can go (a loop of links).
  try {
    statSync(dir);
  } catch (e) {
    fail(`cannot use --output-dir ${shownName(dir)}: ${writeError(dir, e)}`);
  }
}

/**
 * Whether one of `names` in `dir` is the input: compared as real paths, since
 * a link on the way (`--output-dir sub`, `sub` linking to `.`) leads there as
 * surely as the same name. A directory yet to be made holds no input.
 */
function writesOver(input: string, dir: string, names: readonly string[]): boolean {
  let real: string;
  let realDir: string;
  try {
    real = realpathSync(input);
    realDir = realpathSync(dir);
  } catch {
    return false;
  }
  return names.some((n) => join(realDir, n) === real);
}

const NOT_REWRITTEN = 'paths are not rewritten: copy or link it there, or write the documents beside the template';

/**
 * A local path the document names relative to itself (a local import's
 * source, a script) that is beside the template but not beside the written
 * document: nothing is rewritten, so there it names nothing.
 */
function lostLocal(pipeline: Pipeline, fromDir: string, toDir: string): string[] {
  if (fromDir === toDir) return [];
  const gone = (p: string): boolean => !isAbsolute(p) && existsSync(join(fromDir, p)) && !existsSync(join(toDir, p));
  const where = `is in ${displayName(fromDir)} but not in ${displayName(toDir)}, where the document is (${NOT_REWRITTEN})`;
  const depsSaid = new Set<string>();
  // A build's COPY sources are taken from the document's directory too (its build context).
  const copied = [...pipeline.environments.values()].flatMap((e) => [...new Set(e.spec.contextFiles)].filter(gone).map((p) => `environment ${e.name}: COPY source ${p} ${where}`));
  return [...copied, ...pipeline.steps.flatMap((step) => {
    if (step.kind === 'import') return step.clause.source.scheme === 'file' && gone(step.clause.source.path) ? [`local import ${step.clause.source.path} ${where}`] : [];
    if (step.kind !== 'run') return [];
    // The files its command names, and those its block's `{deps=…}` lists (said once a block).
    const deps = depsSaid.has(step.blockId) ? [] : (depsSaid.add(step.blockId), depsOption(step).filter(gone));
    return [...step.localFiles.filter(gone).map((script) => `step ${step.id}: ${script} ${where}`), ...deps.map((dep) => `block ${step.blockId}: {deps=…} file ${dep} ${where}`)];
  })];
}
