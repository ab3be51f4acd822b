import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { refusedTarget } from '../exec/run/publish-guard.js';
import { writeCrate } from '../lineage/export/crate.js';
import { provModel } from '../lineage/export/prov-model.js';
import { toProvJson } from '../lineage/export/prov.js';
import { toProvJsonLd } from '../lineage/export/prov-jsonld.js';
import { loadRun, type RunView } from '../lineage/export/run-jobs.js';
import type { Session } from '../plan/session.js';
import { readingByRun, withSessionOptions } from './common-options.js';
import { EXIT_FAILED, EXIT_INVALID, ExitError } from './load-or-report.js';
import type { Io } from './main.js';
import { naturalNumber } from './numbers.js';
import { writeOutputFile } from './output-file.js';
import { closeSession, openReading, type SessionFlags } from './session-setup.js';
import { counted } from '../counted.js';
import { printable, shownName } from '../printable.js';

const PROV_FORMATS = ['prov-json', 'prov-jsonld'] as const;
/** `-e` is no way to name a run here: an export is of one whole run, by number. */
const BY_RUN = readingByRun('it exports one whole run, the one --run N picks');
/** The links `export crate` left out that it names one by one; the rest are counted. */
const SHOWN_LINKS = 20;
type ProvFormat = (typeof PROV_FORMATS)[number];

interface ExportFlags extends SessionFlags {
  run?: number;
  output?: string;
  format?: ProvFormat;
}

/**
 * Opens the session and the run to export. A pipeline never run is a query
 * that found nothing (exit 1); a `--run N` it does not have, when it has
 * runs, a usage error (exit 2), as `lineage --run` and `diff --from` say it.
 */
async function withRun(file: string, flags: ExportFlags, io: Io, body: (view: RunView, session: Session) => Promise<void>): Promise<void> {
  const { run: number } = flags;
  // An export holds the document and describes its blocks: unlike lineage, it has no answer from the records alone.
  const needs = 'an export holds the document as it is now, which does not check: fix it first (`shark lineage`, `shark diff` and `shark logs` read the runs\' records meanwhile)';
  const session = openReading(file, flags, io.stderr, { needs }).session!;
  try {
    const view = loadRun(session.meta, session.store, session.pipeline, session.pipelinePath, number);
    if (!view.ok) {
      const unknownRun = number !== undefined && session.meta.runs(session.pipelinePath).length > 0;
      io.stderr(`shark: ${unknownRun ? 'error: ' : ''}${view.message}\n`);
      throw new ExitError(unknownRun ? EXIT_INVALID : EXIT_FAILED);
    }
    await body(view.value, session);
  } finally {
    closeSession(session);
  }
}

/** Says on stderr that the document exported (`what` holds or describes it) is not the one the run read. */
function warnChanged(view: RunView, what: string, io: Io): void {
  if (view.document !== 'changed') return;
  const name = basename(view.pipelinePath);
  io.stderr(`shark: warning: ${name} changed since run ${view.run.id}: ${what} the document as it is now, not as run ${view.run.id} ran it\n`);
}

export function exportCommand(io: Io): Command {
  const cmd = new Command('export').description('export the lineage of a run in a standard format (W3C PROV, RO-Crate)');
  cmd.addCommand(withSessionOptions(
    new Command('prov')
      .description('W3C PROV of a run: jobs as activities, data as entities, commands as plans')
      .argument('<file>', 'pipeline markdown file')
      .option('--run <n>', 'the run to export (default: the latest)', naturalNumber('--run'))
      .option('-o, --output <file>', 'write to FILE instead of standard output (- is standard output)')
      .addOption(new Option('-f, --format <format>', 'prov-json, or PROV-O as JSON-LD with its context inline').choices(PROV_FORMATS).default('prov-json')),
    BY_RUN,
  ).action((file: string, flags: ExportFlags) => withRun(file, flags, io, async (view, session) => {
    warnChanged(view, 'the export describes', io);
    const model = provModel(view, session.pipeline.document.source);
    const doc = flags.format === 'prov-jsonld' ? toProvJsonLd(model) : toProvJson(model);
    const text = JSON.stringify(doc, null, 2) + '\n';
    if (flags.output === undefined || flags.output === '-') io.stdout(text);
    else writeOutputFile(flags.output, text, session, io.stderr);
  })));
  cmd.addCommand(withSessionOptions(
    new Command('crate')
      .description('a Provenance Run Crate (RO-Crate) of a run: the document, every job, and the data they read and wrote')
      .argument('<file>', 'pipeline markdown file')
      .option('--run <n>', 'the run to export (default: the latest)', naturalNumber('--run'))
      .option('-o, --output <dir>', 'the crate directory to create (new or empty)'),
    BY_RUN,
  ).action((file: string, flags: ExportFlags) => {
    if (flags.output === undefined) {
      io.stderr('shark: error: export crate needs -o DIR, the directory to write the crate into\n');
      throw new ExitError(EXIT_INVALID);
    }
    // `-` is standard output to `export prov`: a directory made by that name surprised (`./-` names one).
    if (flags.output === '-') {
      io.stderr('shark: error: -o -: a crate is a directory, not a stream; name the directory (./- for one named -)\n');
      throw new ExitError(EXIT_INVALID);
    }
    const out = flags.output;
    return withRun(file, flags, io, async (view, session) => {
      const refused = refusedTarget(out, session);
      if (refused !== undefined) {
        io.stderr(`shark: error: will not write the crate to ${shownName(out)}: ${refused}\n`);
        throw new ExitError(EXIT_INVALID);
      }
      const written = await writeCrate(view, session.pipeline.document.source, out);
      if (!written.ok) {
        io.stderr(`shark: error: ${written.message}\n`);
        throw new ExitError(written.invalid === true ? EXIT_INVALID : EXIT_FAILED);
      }
      warnChanged(view, 'the crate holds', io);
      for (const l of written.leftOut.slice(0, SHOWN_LINKS)) io.stderr(`shark: warning: ${printable(`${l.path} is ${l.description}`)} (described in ro-crate-metadata.json)\n`);
      const more = written.leftOut.length - SHOWN_LINKS;
      if (more > 0) io.stderr(`shark: warning: ${counted(more, 'other symbolic link')} not copied, each described in ro-crate-metadata.json\n`);
      // Its failed jobs are actions of the crate too.
      const jobs = `${counted(view.jobs.length + view.failed.length, 'job')}${view.failed.length > 0 ? ` (${view.failed.length} failed)` : ''}`;
      io.stdout(`${shownName(out)}: run ${view.run.id}, ${jobs}, ${counted(written.entities, 'entity', 'entities')}\n`);
    });
  }));
  return cmd;
}
