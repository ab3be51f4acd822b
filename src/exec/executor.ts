import type { EnvironmentView } from '../plan/environment.js';
import type { Session } from '../plan/session.js';
import type { Holder, Leases } from '../store/leases.js';
import type { Workspace } from '../store/snapshot-store.js';
import type { Turn } from './scheduler.js';

/** One concrete execution of a step, as an executor sees it: no caching, no keys. */
export interface ExecRequest {
  /** For messages and container names. */
  readonly label: string;
  /**
   * The command with map items substituted. `dataRoot` is prefixed to every
   * /data path: the host executor passes its workspace, a container executor
   * passes '' and mounts the workspace's data at /data.
   */
  readonly script: (dataRoot: string) => string;
  readonly workspace: Workspace;
  /** /data paths the job reads (already materialized in the workspace). */
  readonly inputs: readonly { readonly path: string }[];
  /** /data paths the job must create. */
  readonly outputs: readonly { readonly path: string }[];
  /** Working directory from `cd`, or undefined for the default (pipeline dir on the host, `path:` in containers). */
  readonly cwd: string | undefined;
  /** The pipeline's directory. */
  readonly pipelineDir: string;
  /** Default container working directory (frontmatter `path:`, else /root). */
  readonly containerWorkdir: string;
  /**
   * No frontmatter `path:`: a container starts in its image's WORKDIR when the
   * image sets one (as `docker run` does), in `containerWorkdir` otherwise.
   */
  readonly workdirFromImage?: boolean;
  /** Variables to add to the environment (frontmatter, `-e`). */
  readonly env: Readonly<Record<string, string>>;
  /** Secret values (already in `env`): wherever they appear in the output, the log shows `***`. */
  readonly secrets?: readonly string[];
  /** `'host'`: a container shares the host's network; the host executor ignores it. */
  readonly network: boolean | 'host';
  /** Seconds. */
  readonly timeout: number | undefined;
  /** CPUs a container may use (`{threads}`); undefined: no limit. */
  readonly cpus?: number;
  /** Bytes of memory a container may use (`{memory}`); undefined: no limit. */
  readonly memory?: number;
  /** Where stdout and stderr go. */
  readonly logPath: string;
  readonly signal: AbortSignal;
  /** The job's hold on the run's budget (scheduler.ts). */
  readonly turn?: Turn;
  /**
   * Given when the job may be queued behind the one `turn.after` names: an
   * executor that `queues` starts it as that one ends and then calls
   * `begun`. With `stopped` (a run that stops at its first failure), not at
   * all if that one failed or the file `stopped` exists (another job
   * failed meanwhile): the outcome is then `cancelled`.
   */
  readonly queued?: Queued;
}

export interface Queued {
  readonly begun: () => void;
  /** A file that exists once the run has stopped starting jobs. */
  readonly stopped?: string;
}

export type ExecOutcome =
  | { readonly status: 'ok' }
  | {
      readonly status: 'failed';
      /**
       * `exit`: the command exited non-zero; `signal`: it was killed; `internal`: it could not be started;
       * `store`: its log could not be written; `environment`: where it was to run refused it (a cluster
       * that rejects the request or would never start it).
       */
      readonly reason: 'exit' | 'signal' | 'internal' | 'store' | 'environment';
      readonly exitCode: number | null;
      readonly message: string;
      /**
       * A cluster task given up on that may still be queued or running (Slurm stopped answering): its
       * workspace is kept, so that the task has its inputs and the next run takes it over (by its key)
       * instead of submitting it again.
       */
      readonly leftRunning?: string;
    }
  | { readonly status: 'timeout'; readonly message: string }
  | { readonly status: 'cancelled' };

export interface Executor {
  run(request: ExecRequest): Promise<ExecOutcome>;
  /** Whether it can start a job queued behind another the moment that one ends (ExecRequest.queued). */
  readonly queues?: boolean;
}

/** Where a step's environment comes from; the id enters every cache key of its jobs. What plan sees, plus building and running. */
export interface EnvironmentProvider extends EnvironmentView {
  /** Makes sure the environment exists (building it if needed, once across the runs of `shared`) and returns its id. */
  ensure(name: string, signal: AbortSignal, shared?: SharedBuilds): Promise<{ readonly id: string; readonly unchecked?: string } | { readonly error: string }>;
  executor(name: string): Executor;
}

/**
 * The store's leases, for builds that runs sharing the store must not
 * repeat: an image is built under the lease of its build inputs, and a run
 * that needs the same inputs meanwhile is told who builds them (`waiting`),
 * waits, and uses that image (two builds, even of one Dockerfile, give two
 * image ids, and so two keys for every job of the environment).
 */
export interface SharedBuilds {
  readonly leases: Leases;
  readonly waiting: (holder: Holder) => void;
  /** Given the whole log of a build this run ran, failed or not (none when an image was found): the run keeps it. */
  readonly built?: (log: string) => void;
}

/** A session that can run: its environments can be built and executed. */
export interface RunSession extends Session {
  readonly envs: EnvironmentProvider;
  /** The values of the document's `secrets:`: passed to every step, kept out of every record, masked in logs. */
  readonly secrets?: ReadonlyMap<string, string>;
}
