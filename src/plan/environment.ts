import { arch, platform } from 'node:os';

/** The environment id of host steps: in every host job's key. */
export const HOST_ENV_ID = `host:${platform()}/${arch()}`;

/** What planning needs to know of environments: their ids as they stand, and notes. Executing them is exec's. */
export interface EnvironmentView {
  /** The id of an environment as it stands now, without building it (plan). */
  current(name: string): { readonly id: string } | { readonly missing: string };
  /**
   * Notes for `plan` such as base-image drift. `jobCounts` (environment name →
   * number of jobs in the plan) lets a drift line say how many jobs would run;
   * without it the steps on that environment are counted.
   */
  notes(jobCounts?: ReadonlyMap<string, number>): readonly string[];
  /**
   * Forgets what it read of the lock file and the engine: a long-lived
   * session (`shark serve`) plans again after a run built an environment,
   * which the lock then names.
   */
  reread?(): void;
}
