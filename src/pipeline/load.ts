import { inDocumentOrder, type Diagnostic } from '../diagnostics.js';
import type { Axis, Document } from '../markdown/document.js';
import { parseMarkdown } from '../markdown/parse.js';
import { instantiate, restrictAxes } from './axes.js';
import { withFrontmatter, type GivenFrontmatter, type GivenPlaces } from './given-frontmatter.js';
import { buildPipeline } from './infer.js';
import type { Pipeline, Step } from './pipeline.js';
import { missingEnvironments } from './missing-environments.js';
import { basesNamingEnvironments } from './environment-bases.js';
import { originalPathsInCommands } from './original-paths.js';
import { filesLostBetweenCommands } from './fresh-containers.js';
import { untrackedWrites } from './untracked-writes.js';
import { shellBlindSpots } from './shell-blind-spots.js';
import { axisVariables } from './axis-variables.js';
import { commandsReadAsOutput } from './transcript-output.js';
import { hiddenWriters, withNeededInstances, type LeftOut, type Need } from './needed-instances.js';
import { unmatchedPatterns } from './unmatched-patterns.js';
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
): { pipeline: Pipeline | undefined; diagnostics: Diagnostic[]; partial?: Pipeline } {
  const parsed = parseMarkdown(file, source);
  // A block dropped for a bad tag, a swallowed fence or unknown frontmatter inputs would make the
  // inference report consequences (undefined environments, paths nobody writes) instead of the cause.
  if (parsed.diagnostics.some((d) => d.severity === 'error')) {
    return { pipeline: undefined, diagnostics: inDocumentOrder(parsed.diagnostics) };
  }
  // Instances replace the blocks that mention axes before inference: they are ordinary blocks to it.
  const givenProblems: Diagnostic[] = [];
  const document = withFrontmatter(parsed.document, given, givenProblems, places);
  const swept = instantiate(document, overrides, places);
  if (givenProblems.length > 0 || swept.diagnostics.length > 0) {
    return { pipeline: undefined, diagnostics: inDocumentOrder([...parsed.diagnostics, ...givenProblems, ...swept.diagnostics]) };
  }
  const subset = overrides === undefined || swept.references.length > 0 ? undefined : withNeeded(document, overrides);
  const blocks = subset?.document ?? swept.document;
  const built = buildPipeline(blocks);
  const mapProblems = mapChecks(built);
  const found = [...missingEnvironments(blocks), ...originalPathsInCommands(blocks), ...filesLostBetweenCommands(blocks), ...commandsReadAsOutput(blocks), ...shellBlindSpots(blocks), ...axisVariables(blocks), ...untrackedWrites(blocks, built.pipeline), ...built.diagnostics, ...mapProblems,
    ...basesNamingEnvironments(built.pipeline ?? built.partial, blocks.file)];
  // A line with a bad `%{…}` was checked as written: what else is found on it follows from that.
  const badLines = new Set(swept.references.map((d) => d.at.line));
  const diagnostics = inDocumentOrder([...parsed.diagnostics, ...swept.references, ...found.filter((d) => d.file !== file || !badLines.has(d.at.line))]);
  const pipeline = diagnostics.some((d) => d.severity === 'error') ? undefined : built.pipeline;
  // What was built of a document that does not check, for what looks at its steps all the same (`template`'s warnings).
  const partial = pipeline === undefined ? built.pipeline ?? built.partial : undefined;
  return { pipeline: pipeline === undefined || subset === undefined ? pipeline : withSubset(pipeline, subset), diagnostics, ...(partial !== undefined ? { partial } : {}) };
}

/**
 * The maps' own problems, found also beside other errors (all are said at
 * once): then over what was built, leaving out a pattern over what a step
 * with an error writes (its outputs may lack the one that failed) and a
 * line that already has an error.
 */
function mapChecks(built: ReturnType<typeof buildPipeline>): Diagnostic[] {
  if (built.pipeline !== undefined) return [...validateMaps(built.pipeline), ...unmatchedPatterns(built.pipeline)];
  if (built.partial === undefined) return [];
  const lines = new Set(built.diagnostics.map((d) => d.at.line));
  const sound = (step: Step): boolean => {
    const from = step.at.line;
    const to = from + (step.kind === 'run' ? step.command.split('\n').length : 1);
    return ![...lines].some((l) => l >= from && l < to);
  };
  const found = [...validateMaps(built.partial), ...unmatchedPatterns(built.partial, sound)];
  return found.filter((d) => !lines.has(d.at.line));
}

/** What the subset `-e` keeps says of the instances it needs and those it leaves out. */
function withSubset(pipeline: Pipeline, subset: { needed: Map<string, Need>; leftOut: LeftOut[] }): Pipeline {
  const hidden = hiddenWriters(pipeline, subset.needed);
  return {
    ...pipeline,
    ...(subset.needed.size > 0 ? { needed: subset.needed } : {}),
    ...(hidden.size > 0 ? { hidden } : {}),
    ...(subset.leftOut.length > 0 ? { leftOut: subset.leftOut } : {}),
  };
}

/**
 * With `-e` keeping some of an axis's values: the instances kept and those
 * they need (`needed-instances.ts`), found in the whole sweep. Undefined
 * when `-e` keeps every value, or the whole sweep does not build (the
 * subset's own problems are then reported).
 */
function withNeeded(document: Document, overrides: ReadonlyMap<string, string>): { document: Document; needed: Map<string, Need>; leftOut: LeftOut[] } | undefined {
  const axes = document.frontmatter?.axes ?? new Map<string, Axis>();
  const values = restrictAxes(document.file, axes, overrides, []);
  if ([...axes].every(([name, axis]) => values.get(name)?.length === axis.values.length)) return undefined;
  const whole = instantiate(document, new Map([...overrides].filter(([name]) => !axes.has(name))));
  const built = whole.diagnostics.length > 0 || whole.references.length > 0 ? undefined : buildPipeline(whole.document).pipeline;
  return built === undefined ? undefined : withNeededInstances(built, values);
}
