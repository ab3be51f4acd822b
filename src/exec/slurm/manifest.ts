import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeAtomically } from '../../lockfile/atomic-write.js';
import type { ExecOutcome, ExecRequest } from '../executor.js';

/** Where a job runs on the node: the host's shell, or a container of an image the node's Docker has. */
/** Where a job runs on the node: the host, or a container of `image` (`shown`: the environment as a message names it, `environment e (p.md:3:1)`). */
export type TaskEnvironment = { readonly kind: 'host' } | { readonly kind: 'docker'; readonly image: string; readonly shown?: string };

/**
 * One job as the compute node sees it: an ExecRequest written down. The
 * command is text with `rootMark` where the job's data root goes (the host
 * executor may alias an awkward workspace path), and secret values are not
 * in it: their names are, and the values travel in the job's environment.
 */
export interface TaskSpec {
  readonly key: string;
  readonly label: string;
  readonly environment: TaskEnvironment;
  readonly script: string;
  readonly rootMark: string;
  readonly workspace: string;
  readonly inputs: readonly { readonly path: string }[];
  readonly outputs: readonly { readonly path: string }[];
  readonly cwd: string | null;
  readonly pipelineDir: string;
  readonly containerWorkdir: string;
  /** ExecRequest.workdirFromImage (absent in older manifests). */
  readonly workdirFromImage?: boolean;
  readonly env: Readonly<Record<string, string>>;
  readonly secretNames: readonly string[];
  readonly network: boolean | 'host';
  readonly timeout: number | null;
  readonly cpus: number | null;
  /** `{threads=all}`: the job has the node (`--exclusive`), and SHARK_THREADS is its CPUs (absent in older manifests). */
  readonly wholeNode?: boolean;
  /**
   * A file that exists once the run stops starting jobs (absent under `-k`): the task starts none of its jobs
   * once it does, and makes it when one of them fails, so that no task anywhere starts another (absent in older manifests).
   */
  readonly stopFile?: string;
  readonly memory: number | null;
  readonly logPath: string;
  /** Where the node writes how the command ended (a TaskStatus, by an atomic rename). */
  readonly statusPath: string;
}

/** How one job ended on the node: the source of truth for its outcome (Slurm's state only says what the script could not). */
export interface TaskStatus {
  readonly outcome: ExecOutcome;
  readonly host: string;
  readonly started: number;
  readonly ended: number;
  /** The job never started: the run had stopped starting jobs (`stopFile`). Its outcome is `cancelled`. */
  readonly stopped?: true;
}

/** The environment variable that carries the secret values (`{"NAME":"value"}`) from sbatch to the task. */
export const SECRETS_VARIABLE = 'SHARK_SLURM_SECRETS';

export function specOf(req: ExecRequest, environment: TaskEnvironment, key: string, statusPath: string, wholeNode = false, stopFile?: string): TaskSpec {
  const rootMark = `@@shark-data-root-${randomBytes(8).toString('hex')}@@`;
  const secretValues = new Set(req.secrets ?? []);
  const env: Record<string, string> = {};
  const secretNames: string[] = [];
  for (const [k, v] of Object.entries(req.env)) {
    if (secretValues.has(v)) secretNames.push(k);
    else env[k] = v;
  }
  return {
    key, label: req.label, environment, script: req.script(rootMark), rootMark,
    workspace: req.workspace.root, inputs: req.inputs.map((i) => ({ path: i.path })), outputs: req.outputs.map((o) => ({ path: o.path })),
    cwd: req.cwd ?? null, pipelineDir: req.pipelineDir, containerWorkdir: req.containerWorkdir, workdirFromImage: req.workdirFromImage === true,
    env, secretNames, network: req.network, timeout: req.timeout ?? null, cpus: req.cpus ?? null, memory: req.memory ?? null,
    logPath: req.logPath, statusPath, wholeNode, ...(stopFile === undefined ? {} : { stopFile }),
  };
}

/**
 * SHARK_THREADS on the node: the CPUs Slurm granted the task
 * (`SLURM_CPUS_PER_TASK`, set by `{threads=N}` or a `--cpus-per-task` of the
 * user's; the node's CPUs for `{threads=all}`), not `-j`, which under Slurm
 * throttles arrays and grants nothing. Undefined: the run's value stands.
 */
export function grantedThreads(spec: TaskSpec, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const count = (v: string | undefined): string | undefined => (v !== undefined && /^[1-9]\d*$/.test(v) ? v : undefined);
  return count(env['SLURM_CPUS_PER_TASK']) ?? (spec.wholeNode === true ? count(env['SLURM_CPUS_ON_NODE']) : undefined);
}

/** The request a node-side executor runs for `spec`, with the secrets found in `secrets`. */
export function requestOf(spec: TaskSpec, secrets: Readonly<Record<string, string>>, signal: AbortSignal): ExecRequest {
  const env: Record<string, string> = { ...spec.env };
  const values: string[] = [];
  for (const name of spec.secretNames) {
    const v = secrets[name];
    if (v === undefined) continue;
    env[name] = v;
    values.push(v);
  }
  return {
    label: spec.label,
    script: (root) => spec.script.split(spec.rootMark).join(root),
    workspace: { root: spec.workspace },
    inputs: spec.inputs, outputs: spec.outputs,
    cwd: spec.cwd ?? undefined, pipelineDir: spec.pipelineDir, containerWorkdir: spec.containerWorkdir, workdirFromImage: spec.workdirFromImage === true,
    env, secrets: values, network: spec.network, timeout: spec.timeout ?? undefined,
    ...(spec.cpus === null ? {} : { cpus: spec.cpus }),
    ...(spec.memory === null ? {} : { memory: spec.memory }),
    logPath: spec.logPath, signal,
  };
}

/** One line per array task: the JSON list of the jobs it runs in turn. */
export function writeManifest(path: string, tasks: readonly (readonly TaskSpec[])[]): void {
  writeAtomically(path, tasks.map((t) => JSON.stringify(t)).join('\n') + '\n', 0o600);
}

export function readManifest(path: string): TaskSpec[][] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as TaskSpec[]);
}

export function readStatus(path: string): TaskStatus | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as TaskStatus;
  } catch {
    return undefined;
  }
}
