import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openSession, reportingInvalidInput } from '../cli/session-setup.js';
import { displayName, EXIT_INVALID, ExitError } from '../cli/load-or-report.js';
import { configPathFor } from '../cli/apply-config.js';
import { readConfig } from '../cli/config-file.js';
import { storeSpec } from '../cli/find-store.js';
import { createEnvironmentProvider } from '../exec/environments.js';
import type { RunSession } from '../exec/executor.js';
import { lockPathFor, readLock } from '../lockfile.js';
import { loadPipeline } from '../pipeline/load.js';
import { readingInput } from '../plan/session.js';
import { openStore } from '../store/open-store.js';
import { shellRunOf } from '../store/run-table.js';
import { unwritable } from '../writable-path.js';
import type { SnapshotId } from '../store/snapshot-store.js';
import { latestResults } from './decide.js';
import { ShellSession, unknownEnvironment } from './session.js';
import { placeAt } from './tree.js';

export interface ShellFlags {
  store?: string;
  input?: string[];
  env?: string;
  save?: string;
}

/**
 * What a shark.yaml beside FILE sets that other commands run FILE with and
 * that changes its results (frontmatter values, `env`, `store`), said when
 * the shell, which reads no config file, finds them not cached; undefined
 * when there is none, or it sets none of them.
 */
function configBeside(file: string): string | undefined {
  const { path } = configPathFor(file, undefined);
  const read = existsSync(path) ? readConfig(path, displayName(path)) : undefined;
  if (read?.ok !== true) return undefined;
  const { frontmatter, options } = read.config;
  const env = options.get('env');
  const set = [
    ...(frontmatter.size > 0 ? [`frontmatter ${[...frontmatter.keys()].join(', ')}`] : []),
    ...(env?.shape === 'pairs' && env.pairs.length > 0 ? [`env ${env.pairs.map((p) => p.name).join(', ')}`] : []),
    ...(options.has('store') ? ['store'] : []),
  ];
  return set.length === 0 ? undefined : `${displayName(path)} beside ${displayName(file)} gives others (${set.join(', ')})`;
}

/** The document a session without FILE plans against until it has steps of its own: one that does nothing. */
const EMPTY = '```shark-run\n:\n```\n';

/**
 * Opens the session's store and environments. With FILE, /data starts as its
 * latest results (every step must be cached: `shark run FILE` first); without,
 * /data starts empty. Bad input (a `--save` path that cannot be written too)
 * is one line on stderr and exit 2.
 */
export async function openShell(file: string | undefined, flags: ShellFlags, stderr: (s: string) => void, signal: AbortSignal): Promise<ShellSession> {
  const fail = (message: string): never => {
    stderr(`shark: error: ${message}\n`);
    throw new ExitError(EXIT_INVALID);
  };
  // Without FILE no input is declared: an -i would be dropped without a word, as FILE's refuses one it does not declare.
  const [input] = file === undefined ? flags.input ?? [] : [];
  if (input !== undefined) return fail(`-i ${input}: without FILE there is no frontmatter input to bind (shark shell FILE -i NAME=PATH)`);
  const unsaved = flags.save === undefined ? undefined : unwritable(flags.save);
  if (unsaved !== undefined) return fail(`--save ${displayName(flags.save!)}: ${unsaved}`);
  let session: RunSession;
  let hostInputs: ReadonlyMap<string, string> = new Map();
  let base = '';
  if (file !== undefined) {
    const opened = openSession(file, { ...(flags.store !== undefined ? { store: flags.store } : {}), input: flags.input ?? [] }, stderr, true, 'run');
    session = opened.session;
    hostInputs = opened.hostInputs;
    base = readFileSync(file, 'utf8');
  } else {
    const dir = process.cwd();
    const pipelinePath = resolve(dir, 'shell.md');
    const pipeline = loadPipeline('shell.md', EMPTY).pipeline!;
    const opened = openStore(storeSpec(flags.store), dir);
    if (!opened.ok) return fail(opened.message);
    const lockPath = lockPathFor(pipelinePath);
    const lock = readLock(lockPath);
    session = {
      pipeline, pipelinePath, pipelineDir: dir, store: opened.value.store, meta: opened.value.meta,
      envs: createEnvironmentProvider(pipeline, { pipelinePath, update: false }),
      lock: lock.ok ? lock.lock : { version: 1, environments: {}, imports: {} } as never, lockPath,
      variables: [], bindings: new Map(), refresh: false, hostPath: process.env['PATH'] ?? '', secrets: new Map(),
    };
  }
  // Said before FILE's environments are built: one that cannot be built would hide it, and the user's typo is the news.
  const unknown = flags.env === undefined ? undefined : unknownEnvironment(flags.env, session.pipeline, file === undefined ? undefined : displayName(file));
  if (unknown !== undefined) return fail(`--env ${flags.env}: ${unknown}`);
  const envIds = new Map<string, string>();
  for (const name of session.pipeline.environments.keys()) {
    const current = session.envs.current(name);
    if ('id' in current) envIds.set(name, current.id);
  }
  let root: SnapshotId | undefined;
  const baseOutputs: string[] = [];
  const place = (path: string, id: SnapshotId): void => {
    root = placeAt(root, path, id, (i) => session.store.entries(i), (e) => session.store.composeTree(e));
    baseOutputs.push(path);
  };
  await reportingInvalidInput(session, stderr, async () => {
    for (const [dataPath, host] of hostInputs) place(dataPath, await readingInput(session, dataPath, host, (links) => session.store.ingest(host, links)));
  });
  if (file !== undefined) {
    // Environments FILE's steps ran in are built (or found) so that their ids, and the keys, are known; one no step
    // runs in is built when `:env` (or `--env`) takes it, as `run` builds only what its steps need.
    const used = new Set(session.pipeline.steps.flatMap((s) => (s.kind === 'run' && s.env !== undefined ? [s.env] : [])));
    for (const name of [...session.pipeline.environments.keys()].filter((n) => used.has(n))) {
      const env = await session.envs.ensure(name, signal);
      if ('error' in env) return fail(`environment ${name}: ${env.error}`);
      envIds.set(name, env.id);
    }
    const results = await reportingInvalidInput(session, stderr, () => latestResults(session, envIds, hostInputs));
    if (!results.ok) {
      const name = displayName(file);
      const config = results.uncached === undefined ? undefined : configBeside(file);
      return fail(config === undefined ? `${name}: ${results.message} (\`shark run ${name}\`)`
        : `${name}: ${results.uncached} is not cached with the values ${name} gives: shark shell reads no config file, and ${config}, which \`shark run ${name}\` uses (give them in ${name} to open its results here)`);
    }
    for (const [path, id] of results.outputs) place(path, id);
  }
  const runId = session.meta.startRun(shellRunOf(session.pipelinePath));
  const shell = new ShellSession(session, base, file === undefined ? 'shell.md' : displayName(file), root, baseOutputs, envIds, hostInputs, runId);
  if (flags.save !== undefined) shell.savedTo.set(resolve(flags.save), undefined);
  if (flags.env !== undefined) {
    const problem = await shell.useEnv(flags.env, signal);
    if (problem !== undefined) return fail(problem);
  }
  return shell;
}
