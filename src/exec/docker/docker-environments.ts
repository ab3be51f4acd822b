import { dirname, resolve } from 'node:path';
import { canonicalJson } from '../../canonical-json.js';
import { emptyLock, lockPathFor, readLock, updateLock, type LockFile } from '../../lockfile.js';
import type { Environment, Pipeline } from '../../pipeline/pipeline.js';
import type { Executor, SharedBuilds } from '../executor.js';
import { maskText } from '../secret-mask.js';
import { contextIgnore } from '../../build-context.js';
import { buildInputs, type BuildInputs } from './build-inputs.js';
import { connectDocker, type Connection, type DockerClient } from './client.js';
import { buildImage } from './build-image.js';
import { DockerExecutor } from './docker-executor.js';
import { builtFor, short } from './image-names.js';
import { dockerEndpoint } from './endpoint.js';
import { askTagged, probeTagged } from './tagged-image.js';
import { LockedImages } from './locked-images.js';

export const DOCKER_ID_PREFIX = 'docker:';

type Locked = LockFile['environments'][string];
/** `unchecked`: the image the lock file names, taken without the engine, which could not be asked (why). */
type Ensured = { readonly id: string; readonly unchecked?: string } | { readonly error: string };

export interface DockerEnvironmentOptions {
  readonly pipelinePath: string;
  readonly update: boolean;
  /** Values masked in a build's log and error (`EnvironmentOptions.secrets`). */
  readonly secrets?: readonly string[];
  /** For tests: how to reach the engine. */
  readonly connect?: () => Promise<Connection>;
}

/**
 * Container environments of one pipeline: their ids for `plan` (from the
 * lock file; an engine that can be asked says whether the locked images
 * are still there, and which image built earlier from the same inputs `run`
 * would use again), building them for `run` (once per run each, and once
 * across the runs given the store's leases),
 * and an executor per environment. The id is the image's content id, so a
 * changed environment changes the key of exactly the jobs that use it.
 */
export class DockerEnvironments {
  private readonly lockPath: string;
  private readonly contextDir: string;
  private lock: LockFile | undefined;
  private readonly inputs = new Map<string, BuildInputs>();
  private readonly ensured = new Map<string, Promise<Ensured>>();
  private readonly images = new Map<string, string>();
  private readonly executors = new Map<string, Executor>();
  private connection: Promise<Connection> | undefined;
  /** What the engine has now of what the lock names. */
  private readonly engine = new LockedImages(() => this.pipeline.environments.keys(), (env) => this.locked(env));
  /** Per environment, the id of an image `run` would use again though the lock names another; null: none. */
  private readonly tagged = new Map<string, string | null>();
  /** Builds started by this provider (tests count them). */
  builds = 0;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly options: DockerEnvironmentOptions,
  ) {
    const path = resolve(options.pipelinePath);
    this.lockPath = lockPathFor(path);
    this.contextDir = dirname(path);
  }

  current(name: string): { readonly id: string } | { readonly missing: string } {
    const ensured = this.images.get(name);
    if (ensured !== undefined) return { id: DOCKER_ID_PREFIX + ensured };
    const found = this.lockedImage(name);
    if ('id' in found || this.options.update) return found;
    // A rebuild starts from the locked bases the engine still has: one that is gone is taken as its tag is now.
    const gone = Object.entries(this.locked(name)?.bases ?? {}).find(([, id]) => this.engine.ids()?.get(id) === null);
    if (gone === undefined) return found;
    const [ref, id] = gone;
    const now = this.engine.ids()?.get(ref);
    const from = typeof now === 'string' ? `what ${ref} names now (${short(now)})` : `${ref} as the engine has it then`;
    return { missing: `${found.missing}, from ${from}: its locked base ${short(id)} is no longer on this machine` };
  }

  private lockedImage(name: string): { readonly id: string } | { readonly missing: string } {
    const locked = this.locked(name);
    if (locked?.image === undefined || locked.inputs === undefined) return this.taggedNow(name) ?? { missing: `environment ${name} not built yet` };
    if (this.inputsOf(name).hash !== locked.inputs) return this.taggedNow(name) ?? { missing: `environment ${name} changed (Dockerfile or copied files): will rebuild` };
    // `run` rebuilds an image deleted from the engine (with a new id): the plan must not promise its jobs cached.
    // Unless the engine holds an image of these inputs under its tag (a lock from another machine): `run` takes that one.
    if (this.engine.ids()?.get(locked.image) === null) return this.taggedNow(name) ?? { missing: `environment ${name}: image ${short(locked.image)} no longer exists: will rebuild` };
    // A lock merged or edited by hand may name another environment's image: run builds this one's.
    const labels = this.engine.labels(locked.image);
    if (labels !== undefined && !builtFor(labels, name, locked.inputs)) return this.taggedNow(name) ?? { missing: `environment ${name}: the lock's image ${short(locked.image)} was built for other inputs (${labels['shark.env'] ?? '?'}, a lock file merged or edited by hand): will rebuild` };
    if (this.options.update) {
      const moved = this.engine.drifted().find((d) => d.env === name);
      if (moved !== undefined) return { missing: `environment ${name}: base ${moved.ref} moved ${short(moved.from)} → ${short(moved.to)}: will rebuild (--update)` };
    }
    return { id: DOCKER_ID_PREFIX + locked.image };
  }

  /** What `EnvironmentView.reread` forgets: the lock as read, the images found, and what the engine was asked. */
  reread(): void {
    if ([...this.ensured.keys()].length > 0) return; // A session that built here knows its own images.
    this.lock = undefined;
    this.tagged.clear();
    this.inputs.clear();
    this.engine.forget();
  }

  ensure(name: string, signal: AbortSignal, shared?: SharedBuilds): Promise<Ensured> {
    let pending = this.ensured.get(name);
    if (pending === undefined) {
      // A build's output leaves here only masked, whoever shows it (run's tail and --json, the shell, a job's failure).
      pending = this.build(name, signal, shared).then((e) => ('error' in e ? { error: this.masked(e.error) } : e));
      this.ensured.set(name, pending);
    }
    return pending;
  }

  executor(name: string): Executor {
    let executor = this.executors.get(name);
    if (executor === undefined) {
      executor = new DockerExecutor(async (signal) => {
        const env = await this.ensure(name, signal);
        if ('error' in env) return { ok: false, message: env.error };
        const connection = await this.connect();
        if (!connection.ok) return { ok: false, message: connection.message };
        const block = this.environment(name).block.at;
        const environment = `environment ${name} (${this.pipeline.document.file}:${block.line}:${block.col})`;
        return { ok: true, client: connection.client, image: env.id.slice(DOCKER_ID_PREFIX.length), environment };
      });
      this.executors.set(name, executor);
    }
    return executor;
  }

  /**
   * One line per base image whose tag now points elsewhere than the lock
   * says. Asks the engine only when something is locked, and says nothing
   * when it cannot be reached.
   */
  notes(jobCounts?: ReadonlyMap<string, number>): string[] {
    return this.engine.drifted().map((d) => {
      const counted = jobCounts?.get(d.env);
      const n = counted ?? this.pipeline.steps.filter((s) => s.kind === 'run' && s.env === d.env).length;
      const what = counted === undefined ? (n === 1 ? 'step' : 'steps') : n === 1 ? 'job' : 'jobs';
      // Its image must be built again, and the locked base is gone: run builds from where the tag is now.
      const rebuilt = !this.options.update && this.engine.ids()?.get(d.from) === null && 'missing' in this.current(d.env);
      const when = this.options.update ? 'will run' : rebuilt ? 'will run, rebuilt from it: the locked base is no longer on this machine' : 'would run with --update';
      return `${d.env}: base ${d.ref} moved ${short(d.from)} → ${short(d.to)}; ${n} ${what} ${when}`;
    });
  }

  /** The image `run` would use again though the lock names another (tagged-image.ts); not under --update, which builds. */
  private taggedNow(name: string): { readonly id: string } | undefined {
    if (this.options.update) return undefined;
    let found = this.tagged.get(name);
    if (found === undefined) {
      const inputs = this.inputsOf(name);
      const reusable = inputs.outside.length > 0 ? undefined
        : probeTagged(dockerEndpoint(), name, inputs.hash, this.environment(name).spec.bases, this.locked(name)?.bases ?? {});
      this.tagged.set(name, (found = reusable === undefined ? null : DOCKER_ID_PREFIX + reusable.image));
    }
    return found === null ? undefined : { id: found };
  }

  /** An image built earlier from these inputs (tagged-image.ts): used, and locked as if built now. */
  private async reuseTagged(client: DockerClient, name: string, inputs: BuildInputs): Promise<Ensured | undefined> {
    const found = await askTagged(client, name, inputs.hash, this.environment(name).spec.bases, this.locked(name)?.bases ?? {});
    if (found === undefined) return undefined;
    const unrecorded = this.record(name, { bases: found.bases, image: found.image, inputs: inputs.hash });
    if (unrecorded !== undefined) return { error: `environment ${name}: the lock file could not be updated: ${unrecorded}` };
    this.images.set(name, found.image);
    return { id: DOCKER_ID_PREFIX + found.image };
  }

  private connect(): Promise<Connection> {
    this.connection ??= (this.options.connect ?? connectDocker)();
    return this.connection;
  }

  private locked(name: string): Locked | undefined {
    if (this.lock === undefined) {
      // A malformed lock file was reported (exit 2) when the session opened, before any environment is asked for.
      const read = readLock(this.lockPath);
      this.lock = read.ok ? read.lock : emptyLock();
    }
    return this.lock.environments[name];
  }

  private inputsOf(name: string): BuildInputs {
    let inputs = this.inputs.get(name);
    if (inputs === undefined) {
      inputs = this.hashInputs(name);
      this.inputs.set(name, inputs);
    }
    return inputs;
  }

  /** The environment's inputs as its build context holds them now (`build-inputs.ts`). */
  private hashInputs(name: string): BuildInputs {
    return buildInputs(this.environment(name).spec, this.contextDir, contextIgnore(this.contextDir, this.pipeline));
  }

  private masked(text: string): string {
    return maskText(text, this.options.secrets ?? []);
  }

  private environment(name: string): Environment {
    const env = this.pipeline.environments.get(name);
    if (env === undefined) throw new Error(`no shark-build block defines environment ${name}`);
    return env;
  }

  private async build(name: string, signal: AbortSignal, shared: SharedBuilds | undefined): Promise<Ensured> {
    const connection = await this.connect();
    if (!connection.ok) {
      // As `plan` does, an unreachable engine leaves the lock trusted: cached jobs and publishing need no
      // engine, and a job of this environment that must run fails on the connection (executor()).
      const locked = this.options.update ? undefined : this.current(name);
      return locked !== undefined && 'id' in locked ? { id: locked.id, unchecked: connection.message } : { error: connection.message };
    }
    const { client } = connection;
    // Hashed now rather than from plan's memo: the build must record what it actually sent.
    const inputs = this.hashInputs(name);
    this.inputs.set(name, inputs);
    const escape = inputs.outside[0];
    if (escape !== undefined) {
      return { error: `building environment ${name} failed: COPY source ${escape.source} is a symbolic link to ${escape.target}, outside the pipeline's directory ${this.contextDir}: Docker sends nothing from outside the build context, and neither does Shark (copy the file into the directory instead)` };
    }
    // Refused at its line before the run (refuseUnreadable): here only if it went missing since.
    if (inputs.missing.length > 0) return { error: `building environment ${name} failed: ${inputs.missing.join(', ')}, which its COPY names, is no longer in the pipeline's directory ${this.contextDir}` };
    try {
      const found = this.options.update ? undefined : (await this.reuse(client, name, inputs.hash, false)) ?? (await this.reuseTagged(client, name, inputs));
      if (found !== undefined) return found;
      if (shared === undefined) return await this.buildImage(client, name, inputs, signal, undefined);
      // Under the lease of this environment's inputs: a run sharing the store that builds them meanwhile is waited
      // for. Not another environment's with the same inputs: its image, labelled with its name, is not this one's.
      const lease = `env:${JSON.stringify(name)}:${inputs.hash}`;
      const seen = canonicalJson(this.locked(name) ?? null);
      if ((await shared.leases.acquire(lease, signal, () => false, shared.waiting)).kind === 'aborted') return { error: `building environment ${name} was cancelled` };
      try {
        this.lock = undefined;
        // Under --update, only an image built meanwhile, from the bases as they are now, is the one asked for.
        const builtMeanwhile = canonicalJson(this.locked(name) ?? null) !== seen;
        const reused = !this.options.update || builtMeanwhile ? await this.reuse(client, name, inputs.hash, this.options.update) : undefined;
        // Another run of a copy of this document (its own lock) may have built the same inputs meanwhile.
        const tagged = reused === undefined && !this.options.update ? await this.reuseTagged(client, name, inputs) : undefined;
        return reused ?? tagged ?? (await this.buildImage(client, name, inputs, signal, shared.built));
      } finally {
        shared.leases.release(lease);
      }
    } catch (e) {
      if (signal.aborted) return { error: `building environment ${name} was cancelled` };
      return { error: `building environment ${name} failed: ${(e as Error).message}` };
    }
  }

  /**
   * The locked image, when it was built from `inputsHash` and the engine
   * still has it (and, with `currentBases`, from the base images the tags
   * name now).
   */
  private async reuse(client: DockerClient, name: string, inputsHash: string, currentBases: boolean): Promise<Ensured | undefined> {
    const locked = this.locked(name);
    if (locked?.image === undefined || locked.inputs !== inputsHash) return undefined;
    const seen = await client.imageAncestry(locked.image);
    if (seen?.id !== locked.image || !builtFor(seen.labels, name, inputsHash)) return undefined;
    if (currentBases) {
      for (const [ref, id] of Object.entries(locked.bases)) if ((await client.imageId(ref)) !== id) return undefined;
    }
    this.images.set(name, locked.image);
    return { id: DOCKER_ID_PREFIX + locked.image };
  }

  private async buildImage(client: DockerClient, name: string, inputs: BuildInputs, signal: AbortSignal, keep: ((log: string) => void) | undefined): Promise<Ensured> {
    this.builds++;
    const built = await buildImage({
      client, name, env: this.environment(name), inputs, locked: this.locked(name)?.bases ?? {}, update: this.options.update, signal,
    });
    keep?.(this.masked(built.log));
    if (!built.ok) return { error: built.error };
    const unrecorded = this.record(name, { bases: built.bases, image: built.image, inputs: inputs.hash });
    if (unrecorded !== undefined) return { error: `environment ${name} was built, but the lock file could not be updated: ${unrecorded}` };
    this.images.set(name, built.image);
    return { id: DOCKER_ID_PREFIX + built.image };
  }

  /**
   * Writes the entry as soon as the image is built, merged under the lock
   * with what other runs and this run's imports wrote meanwhile. Returns
   * why it could not, if it could not.
   */
  private record(name: string, entry: Locked): string | undefined {
    const changed = canonicalJson(this.locked(name) ?? null) !== canonicalJson(entry);
    const updated = updateLock(this.lockPath, (lock) => {
      lock.environments[name] = entry;
    });
    if (!updated.ok) return updated.message;
    this.lock = updated.lock;
    if (changed) this.engine.forget();
    return undefined;
  }
}
