import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { DOCKER_ID_PREFIX } from '../exec/docker/docker-environments.js';
import type { RunSession } from '../exec/executor.js';
import { noRunsMessage, notARun } from '../lineage/runs.js';
import { instanceName } from '../plan/instance-names.js';
import { drawsEscapes, printable, shownName, shownText } from '../printable.js';
import { textChunks } from '../text-chunks.js';
import { buildsOfBlock, builtImage, latestRunWithLogs, runBuilds, whyNotBuilt } from './build-logs.js';
import { readingByRun, withSessionOptions } from './common-options.js';
import { earlierLog } from './earlier-logs.js';
import { jobsOf, noJob, noMatch, type Elsewhere } from './missing-job-logs.js';
import { interruptedLogs, sizeOf } from './interrupted-logs.js';
import { stepFailureText, stepFailures } from './step-failure-logs.js';
import { EXIT_FAILED, EXIT_INVALID, ExitError } from './load-or-report.js';
import type { Io } from './main.js';
import { naturalNumber } from './numbers.js';
import { closeSession, openReading, openRecords, type SessionFlags } from './session-setup.js';

export function logsCommand(io: Io): Command {
  return withSessionOptions(
    new Command('logs')
      .description('show the stored logs of the latest run, for every block or one block/step')
      .argument('<file>', 'pipeline markdown file')
      .argument('[block]', 'block id, step id or job id')
      .option('--run <n>', 'a run of this pipeline (default: the latest; see `shark runs`)', naturalNumber('--run')),
    readingByRun("it shows the latest run's logs, whatever values it ran with"),
  ).action(async (file: string, given: string | undefined, flags: SessionFlags & { run?: number }) => {
    // Every log is the records' alone; a block is named as the document names it, or, while it does not check (mid-edit), as the run did.
    const reading = given === undefined ? { records: openRecords(file, flags, io.stderr) } : openReading(file, flags, io.stderr, { instead: 'jobs are named as the run named them' });
    const { session } = reading;
    const { meta, pipelinePath } = session ?? reading.records;
    try {
      const pipeline = session?.pipeline;
      // An instance named as `plan` and `run` take it: its axes in any order, one of one value left out.
      // A job's id shows its items' control characters escaped (`up[a\tb]`), as runs record it: the item's name as it is names it too.
      const asked = given === undefined ? undefined : printable(given);
      const spelled = asked === undefined || pipeline === undefined ? undefined : instanceName(pipeline, pipeline.steps, asked);
      if (spelled?.ok === false) {
        io.stderr(`shark: error: ${spelled.message}\n`);
        throw new ExitError(EXIT_INVALID);
      }
      const block = spelled?.name ?? asked;
      const runs = meta.runs(pipelinePath);
      const run = flags.run === undefined ? latestRunWithLogs(meta, runs) : runs.find((r) => r.id === flags.run);
      if (runs.length === 0) {
        io.stderr(`shark: ${noRunsMessage(meta, pipelinePath, file)}\n`);
        throw new ExitError(EXIT_FAILED);
      }
      if (run === undefined) {
        // As lineage and export say it: a run number that is none of the document's is invalid input.
        io.stderr(`shark: error: ${notARun(flags.run!, runs)}\n`);
        throw new ExitError(EXIT_INVALID);
      }
      const elsewhere = (s: RunSession): Elsewhere => ({ session: s, runs, run, file, target: block ?? '' });
      // A build is no job: the run's summary names its log. Built before any job started, it is listed first.
      const builds = runBuilds(meta, run.id);
      const named = block === undefined || pipeline === undefined ? undefined : buildsOfBlock(pipeline, builds, block);
      if (named !== undefined && named.found.length === 0) {
        io.stderr(`shark: \`${block}\` is the shark-build block of environment ${named.env}: ${whyNotBuilt(run)}${imageBuiltIn(elsewhere(session!), named.env)}\n`);
        throw new ExitError(EXIT_FAILED);
      }
      const jobs = block === undefined ? meta.runJobs(run.id).map((row) => ({ row, job: row.job, line: row.line })) : named !== undefined ? [] : jobsOf(meta, pipeline, run.id, block);
      // Else a build as the run names it (`FAILED bb`), when nothing of the document has that name.
      const shownBuilds = block === undefined ? builds : named?.found ?? (jobs.length === 0 ? builds.filter((b) => b.env === block) : []);
      // Beside the jobs that ended: those a Ctrl-C stopped while they ran, which left a log and no row (of every block, when none is named),
      // and, of a run in progress, those running now (their leases name them), with their logs so far.
      const opened = session ?? reading.records;
      const live = run.status === 'running';
      const cut = named === undefined && (run.status === 'interrupted' || live) && (session !== undefined || block === undefined)
        ? interruptedLogs(opened.store.metaDir, meta, pipeline, run.id, block) : [];
      // Steps that failed before any of their jobs ran have no log: the message `run` printed stands for one.
      const failedSteps = named === undefined ? stepFailures(meta, pipeline, run.id, block) : [];
      if (jobs.length === 0 && shownBuilds.length === 0 && cut.length === 0 && failedSteps.length === 0 && block === undefined) {
        io.stderr(`shark: run ${run.id} ran no job\n`);
        throw new ExitError(EXIT_FAILED);
      }
      const env = pipeline?.environments.get(block!);
      if (jobs.length === 0 && shownBuilds.length === 0 && env !== undefined) {
        io.stderr(`shark: \`${block}\` is environment ${block} (shark-build block ${env.blockId}): ${whyNotBuilt(run)}${imageBuiltIn(elsewhere(session!), block!)}\n`);
        throw new ExitError(EXIT_FAILED);
      }
      if (jobs.length === 0 && shownBuilds.length === 0 && cut.length === 0 && failedSteps.length === 0) {
        io.stderr(`shark: ${session === undefined ? noMatch(meta.runJobs(run.id), run.id, block!) : noJob(elsewhere(session))}\n`);
        // A query that found nothing, as docs/cli.md says (2 is for invalid input).
        throw new ExitError(EXIT_FAILED);
      }
      for (const b of shownBuilds) {
        const id = named === undefined ? b.block : block!;
        const then = id === b.block ? '' : `; run ${run.id} built it as ${b.block}, line ${b.line}`;
        await show(io, `${id} (build ${b.env}, ${b.status}, line ${b.line}${then})`, b.log);
      }
      // Every failed row has its identity since failed logs were always made: one without was recorded by an older Shark.
      const recorded = meta.unfinishedIdentities(run.id);
      for (const { row, job, line } of jobs) {
        const then = job === row.job && line === row.line ? '' : `; run ${run.id} ran it as ${row.job}, line ${row.line}`;
        await show(io, `${job} (${row.status}, line ${line}${then})`, row.log, row.status !== 'failed' ? false : recorded.has(row.job) || 'unknown');
      }
      for (const f of failedSteps) io.stdout(stepFailureText(f));
      for (const c of cut) {
        // A job stopped while its command ran keeps its log (`run-job.ts`): empty, it printed nothing.
        // One whose run was killed may have none: what it printed was still in the dead process's memory.
        const size = sizeOf(c.log);
        // Not yet written: a log is made with its first byte, and a few last bytes wait in the run's memory.
        if (live && size === undefined) io.stdout(`==> ${c.job} (running: nothing in its log yet)\n`);
        else if (live) await show(io, `${c.job} (running: its log so far)`, c.log);
        else if (size === undefined && c.killed) io.stdout(`==> ${c.job} (running when run ${run.id} was killed: no log; what it printed was lost)\n`);
        else if (size === 0) io.stdout(`==> ${c.job} (interrupted while it ran: it printed nothing)\n`);
        else await show(io, `${c.job} (interrupted while it ran: its log so far)`, c.log);
      }
    } finally {
      closeSession(session ?? reading.records);
    }
  });
}

/**
 * One job's or build's log, headed `==> WHAT LOG-FILE`; `==> WHAT (printed
 * nothing)` for an ok job's, never made. A failed job's is always made
 * (`made`): missing, it was removed, and what the job printed is not known.
 * A failed row an older Shark recorded (without `identity`, which every
 * failed row has since) may be of one that made none when the job printed
 * nothing (`unknown`).
 */
async function show(io: Io, what: string, log: string | null, made: boolean | 'unknown' = false): Promise<void> {
  let chunks: Generator<string> | undefined;
  let problem: string | undefined;
  try {
    chunks = log === null ? undefined : textChunks(log);
  } catch (e) {
    // A job that printed nothing has no log file: its header names none (a path that cannot be opened).
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') problem = cannotRead(e);
    // Every run makes its folder of logs: with it gone (`rm -rf .shark/logs`), an ok job's log may have been removed too.
    else if (made !== false || !existsSync(dirname(log!))) {
      const gone = made === true ? 'the log file is gone: it was removed since the run' : 'no log file: the job printed nothing, or the log was removed since the run';
      io.stdout(`==> ${what} ${shownName(log!)} (${gone})\n`);
      return;
    }
  }
  // The store's path is the user's or a config file's: a control character in it is shown, not obeyed.
  io.stdout(`==> ${what}${log === null ? '' : chunks === undefined && problem === undefined ? ' (printed nothing)' : ` ${shownName(log)}`}\n`);
  // As the run's failure tails: colours at a terminal, no escape codes in a pipe or a file, and no
  // other control character (a binary log's bells and C1 controls) reaching the terminal raw.
  // Piece by piece, each ending at a line's end: a log of gigabytes was read whole, and then was too long a string to show.
  const colours = drawsEscapes(process.stdout);
  let last = '\n';
  let coloured = false;
  try {
    for (const text of chunks ?? []) {
      const shown = shownText(text, colours, true);
      coloured ||= colours && shown.includes('\x1b');
      io.stdout(shown);
      last = text.at(-1) ?? last;
      await drained();
    }
  } catch (e) {
    problem = cannotRead(e);
  }
  // What the log's escape sequences set ends with it: a colour it never reset coloured the next heading and the prompt.
  if (coloured) io.stdout('\x1b[0m');
  // A last line without its newline (`printf abc`, or a running job's log so far) ends here, not in the next heading.
  if (last !== '\n') io.stdout('\n');
  if (problem !== undefined) io.stdout(problem);
}

/**
 * Once stdout has taken what was written: a pipe takes a log slower than it
 * is read, and what it has not taken yet waits in memory (all of a log of
 * gigabytes, which ended the process). A stdout that fails ends the process
 * (`process-guards.ts`), so it is waited for no longer than it takes.
 */
function drained(): Promise<void> | undefined {
  if (!process.stdout.writableNeedDrain) return undefined;
  return new Promise((done) => process.stdout.once('drain', done));
}

function cannotRead(e: unknown): string {
  return `(cannot read the log: ${(e as Error).message})\n`;
}

/** The run whose build log is that of the image of `env` that a run reusing it ran in (the lock's). */
function imageBuiltIn(e: Elsewhere, env: string): string {
  const locked = e.session.lock.environments[env]?.image;
  const image = locked === undefined ? undefined : DOCKER_ID_PREFIX + locked;
  return earlierLog(e.runs, e.run, (id) => builtImage(e.session.meta, id, env, image), e, 'its image\'s build log');
}
