import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { error, formatReport, type Position } from '../diagnostics.js';
import type { GivenFrontmatter, GivenPlaces } from '../pipeline/given-frontmatter.js';
import { splitList } from '../plan/selection.js';
import { readConfig, type ConfigSetting, type SharkConfig } from './config-file.js';
import { documentSecrets, hideSecretValues } from './config-excerpt.js';
import { CONFIG_KEYS, type ConfigKey } from './config-keys.js';
import { displayName, EXIT_INVALID, ExitError } from './load-or-report.js';

/** The config file a command used, handed to its action among the option values. */
export interface ConfigUse {
  readonly config: SharkConfig;
  /** `--config FILE`, or `shark.yaml` beside the pipeline. */
  readonly found: 'flag' | 'beside';
  /** Option values the command line gave, before the config file's were merged into them. */
  readonly commandLine: ReadonlyMap<string, unknown>;
  /** The targets are the config file's `targets:` (the command line named none). */
  readonly targetsFromConfig: boolean;
}

/** The option value under which `applyConfig` leaves its `ConfigUse`. */
export const CONFIG_USE = 'sharkConfig';

export const CONFIG_NAME = 'shark.yaml';

type ConfigPath = { path: string; found: 'flag' | 'beside' };

/** `--config FILE`, else shark.yaml beside the pipeline; with neither a flag nor a pipeline, none. */
export function configPathFor(pipeline: string, flag: string | undefined): ConfigPath;
export function configPathFor(pipeline: string | undefined, flag: string | undefined): ConfigPath | undefined;
export function configPathFor(pipeline: string | undefined, flag: string | undefined): ConfigPath | undefined {
  if (flag !== undefined) return { path: resolve(flag), found: 'flag' };
  return pipeline === undefined ? undefined : { path: join(dirname(resolve(pipeline)), CONFIG_NAME), found: 'beside' };
}

const hasOption = (cmd: Command, attribute: string): boolean => cmd.options.some((o) => o.attributeName() === attribute);

/**
 * Before the action of a command that takes `--config`: reads the config file
 * (`--config FILE`, or shark.yaml beside the pipeline if there is one) and
 * makes its settings the defaults of the command's options. An option the
 * command line gave keeps its value (for `NAME=VALUE` options, name by name);
 * so does one whose environment variable is set. Exits 2 on a bad file.
 * A command whose pipeline is optional (`fsck`) given none reads `--config FILE` all the same.
 */
export function applyConfig(cmd: Command, stderr: (s: string) => void): void {
  if (!hasOption(cmd, 'config')) return;
  const pipeline: unknown = cmd.processedArgs[0];
  // Several pipelines (`gc`) each have their own config file: gc reads them.
  if (typeof pipeline !== 'string' && pipeline !== undefined) return;
  const where = configPathFor(pipeline, cmd.getOptionValue('config') as string | undefined);
  if (where === undefined) return;
  const { path, found } = where;
  if (found === 'beside' && !existsSync(path)) return;
  const config = readOrExit(path, stderr, pipeline);
  const commandLine = new Map<string, unknown>();
  for (const key of CONFIG_KEYS) {
    // An option no command has yet (another part still being built) or this command lacks: nothing to default.
    if (!hasOption(cmd, key.option)) continue;
    const source = cmd.getOptionValueSource(key.option);
    const given = source === 'cli' || source === 'env';
    if (given) commandLine.set(key.option, cmd.getOptionValue(key.option));
    const setting = config.options.get(key.key);
    if (setting === undefined) continue;
    if (given) {
      if (setting.shape === 'pairs') cmd.setOptionValueWithSource(key.option, mergePairs(setting, cmd.getOptionValue(key.option)), source);
      continue;
    }
    if (key.envVar !== undefined && (process.env[key.envVar] ?? '') !== '') continue;
    cmd.setOptionValueWithSource(key.option, optionValue(cmd, key, setting), 'config');
  }
  const targetsFromConfig = applyTargets(cmd, config);
  const use: ConfigUse = { config, found, commandLine, targetsFromConfig };
  cmd.setOptionValue(CONFIG_USE, use);
}

/** The config file's `NAME=VALUE`s first, without the names the command line gives: those win. */
function mergePairs(setting: ConfigSetting & { shape: 'pairs' }, fromCommandLine: unknown): string[] {
  const given = Array.isArray(fromCommandLine) ? (fromCommandLine as unknown[]).map(String) : [];
  const named = pairNames(given);
  return [...setting.pairs.filter((p) => !named.has(p.name)).map((p) => `${p.name}=${p.value}`), ...given];
}

/** The names of `NAME=VALUE` option values. */
function pairNames(values: unknown): Set<string> {
  const given = Array.isArray(values) ? (values as unknown[]).map(String) : [];
  return new Set(given.map((v) => v.slice(0, Math.max(0, v.indexOf('=')))));
}

function optionValue(cmd: Command, key: ConfigKey, setting: ConfigSetting): unknown {
  switch (setting.shape) {
    case 'single':
      return setting.value;
    case 'pairs':
      return mergePairs(setting, undefined);
    case 'list': {
      // A list option is variadic or repeatable (an array); one that takes a single text gets the names comma-separated.
      const option = cmd.options.find((o) => o.attributeName() === key.option);
      return option?.variadic === true || Array.isArray(option?.defaultValue) || option?.parseArg !== undefined ? [...setting.values] : setting.values.join(',');
    }
  }
}

/** `targets:` when the command takes targets and the command line names none; whether it did. */
function applyTargets(cmd: Command, config: SharkConfig): boolean {
  if (config.targets === undefined) return false;
  const index = cmd.registeredArguments.findIndex((a) => a.name() === 'targets');
  if (index < 0) return false;
  const current: unknown = cmd.processedArgs[index];
  if (Array.isArray(current) && current.length > 0) return false;
  // The action receives processedArgs as they are after this hook.
  cmd.processedArgs[index] = [...config.targets.values];
  return true;
}

/** The frontmatter values of the config file a command used, for loading its pipeline. */
export function givenFrontmatter(flags: { [CONFIG_USE]?: ConfigUse }): GivenFrontmatter | undefined {
  const use = flags[CONFIG_USE];
  return use === undefined ? undefined : frontmatterOf(use.config);
}

/** A config file's `frontmatter:` values, as a pipeline is loaded with them. */
export function frontmatterOf(config: SharkConfig): GivenFrontmatter {
  return new Map([...config.frontmatter].map(([name, { value }]) => [name, value]));
}

/**
 * Where the config file gave the `-e` values, `-i` bindings, `--pool` sizes
 * and `--secrets` file the command line did not: a problem found with one
 * is located there.
 */
export function givenPlaces(flags: { [CONFIG_USE]?: ConfigUse }): GivenPlaces | undefined {
  const use = flags[CONFIG_USE];
  if (use === undefined) return undefined;
  const placesOf = (key: string, option: string): Map<string, Position> => {
    const setting = use.config.options.get(key);
    const given = pairNames(use.commandLine.get(option));
    return new Map(setting?.shape === 'pairs' ? setting.pairs.filter((p) => !given.has(p.name)).map((p) => [p.name, p.at]) : []);
  };
  const secrets = use.commandLine.has('secrets') ? undefined : use.config.options.get('secrets')?.at;
  const env = use.config.options.get('env');
  const spans = new Map<string, readonly [number, number]>();
  for (const p of env?.shape === 'pairs' ? env.pairs : []) if (p.span !== undefined) spans.set(p.name, p.span);
  for (const [name, { span }] of use.config.frontmatter) if (span !== undefined) spans.set(name, span);
  const frontmatter = new Map([...use.config.frontmatter].map(([name, { at }]) => [name, at]));
  return { file: use.config.file, source: use.config.source, env: placesOf('env', 'env'), inputs: placesOf('inputs', 'input'), pools: placesOf('pools', 'pool'), secrets, frontmatter, spans };
}

/**
 * A `--force` name or target the pipeline does not have, located in the
 * config file when it gave it (`force:`, `targets:`); undefined when the
 * command line did.
 */
export function configListProblem(flags: { [CONFIG_USE]?: ConfigUse }, key: 'force' | 'targets', name: string, message: string): string | undefined {
  const use = flags[CONFIG_USE];
  const list = use === undefined ? undefined
    : key === 'targets' ? (use.targetsFromConfig ? use.config.targets : undefined)
    : use.commandLine.has('force') ? undefined : use.config.options.get('force');
  if (use === undefined || list === undefined || !('valuesAt' in list)) return undefined;
  // A `--force` value may be a comma list.
  const i = list.values.findIndex((v) => (key === 'force' ? splitList(v).includes(name) : v === name));
  return i < 0 ? undefined : formatReport([error(use.config.file, list.valuesAt[i]!, `\`${key}\`: ${message}`)], () => use.config.source).trimEnd();
}

/** `--config FILE` for commands outside withSessionOptions (check, dag, impact, gc, fsck). */
export function configOption(): Option {
  return new Option('--config <file>', 'settings and frontmatter values from this YAML file (default: shark.yaml beside the pipeline, if there is one)');
}

/**
 * A pipeline's config file (`--config FILE`, or shark.yaml beside it), for
 * commands given several pipelines (`gc`), each with its own; undefined when
 * there is none. Exits 2 on a bad file.
 */
export function configFor(pipeline: string, flag: string | undefined, stderr: (s: string) => void): SharkConfig | undefined {
  const { path, found } = configPathFor(pipeline, flag);
  if (found === 'beside' && !existsSync(path)) return undefined;
  return readOrExit(path, stderr, pipeline);
}

/** The store a config file names; undefined when it names none. */
export function storeOf(config: SharkConfig | undefined): string | undefined {
  const store = config?.options.get('store');
  return store?.shape === 'single' && typeof store.value === 'string' ? store.value : undefined;
}

/** The config file, or every problem in it printed (a value of one of `pipeline`'s secrets hidden) and exit 2. */
function readOrExit(path: string, stderr: (s: string) => void, pipeline: string | undefined): SharkConfig {
  const read = readConfig(path, displayName(path));
  if (read.ok) return read.config;
  if (read.reason === 'unreadable') stderr(read.message + '\n');
  else {
    const secrets = pipeline === undefined ? undefined : documentSecrets(pipeline);
    stderr(formatReport(hideSecretValues(read.diagnostics, read.source, secrets), () => read.source));
  }
  throw new ExitError(EXIT_INVALID);
}
