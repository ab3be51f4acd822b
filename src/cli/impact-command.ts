import { Command } from 'commander';
import { impactOf, parseTarget, renderImpact, runningAgain, type ImpactTarget } from '../lineage/impact.js';
import { displayName, EXIT_FAILED, EXIT_INVALID, ExitError, loadOrReport } from './load-or-report.js';
import type { Io } from './main.js';
import { configOption, givenFrontmatter, type ConfigUse } from './apply-config.js';

export function impactCommand(io: Io): Command {
  return new Command('impact')
    .description('what may run again if a /data path, an environment (env:NAME) or a block changed: the steps downstream')
    .argument('<file>', 'pipeline markdown file')
    .argument('<what...>', '/data/... paths, env:NAME, or block ids')
    .option('--json', 'print the steps as JSON')
    .addOption(configOption())
    .action((file: string, what: string[], flags: { json?: boolean; sharkConfig?: ConfigUse }) => {
      const pipeline = loadOrReport(file, io.stderr, 'read', undefined, givenFrontmatter(flags));
      const targets: ImpactTarget[] = [];
      for (const text of what) {
        const parsed = parseTarget(pipeline, text);
        if (!parsed.ok) {
          io.stderr(`shark: error: ${parsed.error.message}\n`);
          throw new ExitError(EXIT_INVALID);
        }
        targets.push(parsed.target);
      }
      const steps = impactOf(pipeline, targets);
      io.stdout(flags.json ? JSON.stringify({ changed: targets, steps }, null, 2) + '\n' : renderImpact(targets, steps, displayName(file)));
      // Only {precious} steps reached: they keep their results, and nothing runs again.
      if (runningAgain(steps) === 0) throw new ExitError(EXIT_FAILED);
    });
}
