import { HOST_ENV_ID } from '../plan/environment.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { DockerEnvironments } from './docker/docker-environments.js';
import type { EnvironmentProvider, Executor } from './executor.js';
import { HostExecutor } from './host-executor.js';

export { HOST_ENV_ID };

export interface EnvironmentOptions {
  readonly pipelinePath: string;
  /** Rebuild environments and move the lock to new base digests. */
  readonly update: boolean;
  /** The values of the document's secrets, hidden in all a build says (a build is given none, but may print one from a file it copies). */
  readonly secrets?: readonly string[];
}

/**
 * Steps without an environment (or naming none of the pipeline's
 * `shark-build` blocks) run on the host; the others in containers of their
 * environment's image, through Docker. Docker is only contacted when a
 * container environment is ensured or its executor runs, so `plan` and
 * `check` work without it.
 */
export function createEnvironmentProvider(pipeline: Pipeline, options: EnvironmentOptions): EnvironmentProvider {
  const host = new HostExecutor();
  const docker = pipeline.environments.size > 0 ? new DockerEnvironments(pipeline, options) : undefined;
  const container = (name: string): DockerEnvironments | undefined => (pipeline.environments.has(name) ? docker : undefined);
  return {
    current: (name) => container(name)?.current(name) ?? { id: HOST_ENV_ID },
    ensure: async (name, signal, shared) => (await container(name)?.ensure(name, signal, shared)) ?? { id: HOST_ENV_ID },
    executor: (name): Executor => container(name)?.executor(name) ?? host,
    notes: (jobCounts) => docker?.notes(jobCounts) ?? [],
    reread: () => docker?.reread(),
  };
}
