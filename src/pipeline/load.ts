import { byPosition, type Diagnostic } from '../diagnostics.js';
import { parseMarkdown } from '../markdown/parse.js';
import { instantiate } from './axes.js';
import { withFrontmatter, type GivenFrontmatter, type GivenPlaces } from './given-frontmatter.js';
import { buildPipeline } from './infer.js';
import type { Pipeline } from './pipeline.js';
import { missingEnvironments } from './missing-environments.js';
import { originalPathsInCommands } from './original-paths.js';
import { commandsReadAsOutput } from './transcript-output.js';
import { validateMaps } from './validate-maps.js';

/**
 * Markdown text → validated pipeline, or every problem found, in document order.
 * `overrides` are the `-e NAME=VALUE` of a run: they restrict axes to some of their
 * values and replace scalar keys in `%{NAME}`.
 */
export function loadPipeline(
  file: string,
  source: string,
  overrides?: ReadonlyMap<string, string>,
  /** Frontmatter values from a config file: they replace the document's before `-e` applies. */
  given?: GivenFrontmatter,
  /** Where a config file gave some of the overrides: their problems are located there. */
  places?: GivenPlaces,
): { pipeline: Pipeline | undefined; diagnostics: Diagnostic[] } {
  const parsed = parseMarkdown(file, source);
  // A block dropped for a bad tag, a swallowed fence or unknown frontmatter inputs would make the
  // inference report consequences (undefined environments, paths nobody writes) instead of the cause.
  if (parsed.diagnostics.some((d) => d.severity === 'error')) {
    return { pipeline: undefined, diagnostics: parsed.diagnostics.sort(byPosition) };
  }
  // Instances replace the blocks that mention axes before inference: they are ordinary blocks to it.
  const givenProblems: Diagnostic[] = [];
  const swept = instantiate(withFrontmatter(parsed.document, given, givenProblems), overrides, places);
  if (givenProblems.length > 0 || swept.diagnostics.length > 0) {
    return { pipeline: undefined, diagnostics: [...parsed.diagnostics, ...givenProblems, ...swept.diagnostics].sort(byPosition) };
  }
  const built = buildPipeline(swept.document);
  const mapProblems = built.pipeline === undefined ? [] : validateMaps(built.pipeline);
  const diagnostics = [...parsed.diagnostics, ...missingEnvironments(swept.document), ...originalPathsInCommands(swept.document), ...commandsReadAsOutput(swept.document), ...built.diagnostics, ...mapProblems].sort(byPosition);
  return { pipeline: diagnostics.some((d) => d.severity === 'error') ? undefined : built.pipeline, diagnostics };
}
