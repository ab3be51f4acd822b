import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { impactOf, parseTarget, renderImpact, runningAgain, type ImpactTarget } from '../lineage/impact.js';
import { displayName, EXIT_FAILED, EXIT_INVALID, ExitError, loadOrReport } from './load-or-report.js';
import type { Io } from './main.js';
import { configOption, givenFrontmatter, type ConfigUse } from './apply-config.js';

export function impactCommand(io: Io): Command {
  return new Command('impact')
    .description('what may run again if a /data path, an environment (env:NAME), a block or a local file (a script, a {deps} file, an import\'s source directory) changed: the steps downstream')
    .argument('<file>', 'pipeline markdown file')
    .argument('<what...>', '/data/... paths, env:NAME, block ids, or local files and directories')
    .option('--json', 'print the steps as JSON')
    .addOption(configOption())
    .action((file: string, what: string[], flags: ImpactFlags) => showImpact(io, file, what, flags));
}

type ImpactFlags = { json?: boolean; sharkConfig?: ConfigUse };

/** The steps that may run again if `what` changed: `shark impact`, and `shark lineage FILE --impact WHAT…` as issue 13 words it. */
export function showImpact(io: Io, file: string, what: readonly string[], flags: ImpactFlags): void {
  const pipeline = loadOrReport(file, io.stderr, 'read', undefined, givenFrontmatter(flags));
  const pipelineDir = dirname(resolve(file));
  const targets: ImpactTarget[] = [];
  for (const text of what) {
    const parsed = parseTarget(pipeline, text, { pipelineDir, cwd: process.cwd() });
    if (!parsed.ok) {
      io.stderr(`shark: error: ${parsed.error.message}\n`);
      throw new ExitError(EXIT_INVALID);
    }
    targets.push(parsed.target);
  }
  const steps = impactOf(pipeline, targets, pipelineDir);
  // A local file is shown as the steps' keys name it, not by where it is on this host.
  // A file as the document names it (from its directory), and where it is, for a script to open from anywhere.
  const changed = targets.map((t) => (t.kind === 'file' ? { kind: t.kind, path: t.path, absolute: t.abs } : t));
  io.stdout(flags.json ? JSON.stringify({ changed, steps }, null, 2) + '\n' : renderImpact(targets, steps, displayName(file)));
  // Only {precious} steps reached: they keep their results, and nothing runs again.
  if (runningAgain(steps) === 0) throw new ExitError(EXIT_FAILED);
}
