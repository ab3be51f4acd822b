import { Command } from 'commander';
import { listRuns, noRunsMessage, renderRuns } from '../lineage/runs.js';
import { readingByRun, withSessionOptions } from './common-options.js';
import { EXIT_FAILED, ExitError } from './load-or-report.js';
import type { Io } from './main.js';
import { closeSession, openRecords, type SessionFlags } from './session-setup.js';

export function runsCommand(io: Io): Command {
  return withSessionOptions(
    new Command('runs')
      .description('list the runs of a pipeline: number, status, start, end, jobs run/cached/failed, Shark version')
      .argument('<file>', 'pipeline markdown file')
      .option('--json', 'print the runs as JSON'),
    readingByRun('it lists every run, whatever values each ran with'),
  ).action((file: string, flags: SessionFlags & { json?: boolean }) => {
    // Not the document: its runs are listed while it does not check.
    const session = openRecords(file, flags, io.stderr);
    try {
      const runs = listRuns(session.meta, session.pipelinePath);
      if (flags.json) io.stdout(JSON.stringify({ runs }, null, 2) + '\n');
      else if (runs.length > 0) io.stdout(renderRuns(runs));
      if (runs.length === 0) {
        io.stderr(`shark: ${noRunsMessage(session.meta, session.pipelinePath, file)}\n`);
        throw new ExitError(EXIT_FAILED);
      }
    } finally {
      closeSession(session);
    }
  });
}
