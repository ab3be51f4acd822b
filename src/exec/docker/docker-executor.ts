import { chmodSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { posix } from 'node:path';
import type { ExecOutcome, ExecRequest, Executor } from '../executor.js';
import type { ContainerHandle, ContainerSpec, DockerClient } from './client.js';
import { guardContainers } from '../watchdog.js';
import { JOB_CAPABILITIES, JOB_PIDS_LIMIT, jobMounts } from './confinement.js';
import { longTimer, type LongTimer } from '../long-timer.js';
import { maskedStream } from '../secret-mask.js';
import { logStream } from '../job-log.js';
import { singleQuoted } from '../../pipeline/shell-words.js';
import { inTheWay } from '../../store/safe-path.js';
import { formatMemory } from '../../pipeline/resources.js';
import { handBack, othersIn } from './hand-back.js';
import { refusedByImage } from './engine-refusals.js';

/** Labels on every job container: `docker ps -a --filter label=shark.job` finds leftovers of a killed run. */
export const JOB_LABEL = 'shark.job';
/** The run that started a job container, as a pid on the host named by HOST_LABEL: what reap.ts checks for life. */
export const PID_LABEL = 'shark.pid';
export const HOST_LABEL = 'shark.host';

/** `environment` names it in messages, with its build block (`environment gdal (p.md:3:1)`). */
export type ImageTarget =
  | { readonly ok: true; readonly client: DockerClient; readonly image: string; readonly environment?: string }
  | { readonly ok: false; readonly message: string };

/** How long to let the output stream drain after the container has exited. */
const DRAIN_MS = 2000;

/**
 * Runs each job in a fresh container of its environment's image, with the
 * job's /data mounted and nothing else from the host. The container is
 * removed whatever happens: success, failure, timeout or cancel.
 */
export class DockerExecutor implements Executor {
  constructor(private readonly target: (signal: AbortSignal) => Promise<ImageTarget>) {}

  async run(req: ExecRequest): Promise<ExecOutcome> {
    if (req.signal.aborted) return { status: 'cancelled' };
    const target = await this.target(req.signal);
    if (req.signal.aborted) return { status: 'cancelled' };
    // No engine, or not the image (a Slurm node without them): where the job was to run, not the command nor Shark.
    if (!target.ok) return { status: 'failed', reason: 'environment', exitCode: null, message: target.message };
    const { client, image } = target;
    openWritableDirs(req);
    // Secret values in the output become `***` on the way to the log.
    const log = maskedStream(logStream(req.logPath), req.secrets ?? []);
    let container: ContainerHandle | undefined;
    let ending: 'cancelled' | 'timeout' | undefined;
    let timer: LongTimer | undefined;
    const stop = (why: 'cancelled' | 'timeout'): void => {
      if (ending !== undefined) return;
      ending = why;
      void container?.kill().catch(() => undefined);
    };
    const onAbort = (): void => stop('cancelled');
    const fix = ownerFix(client);
    try {
      guardContainers();
      const workdir = req.workdirFromImage === true ? await client.imageWorkdir(image) : undefined;
      container = await client.createContainer(containerSpec(workdir === undefined ? req : { ...req, containerWorkdir: workdir }, image, fix));
      if (req.signal.aborted) return { status: 'cancelled' };
      const { ended } = await container.attach(log);
      req.signal.addEventListener('abort', onAbort, { once: true });
      if (req.signal.aborted) stop('cancelled');
      await container.start();
      // The command's time, not the engine's start-up of its container (a second or more on a loaded machine).
      if (req.timeout !== undefined) timer = longTimer(() => stop('timeout'), req.timeout * 1000);
      // A stop that came while the container was starting found nothing to kill.
      if (ending !== undefined) await container.kill();
      const code = await container.wait();
      await Promise.race([ended, new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
      if (ending === 'cancelled') return { status: 'cancelled' };
      if (ending === 'timeout') return { status: 'timeout', message: `timed out after ${req.timeout}s` };
      if (code === 0) return { status: 'ok' };
      // The kernel's SIGKILL for a job over its `{memory}` is no signal anyone sent: say which limit it went over.
      if (req.memory !== undefined) {
        const limit = `memory=${formatMemory(req.memory)}`;
        const killed = code === SIGKILL_EXIT;
        if (await oomReported(container, killed ? OOM_EVENT_WAIT_MS : 0)) {
          return { status: 'failed', reason: 'signal', exitCode: code, message: `went over its memory limit (${limit}): killed by the kernel` };
        }
        if (killed) return { status: 'failed', reason: 'signal', exitCode: code, message: `killed by signal 9, most likely by the kernel for going over its memory limit (${limit})` };
      }
      return { status: 'failed', reason: code > 128 ? 'signal' : 'exit', exitCode: code, message: code > 128 ? `killed by signal ${code - 128}` : `exit status ${code}` };
    } catch (e) {
      if (req.signal.aborted) return { status: 'cancelled' };
      const refused = refusedByImage((e as Error).message, target.environment ?? 'this environment', image, workdirOf(req));
      if (refused !== undefined) {
        log.write(`shark: ${refused}\n`);
        return { status: 'failed', reason: 'environment', exitCode: null, message: refused };
      }
      const message = `container for ${req.label} failed to run: ${(e as Error).message}`;
      log.write(`shark: ${message}\n`);
      return { status: 'failed', reason: 'internal', exitCode: null, message };
    } finally {
      req.signal.removeEventListener('abort', onAbort);
      timer?.clear();
      if (container !== undefined) await container.remove().catch((e: Error) => log.write(`shark: could not remove container ${container!.id}: ${e.message}\n`));
      // What the job's own hand-back could not give back (the image's USER is not root; the job was killed): as root.
      if (container !== undefined && fix !== undefined && othersIn(req.workspace.root, fix.uid)) {
        await handBack(client, containerSpec(req, image, undefined), fix).catch((e: Error) => log.write(`shark: could not hand the job's files back: ${e.message}\n`));
      }
      await new Promise((r) => log.end(r));
    }
  }
}

/** The exit status of a process killed by SIGKILL, as the engine reports it. */
const SIGKILL_EXIT = 137;
/** How long the engine's out-of-memory event may trail the container's exit (it comes on its own channel). */
const OOM_EVENT_WAIT_MS = 1500;

/**
 * Whether the engine says the kernel's out-of-memory killer ended the container.
 * Its flag comes from an event of its own that, on a loaded machine, can arrive
 * after the exit: asked again for a moment before the answer is no.
 */
async function oomReported(container: ContainerHandle, patienceMs: number): Promise<boolean> {
  const until = Date.now() + patienceMs;
  for (;;) {
    if (await container.oomKilled().catch(() => false)) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The image may run as a user other than root (`USER opam`): the directories
 * its outputs go into must be writable by whoever that is. They are the job's
 * own, in its private workspace, and the store fixes modes when it commits.
 * Only real directories of the workspace are opened: a link among them (an
 * output the input data holds as a link to a host directory) would make this
 * chmod the host's directory.
 */
function openWritableDirs(req: ExecRequest): void {
  const root = req.workspace.root;
  mkdirSync(root + '/data', { recursive: true });
  const dirs = new Set<string>(['/data']);
  for (const o of req.outputs) {
    for (let d = o.path; d.startsWith('/data/'); d = posix.dirname(d)) dirs.add(d);
  }
  for (const d of dirs) {
    // `d` itself included: a link or a file there is no directory of the job's to open.
    if (inTheWay(root, d) !== undefined) continue;
    try {
      chmodSync(root + d, 0o777);
    } catch {
      // Not there yet: the job creates it.
    }
  }
}

/**
 * When the engine runs containers as real root and Shark does not, files the
 * job writes would belong to root and the store could not move them: hand the
 * outputs back to the calling user on the way out. Not for rootless engines,
 * where container root already is the user.
 */
export interface OwnerFix {
  readonly uid: number;
  readonly gid: number;
}

function ownerFix(client: DockerClient): OwnerFix | undefined {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid === undefined || gid === undefined || uid === 0 || client.rootless) return undefined;
  return { uid, gid };
}

export function containerSpec(req: ExecRequest, image: string, fix: OwnerFix | undefined): ContainerSpec {
  return {
    image,
    cmd: shellCommand(fix === undefined ? req.script('') : withOwnerFix(req, fix)),
    workdir: workdirOf(req),
    env: Object.entries(req.env).map(([k, v]) => `${k}=${v}`),
    labels: { [JOB_LABEL]: '1', 'shark.label': req.label, [PID_LABEL]: String(process.pid), [HOST_LABEL]: hostname() },
    mounts: jobMounts(req.workspace.root, req.inputs.map((i) => i.path)),
    network: req.network,
    capabilities: JOB_CAPABILITIES,
    pidsLimit: JOB_PIDS_LIMIT,
    ...(req.cpus !== undefined ? { cpus: req.cpus } : {}),
    ...(req.memory !== undefined ? { memory: req.memory } : {}),
  };
}

/**
 * UTF-16 units of script per argument: at most 3 bytes each, well under the
 * 128 KiB Linux allows one argument (`Argument list too long`).
 */
const PIECE = 32 * 1024;
/** Joins its arguments back into the script (`"$*"` with an empty IFS) and runs it as `sh -c` would: no arguments, `$0` the shell. */
const JOIN_PIECES = 'IFS=; shark_script="$*"; unset IFS; set --; eval "$shark_script"';

/**
 * `sh -c SCRIPT`; a script too long for one argument follows in pieces, to
 * be joined back and evaluated by the same shell: nothing to put into the
 * container, and the script reaches it unchanged.
 */
export function shellCommand(script: string): string[] {
  if (script.length <= PIECE) return ['/bin/sh', '-c', script];
  const pieces: string[] = [];
  for (let at = 0; at < script.length;) {
    let end = Math.min(script.length, at + PIECE);
    // Never between the two halves of a character beyond the BMP.
    if (end < script.length && /[\udc00-\udfff]/.test(script[end]!)) end--;
    pieces.push(script.slice(at, end));
    at = end;
  }
  return ['/bin/sh', '-c', JOIN_PIECES, '/bin/sh', ...pieces];
}

/** `cd` wins when absolute; a relative `cd` is taken from the default: frontmatter `path:`, else the image's WORKDIR, else /root. */
export function workdirOf(req: Pick<ExecRequest, 'cwd' | 'containerWorkdir'>): string {
  if (req.cwd === undefined) return req.containerWorkdir;
  return posix.isAbsolute(req.cwd) ? req.cwd : posix.join(req.containerWorkdir, req.cwd);
}

function withOwnerFix(req: ExecRequest, fix: OwnerFix): string {
  const owner = `${fix.uid}:${fix.gid}`;
  const dirs = new Set<string>();
  for (const o of req.outputs) {
    for (let d = posix.dirname(o.path); d !== '/data' && d !== '/' && d !== '.'; d = posix.dirname(d)) dirs.add(d);
  }
  const outputs = req.outputs.map((o) => singleQuoted(o.path)).join(' ');
  const parents = [...dirs].map(singleQuoted).join(' ');
  const chown = [
    outputs === '' ? '' : `chown -R ${owner} ${outputs}`,
    parents === '' ? '' : `chown ${owner} ${parents}`,
  ].filter((c) => c !== '').join('; ');
  if (chown === '') return req.script('');
  // The job runs in a subshell, and the hand-back after it: a job's own `exec` or `trap … EXIT` (a cleanup of its
  // temporary directory) would have replaced a trap of the job's shell, leaving its outputs root's.
  return `(\n${req.script('')}\n)\nshark_status=$?\n{ ${chown}; } 2>/dev/null\nexit $shark_status`;
}
