import { arch, platform } from 'node:os';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { EnvironmentProvider, Executor } from './executor.js';
import { HostExecutor } from './host-executor.js';

export const HOST_ENV_ID = `host:${platform()}/${arch()}`;

export interface EnvironmentOptions {
  readonly pipelinePath: string;
  /** Rebuild environments and move the lock to new base digests. */
  readonly update: boolean;
}

/**
 * Steps without an environment run on the host. Container environments are
 * provided by the Docker provider; without it they are reported missing.
 */
export function createEnvironmentProvider(pipeline: Pipeline, _options: EnvironmentOptions): EnvironmentProvider {
  const host = new HostExecutor();
  return {
    current: (name) => ({ missing: `environment \`${name}\` needs Docker, which this build does not support` }),
    ensure: async (name) => ({ error: `environment \`${name}\` needs Docker, which this build does not support` }),
    executor: (): Executor => host,
    notes: () => [],
  };
}

export function hostExecutor(): Executor {
  return new HostExecutor();
}
