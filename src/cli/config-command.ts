import { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { inputBindings } from '../plan/session.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { CONFIG_NAME, CONFIG_USE, givenFrontmatter, givenPlaces, type ConfigUse } from './apply-config.js';
import type { ConfigSetting } from './config-file.js';
import { CONFIG_KEYS, type ConfigKey } from './config-keys.js';
import { PLANNING, withSessionOptions } from './common-options.js';
import { EXIT_INVALID, ExitError, loadOrReport } from './load-or-report.js';
import { storeSpec } from './find-store.js';
import { failureMessage } from '../store/zfs/failure.js';
import { goodZfsSpec } from '../store/zfs/layout.js';
import type { Io } from './main.js';
import { secretValues } from './secrets.js';
import { parseResourceFlags, runLimits } from './resource-flags.js';
import { refuseBadBindings } from './session-setup.js';
import { envPairs, inputPairs } from './option-pairs.js';
import { selectOrReport } from './targets.js';
import { configRefutations, refuseConfigRefutations } from './config-refutations.js';
import { configAt, variableSettings, type Setting } from './config-variables.js';
import { checkExecutorFlags, type ExecutorFlags } from './executor-flags.js';
import { positiveCount } from './numbers.js';
import { fromHere, printable } from '../printable.js';

type Flags = Record<string, unknown> & ExecutorFlags & { jobs?: string; env?: string[]; input?: string[]; secrets?: string; pool?: string[]; memory?: string; json?: boolean; [CONFIG_USE]?: ConfigUse };

/**
 * `shark config FILE`: what `run` would use, and where each value came from.
 * It takes the options of `run` that a config file sets, so it can show the
 * command line winning; it loads the pipeline (values are checked) but opens no store.
 */
export function configCommand(io: Io, run: Command): Command {
  const cmd = withSessionOptions(
    new Command('config')
      .description('print the effective settings (command line > config file > document) and where each came from')
      .argument('<file>', 'pipeline markdown file'),
    PLANNING,
  );
  for (const o of run.options) {
    if (CONFIG_KEYS.some((k) => k.option === o.attributeName()) && !cmd.options.some((c) => c.attributeName() === o.attributeName())) cmd.addOption(o);
  }
  return cmd.option('--json', 'print the settings as JSON').action((file: string, flags: Flags) => {
    // The options run checks before it reads anything, checked as it checks them.
    const jobs = positiveCount('-j', flags.jobs, 1, io.stderr);
    checkExecutorFlags(flags, io.stderr);
    refuseBadZfsStore(storeSpec(flags.store as string | undefined), io.stderr);
    const use = flags[CONFIG_USE];
    const extra = envPairs(flags.env, io.stderr);
    const pipeline = loadOrReport(file, io.stderr, 'read', extra, givenFrontmatter(flags), givenPlaces(flags),
      (p) => configRefutations(p, dirname(resolve(file)), flags, io.stderr, true));
    refuseConfigRefutations(pipeline, dirname(resolve(file)), flags, io.stderr, true);
    checkBindings(file, pipeline, flags, extra, io.stderr);
    // An undeclared pool, a block needing more memory than the run may use: refused as run refuses them.
    runLimits(pipeline, jobs, parseResourceFlags(flags, io.stderr), flags.executor === 'slurm', givenPlaces(flags), io.stderr);
    // `force:` and `targets:` names the document does not have: refused as run refuses them.
    // `config` takes no targets of its own: those of the config file are run's.
    const configTargets = use?.config.targets?.values ?? [];
    selectOrReport(pipeline, configTargets, use === undefined ? flags : { ...flags, [CONFIG_USE]: { ...use, targetsFromConfig: configTargets.length > 0 } }, io.stderr);
    const targets: Setting[] = use?.config.targets === undefined ? [] : [{ name: 'targets', value: use.config.targets.values, ...configAt(use, use.config.targets.at.line) }];
    const settings = [configSetting(flags), ...optionSettings(cmd, file, flags, pipeline), ...targets, ...variableSettings(pipeline, use, flags.env ?? [])];
    if (flags.json === true) io.stdout(JSON.stringify({ settings }, null, 2) + '\n');
    else io.stdout(settings.map((s) => `${s.name} = ${shown(s)} (${originText(s, file)})\n`).join(''));
  });
}

/** A `zfs:` store name `run` refuses before it opens the store, refused alike (config opens none). */
function refuseBadZfsStore(spec: string | undefined, stderr: (s: string) => void): void {
  if (spec === undefined || !spec.startsWith('zfs:') || goodZfsSpec(spec)) return;
  stderr(`shark: error: cannot open the store ${spec}: ${failureMessage({ reason: 'bad-spec', spec })}\n`);
  throw new ExitError(EXIT_INVALID);
}

/**
 * What `run` would refuse in the values shown: an input bound to a path that
 * does not exist or not declared, an unreadable secrets file (exit 2). An unbound input is shown as such, and an
 * unset secret only warned about.
 */
function checkBindings(file: string, pipeline: Pipeline, flags: Flags, extra: ReadonlyMap<string, string>, stderr: (s: string) => void): void {
  const places = givenPlaces(flags);
  const bindings = inputPairs(flags.input, stderr);
  const bound = inputBindings({ pipeline, bindings, pipelineDir: dirname(resolve(file)) }, { places, unboundAllowed: true });
  refuseBadBindings(pipeline, bound.diagnostics, places, stderr);
  secretValues(pipeline, flags.secrets, extra, 'read', stderr, process.env, places);
}

function configSetting(flags: Flags): Setting {
  const use = flags[CONFIG_USE];
  if (use === undefined) return { name: 'config', value: null, from: 'default' };
  return use.found === 'flag'
    ? { name: 'config', value: use.config.file, from: 'command line', at: '--config' }
    : { name: 'config', value: use.config.file, from: 'default' };
}

/** The options a config file sets; `-e` and `-i` are shown by name (variables, `inputs.NAME`). */
function optionSettings(cmd: Command, file: string, flags: Flags, pipeline: Pipeline): Setting[] {
  const use = flags[CONFIG_USE];
  const out: Setting[] = [];
  for (const key of CONFIG_KEYS) {
    if (key.key === 'env' || !cmd.options.some((o) => o.attributeName() === key.option)) continue;
    const setting = use?.config.options.get(key.key);
    const source = cmd.getOptionValueSource(key.option);
    if (key.kind.endsWith('-by-name')) {
      out.push(...pairSettings(key, setting, use, flags[key.option], key.key === 'inputs' ? [...pipeline.inputs.keys()] : [], key.key === 'pools' ? documentPools(pipeline) : new Map()));
      continue;
    }
    const value = valueOf(key, flags[key.option] ?? (key.key === 'store' ? storeDefault(file) : undefined));
    const envValue = key.envVar === undefined ? undefined : process.env[key.envVar];
    if (source === 'cli') out.push({ name: key.key, value, from: 'command line', at: key.flag });
    else if (source === 'config' && setting !== undefined && use !== undefined) out.push({ name: key.key, value, ...configAt(use, setting.at.line) });
    else if (envValue !== undefined && envValue !== '') out.push({ name: key.key, value: valueOf(key, envValue), from: 'environment', at: `$${key.envVar!}` });
    else out.push({ name: key.key, value: value ?? (key.kind === 'boolean' ? false : null), from: 'default' });
  }
  return out;
}

/** The frontmatter's `pools:` sizes, each at its line: the layer under the config file's and `--pool`. */
function documentPools(pipeline: Pipeline): Map<string, Setting> {
  const doc = pipeline.document;
  return new Map([...(doc.frontmatter?.pools ?? [])].map(([name, p]) => [name, { name: `pools.${name}`, value: p.size, from: 'document', at: `${doc.file}:${p.at.line}` }]));
}

/**
 * `inputs.NAME`, `pools.NAME`: each name from the command line, else the
 * config file, else the document; declared inputs left unbound too.
 */
function pairSettings(
  key: ConfigKey, setting: ConfigSetting | undefined, use: ConfigUse | undefined, merged: unknown, declared: string[], fromDocument: ReadonlyMap<string, Setting>,
): Setting[] {
  const fromCommandLine = new Map<string, string>();
  // With a config file, the option's value holds its pairs too: the command line's are those it kept aside.
  const raw = use !== undefined ? use.commandLine.get(key.option) : merged;
  for (const v of (Array.isArray(raw) ? raw : []) as unknown[]) {
    if (typeof v !== 'string') continue;
    const eq = v.indexOf('=');
    if (eq > 0) fromCommandLine.set(v.slice(0, eq), v.slice(eq + 1));
  }
  const fromConfig = setting?.shape === 'pairs' ? setting.pairs : [];
  const names = [...new Set([...declared, ...fromDocument.keys(), ...fromConfig.map((p) => p.name), ...fromCommandLine.keys()])].sort();
  return names.map((name): Setting => {
    const given = fromCommandLine.get(name);
    const configured = fromConfig.find((p) => p.name === name);
    const label = `${key.key}.${name}`;
    if (given !== undefined) return { name: label, value: valueOf(key, given), from: 'command line', at: key.flag };
    if (configured !== undefined && use !== undefined) return { name: label, value: valueOf(key, configured.value), ...configAt(use, configured.at.line) };
    return fromDocument.get(name) ?? { name: label, value: null, from: 'default' };
  });
}

const storeDefault = (file: string): string => resolve(file, '..', '.shark');

/** As JSON shows it: counts as numbers, paths relative to the current directory. */
function valueOf(key: ConfigKey, raw: unknown): Setting['value'] {
  if (raw === undefined || raw === null) return null;
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === 'boolean') return raw;
  const text = String(raw);
  switch (key.kind) {
    case 'count':
    case 'counts-by-name':
      return Number(text);
    // As typed from here, and not escaped (the text output escapes it): in JSON, a JSON-quoted name was no path.
    case 'store':
      return text.startsWith('zfs:') ? text : fromHere(resolve(text));
    case 'path':
    case 'paths-by-name':
      return fromHere(resolve(text));
    default:
      return text;
  }
}

/** A value on its setting's line: a newline or an escape sequence in one (`-e`, shark.yaml) neither forges a line nor reaches the terminal. */
function shown({ name, value }: Setting): string {
  if (value === null) return CONFIG_KEYS.find((k) => k.key === name.split('.')[0])?.unset ?? 'none';
  if (Array.isArray(value)) return `[${value.map(printable).join(', ')}]`;
  return printable(String(value));
}

function originText(s: Setting, file: string): string {
  if (s.name === 'config') {
    if (s.from === 'command line') return 'command line --config';
    return s.value === null ? `no ${CONFIG_NAME} beside ${file}` : `beside ${file}`;
  }
  switch (s.from) {
    case 'default':
      return 'default';
    case 'command line':
      return `command line ${s.at ?? ''}`.trimEnd();
    case 'document':
    case 'config':
    case 'environment':
      return s.at ?? s.from;
  }
}
