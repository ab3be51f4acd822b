import { error, type Diagnostic } from '../diagnostics.js';
import type { GivenPlaces } from '../pipeline/given-frontmatter.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { selectSteps, splitList } from '../plan/selection.js';
import { inputBindings } from '../plan/session.js';
import { CONFIG_USE, givenPlaces, type ConfigUse } from './apply-config.js';
import { refuseReport } from './load-or-report.js';
import { parseResourceFlags, unusedPools, type ResourceFlags } from './resource-flags.js';
import { configSecretProblems } from './secrets.js';
import { inputPairs } from './option-pairs.js';

export type RefutableFlags = ResourceFlags & {
  input?: string[];
  secrets?: string;
  env?: string[];
  [CONFIG_USE]?: ConfigUse;
};

/**
 * Every value the config file gave that the document refutes, printed at
 * once with the `N errors in shark.yaml` line, exit 2: an input it does not
 * declare or bound to nothing, a secrets file that cannot be read, a secret
 * given under `env:`, a pool no block uses, a `force:` or `targets:` name it
 * does not have. The checks that follow stop at their first problem, so
 * without this a file with four mistakes took four edits to hear of them.
 * Mistakes of the command line are left to them: they name the option.
 */
export function refuseConfigRefutations(pipeline: Pipeline, pipelineDir: string, flags: RefutableFlags, stderr: (s: string) => void, configTargets: boolean): void {
  const found = configRefutations(pipeline, pipelineDir, flags, stderr, configTargets);
  if (found.length > 0) refuseReport(found, () => givenPlaces(flags)!.source, stderr);
}

/** What `refuseConfigRefutations` refuses, in the config file's order. */
export function configRefutations(pipeline: Pipeline, pipelineDir: string, flags: RefutableFlags, stderr: (s: string) => void, configTargets: boolean): Diagnostic[] {
  const places = givenPlaces(flags);
  const use = flags[CONFIG_USE];
  if (places === undefined || use === undefined) return [];
  const inConfig = (d: Diagnostic): boolean => d.file === places.file && d.severity === 'error';
  const bound = inputBindings({ pipeline, bindings: inputPairs(flags.input, stderr), pipelineDir }, { places, unboundAllowed: true });
  const found = [
    ...bound.diagnostics,
    ...configSecretProblems(pipeline, flags.secrets, places),
    ...unusedPools(pipeline, parseResourceFlags(flags, stderr).pools, places),
    ...listProblems(pipeline, use, places, configTargets),
  ].filter(inConfig).sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col);
  return found;
}

/** `force:` and `targets:` names no block or step matches, each at its place in the list. */
function listProblems(pipeline: Pipeline, use: ConfigUse, places: GivenPlaces, configTargets: boolean): Diagnostic[] {
  const found: Diagnostic[] = [];
  const force = use.commandLine.has('force') ? undefined : use.config.options.get('force');
  if (force !== undefined && 'valuesAt' in force) {
    force.values.forEach((value, i) => {
      for (const name of splitList(value)) {
        const selected = selectSteps(pipeline, [], [name]);
        if (!selected.ok) found.push(error(places.file, force.valuesAt[i]!, `\`force\`: ${selected.error.message}`));
      }
    });
  }
  const targets = use.config.targets;
  if (configTargets && targets !== undefined && 'valuesAt' in targets) {
    targets.values.forEach((target, i) => {
      const selected = selectSteps(pipeline, [target]);
      if (!selected.ok) found.push(error(places.file, targets.valuesAt[i]!, `\`targets\`: ${selected.error.message}`));
    });
  }
  return found;
}
