/**
 * Why a job or step failed, for machines: `exit` (non-zero status), `signal`
 * (killed), `timeout`, `missing-output` (an output was not created),
 * `bad-output` (an output holds what cannot be stored: a name that is not
 * UTF-8, a FIFO),
 * `modified-input` (a host job changed an input in place), `changed-file` (a local file,
 * `{deps}` file or program its key holds changed while it ran), `missing-input`,
 * `environment` (no engine, a failed build, a cluster that refuses the job), `import` (a source could not
 * be fetched or pinned), `conflict` (map outputs that collide), `store` (the
 * store could not place or keep data), `internal`.
 */
export type FailureReason =
  | 'exit' | 'signal' | 'timeout' | 'missing-output' | 'bad-output' | 'modified-input' | 'changed-file' | 'missing-input' | 'environment' | 'import'
  | 'conflict' | 'store' | 'internal';

/** What the engine reports while it runs; loggers in cli/ render these. The core never prints. */
export type RunEvent =
  | { readonly type: 'run-start'; readonly run: number; readonly steps: number; readonly store: string }
  | { readonly type: 'env-build'; readonly env: string }
  /** The environment's image is there: `built` by this run (in `seconds`), or found, built before; `image`: its id, short. */
  | { readonly type: 'env-ready'; readonly env: string; readonly built: boolean; readonly image: string; readonly seconds?: number; readonly unchecked?: true }
  /** Another run sharing the store is building the same environment (same build inputs): its image will be used. */
  | { readonly type: 'env-waiting'; readonly env: string; readonly holder: { readonly pid: number; readonly host: string } }
  /** A `gc --delete` is collecting the store: the run starts once it ends. */
  | { readonly type: 'gc-waiting'; readonly holder: { readonly pid: number; readonly host: string } }
  | { readonly type: 'step-start'; readonly step: string; readonly block: string; readonly jobs: number; readonly cached: number }
  /** A map found nothing to map over (it runs no job): `message` is what `plan` notes. The run goes on. */
  | { readonly type: 'step-empty'; readonly step: string; readonly block: string; readonly message: string }
  /** `at`: when the command started, if before the event is sent (a Slurm task seen only once it ended); the JSON `time`. */
  | { readonly type: 'job-start'; readonly job: string; readonly step: string; readonly block: string; readonly at?: number }
  /** Submitted to a cluster's queue (`--executor slurm`); `job-start` follows when it runs. */
  | { readonly type: 'job-queued'; readonly job: string; readonly step: string; readonly block: string; readonly adopted?: true }
  /**
   * `kept`: a `{precious}` job whose earlier result is reused although what makes its key changed since;
   * `reason`: what changed, as `plan` says it after `kept (precious): `.
   */
  | { readonly type: 'job-cached'; readonly job: string; readonly step: string; readonly block: string; readonly kept?: true; readonly reason?: string }
  /**
   * The command ended well and the job gave its slot back: its outputs are being stored (`job-done` once they
   * are, or `job-failed`). `at`: when the command ended, if before the event is sent (under Slurm).
   */
  | { readonly type: 'job-storing'; readonly job: string; readonly step: string; readonly block: string; readonly at?: number }
  /** `seconds`: how long the command ran (as lineage says); `stored`: how long its outputs took to be stored after it, which can be longer. */
  | { readonly type: 'job-done'; readonly job: string; readonly step: string; readonly block: string; readonly seconds: number; readonly stored: number }
  | {
      readonly type: 'job-failed';
      readonly job: string;
      readonly step: string;
      readonly block: string;
      readonly where: string;
      readonly message: string;
      readonly reason: FailureReason;
      /** The command's exit status, when it exited. */
      readonly exitCode: number | null;
      readonly log: string | null;
      readonly tail: string;
    }
  | { readonly type: 'job-waiting'; readonly job: string; readonly step: string; readonly holder: { readonly pid: number; readonly host: string } }
  | { readonly type: 'job-skipped'; readonly job: string; readonly step: string; readonly block: string; readonly reason: string }
  /** `log`: a failed build's log (`shark logs` shows it). */
  | { readonly type: 'step-failed'; readonly step: string; readonly where: string; readonly message: string; readonly reason: FailureReason; readonly log?: string }
  | { readonly type: 'progress'; readonly job: string; readonly done: number; readonly total: number | null }
  | { readonly type: 'published'; readonly path: string; readonly to: string }
  | { readonly type: 'run-end'; readonly summary: RunSummary };

/** An environment the run built (or failed to), and where it kept the build's log (null: the disk refused it). */
export interface RunBuild {
  readonly env: string;
  /** The `shark-build` block's id and line as the run read the document. */
  readonly block: string;
  readonly line: number;
  readonly status: 'ok' | 'failed';
  readonly log: string | null;
  /** The environment's id once built (`docker:…`): a later run that reuses the image finds this build's log by it. */
  readonly image?: string;
}

export interface RunSummary {
  readonly run: number;
  readonly status: 'ok' | 'failed' | 'interrupted';
  readonly executed: number;
  readonly cached: number;
  readonly failed: number;
  /** Jobs skipped; a map skipped before its items were listed is in `notStarted`, not here. */
  readonly skipped: number;
  /** Maps skipped before their items were listed: how many jobs they had is unknown (only when there are any). */
  readonly notStarted?: number;
  /** Of the cached jobs, `{precious}` ones kept although what they read or run changed (only when there are any). */
  readonly kept?: number;
  /** Slurm tasks a dead run of this store submitted, still queued or running, that this run did not take over (only when there are any). */
  readonly slurmLeftBehind?: readonly string[];
  readonly seconds: number;
  /** Each failure with its reason and message (as `job-failed` and `step-failed` say it; runs recorded before the fifth-ninth stop have none). */
  readonly failures: readonly { readonly job: string; readonly where: string; readonly reason: FailureReason; readonly log: string | null; readonly message?: string }[];
  /** Each path a publish block wrote, where to, and the publish step (every run since Shark recorded them: empty when nothing was published). */
  readonly published?: readonly { readonly step: string; readonly path: string; readonly to: string }[];
  /** Steps the targets did not need (only when targets were given). */
  readonly leftOut?: number;
  /** Map steps of which the targets named only some jobs: `shark logs` says an item left out was left out by them (only when there are any). */
  readonly partial?: readonly string[];
  /** Blocks left out for being `{manual}`, and steps left out because they need one (only when there are any). */
  readonly manual?: readonly string[];
  readonly needsManual?: readonly string[];
  /** Axes restricted to some of their values (`-e AXIS=V`), with the values run (only when there are any). */
  readonly axes?: Readonly<Record<string, readonly string[]>>;
  /** `--force` names none of whose steps the run covers, each as `plan` notes it (only when there are any). */
  readonly forceUnused?: readonly string[];
  /** The environments the run built, failed builds included (only when there are any): a build is no job, and its log is found here. */
  readonly builds?: readonly RunBuild[];
  /** Maps that found nothing to map over, as `step-empty` said them (only when there are any). */
  readonly empty?: readonly string[];
  /** Instances `-e` left out that a step of the run reads from, run or reused all the same (only when there are any). */
  readonly needed?: readonly { readonly instance: string; readonly by: string; readonly reads: string; readonly leftOutBy: string }[];
}
