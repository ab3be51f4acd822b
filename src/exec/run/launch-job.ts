import { importerFor } from '../../imports/registry.js';
import type { Pin } from '../../imports/importer.js';
import { shownUrls } from '../../imports/shown-url.js';
import { importLockKey, readLock, updateLock } from '../../lockfile.js';
import { keyOf } from '../../plan/key.js';
import type { Job } from '../../plan/jobs.js';
import { renderScript } from '../../plan/render-command.js';
import { importContext, type Session } from '../../plan/session.js';
import type { Workspace } from '../../store/snapshot-store.js';
import type { ExecOutcome, ExecRequest } from '../executor.js';
import { DOCKER_ID_PREFIX } from '../docker/docker-environments.js';
import { threadsOf } from '../resources.js';
import type { Turn } from '../scheduler.js';
import type { RunContext } from './context.js';
import { writeImportLog } from './import-log.js';

const CANCELLED = { status: 'cancelled' } as const;
const INTERRUPTED = { ok: false, message: 'interrupted' } as const;

/**
 * Each running job's turn, settled once what its command's end says is said
 * (`job-storing` when it ended well). A job queued behind it starts in its
 * slot the moment it ends, and is told so before that end is handled: its
 * `job-start` waits for it, so no more than -j jobs are ever between
 * `job-start` and `job-storing`.
 */
const endSaid = new WeakMap<Turn, Promise<void>>();

export type Launched = {
  readonly outcome: ExecOutcome | { readonly status: 'import-failed'; readonly message: string };
  /** The key record as it ended up: an import adds the pin it fetched. */
  readonly record: Job['record'];
  /** An import's DEST as stored already (a local directory taken in whole), not in the workspace to commit. */
  readonly stored?: string;
} & Ran;

/** When the job's command (or fetch) started and ended; unset when it never did. Under Slurm, where it ran. */
interface Ran {
  started?: number;
  ended?: number;
  /** The node that ran it, when not this machine. */
  host?: string;
  /** The Slurm job or array task that ran it. */
  slurm?: string;
}

/** Runs the command (or fetches the import) in an execution slot; `started` is called as it starts. */
export async function launch(ctx: RunContext, job: Job, ws: Workspace, logPath: string, started?: () => void): Promise<Launched> {
  const { session } = ctx;
  const step = job.step;
  const times: Ran = {};
  /**
   * `at`: when the command started, when told later (under Slurm, a task that started and ended between two
   * polls; a job queued behind another, told once `after`, that one's end, is said).
   */
  let told = -Infinity;
  /** Once `job-start` has been said: a job queued behind another says it after that one's end. */
  let startSaid: Promise<void> | undefined;
  let saidStart = false;
  /** What waits for a start not announced yet (`onceStarted`). */
  const early: (() => void)[] = [];
  const announce = (at?: number, after?: Promise<void>): void => {
    times.started = at ?? Date.now();
    told = times.started;
    started?.();
    const say = (): void => {
      saidStart = true;
      // At the time `told` holds, which the job's storing is never before (the emit's own clock can be a ms later).
      ctx.emit({ type: 'job-start', job: job.id, step: step.id, block: step.blockId, at: at ?? told });
    };
    if (after === undefined) say();
    const said = (startSaid = after === undefined ? Promise.resolve() : after.then(say));
    for (const waiting of early.splice(0)) void said.then(waiting);
  };
  /**
   * Ended well: said while the job still holds its slot, so that no job starts in that slot before
   * this one is storing (at most -j jobs are ever between `job-start` and `job-storing`). Never said to be
   * before the start told (under Slurm, a poll may see a task running after its first job's command ended),
   * nor before the start is said (a queued job whose command ended before the end of the one ahead was).
   */
  const storing = (): void => onceStarted(() => ctx.emit({ type: 'job-storing', job: job.id, step: step.id, block: step.blockId, at: Math.max(times.ended ?? Date.now(), told) }));
  /** `say` now, or once `job-start` has been said: what this job says of its end never comes before its start. */
  function onceStarted(say: () => void): void {
    if (saidStart) say();
    else if (startSaid !== undefined) void startSaid.then(say);
    // Not begun yet: a queued job's command can end (both ends read in one chunk) before the executor says it began.
    else early.push(say);
  }
  if (step.kind === 'import') {
    const importer = importerFor(step.clause.source)!;
    const ictx = importContext(session, step, ctx.signal, (done, total) => ctx.emit({ type: 'progress', job: job.id, done, total: total ?? null }));
    const fetched = await ctx.scheduler.run(ctx.demand(step), async () => {
      if (ctx.halted) return INTERRUPTED;
      announce();
      const f = await importer.fetch(step.clause, job.record.pin ?? {}, ws.root + step.clause.dest, ictx);
      times.ended = Date.now();
      // As a failed command does (below): before the slot is given back.
      if (!f.ok && !ctx.signal.aborted) ctx.stop();
      if (f.ok) storing();
      return f;
    }, INTERRUPTED);
    const cancelled = !fetched.ok && (fetched === INTERRUPTED || ctx.signal.aborted);
    const secrets = [...(session.secrets?.values() ?? [])];
    const log = (o: typeof fetched) => writeImportLog(logPath, step.clause, job.record.pin, o, secrets);
    if (!fetched.ok) {
      if (!cancelled) log(fetched);
      return { outcome: cancelled ? { status: 'cancelled' } : { status: 'import-failed', message: fetched.message }, record: job.record };
    }
    // Local files are content-hashed on every plan; only remote sources need pinning.
    if (step.clause.source.scheme !== 'file') {
      const key = importLockKey(step.clause.raw, step.clause.dest);
      let clash: string | undefined;
      // The entry as this run read the lock (or last wrote it): another found there now was written by another run.
      const read = session.lock.imports[key];
      const updated = updateLock(session.lockPath, (lock) => {
        const now = lock.imports[key];
        // Another run's pin, written since this one read the lock, stays: it is what that run's results were made from.
        if (pinnedElsewhere(now, read)) clash = pinClash(now!, fetched.pin, shownUrls(step.clause.raw));
        else lock.imports[key] = fetched.pin;
      });
      const message = !updated.ok ? `the lock file could not be updated: ${updated.message}` : clash;
      if (message !== undefined) {
        log({ ok: false, message });
        return { outcome: { status: 'import-failed', message }, record: job.record };
      }
      session.lock.imports[key] = fetched.pin;
    }
    log(fetched);
    return { outcome: { status: 'ok' }, record: { ...job.record, pin: fetched.pin }, ...(fetched.stored !== undefined ? { stored: fetched.stored } : {}), ...times };
  }
  if (step.kind !== 'run') return { outcome: { status: 'ok' }, record: job.record };
  const items = new Map(job.items.map((i) => [`${i.input.path}/${i.input.pattern}`, i.name]));
  // Under Slurm `{threads}` is the cluster's to grant (`--cpus-per-task`), not clamped to `-j`.
  const declared = step.resources.threads;
  const threads = ctx.slurm !== undefined && typeof declared === 'number' ? declared : threadsOf(step, Math.max(1, ctx.options.jobs));
  const request: ExecRequest = {
    label: job.id,
    script: (root) => renderScript(step, items, job.plusName, root),
    workspace: ws,
    inputs: job.inputs,
    outputs: job.outputs,
    cwd: step.cwd,
    pipelineDir: session.pipelineDir,
    containerWorkdir: session.pipeline.workdir,
    workdirFromImage: session.pipeline.document.frontmatter?.path === undefined,
    // SHARK_THREADS: the slots the job holds, for commands to pass on (`-wo NUM_THREADS=$SHARK_THREADS`); not in the key.
    env: { ...Object.fromEntries(session.variables), ...Object.fromEntries(session.secrets ?? []), SHARK_THREADS: String(threads) },
    secrets: [...(session.secrets?.values() ?? [])],
    network: step.network,
    timeout: step.timeout,
    // `{threads=all}` under Slurm asks for a whole node (`--exclusive`) instead of a count.
    ...(step.resources.threadsDeclared && !(ctx.slurm !== undefined && declared === 'all') ? { cpus: threads } : {}),
    ...(step.resources.memory !== undefined ? { memory: step.resources.memory } : {}),
    logPath,
    signal: ctx.signal,
  };
  const slurm = ctx.slurm;
  const executor = slurm === undefined ? session.envs.executor(step.env ?? '') : undefined;
  // A step's jobs on this machine queue behind one another (scheduler.ts), unless they have a time limit.
  const lane = executor?.queues === true && step.timeout === undefined ? step.id : undefined;
  // The command is over. Had it failed, it stops the run while it still holds its slot: given back first, the slot
  // would start a job waiting for it before the failure is handled (checks made after the command, as of its
  // outputs, come later).
  const ended = (o: ExecOutcome): ExecOutcome => {
    times.ended ??= Date.now();
    if (o.status === 'failed' || o.status === 'timeout') ctx.stop();
    if (o.status === 'ok') storing();
    return o;
  };
  const outcome = await ctx.scheduler.run(ctx.demand(step), (turn) => {
    if (ctx.halted) return CANCELLED;
    if (executor !== undefined) {
      if (turn.after === undefined) announce();
      let said = (): void => undefined;
      endSaid.set(turn, new Promise((done) => (said = done)));
      const begun = (): void => {
        const ahead = turn.after === undefined ? undefined : endSaid.get(turn.after);
        announce(ahead === undefined ? undefined : Date.now(), ahead);
      };
      const queued = { begun, ...(ctx.options.keepGoing ? {} : { stopped: ctx.stopFlag }) };
      // This job's end, which the job queued behind it waits for to say its start, is said after its own start.
      return executor.run({ ...request, turn, queued }).then(ended).finally(() => onceStarted(said));
    }
    const env = session.envs.current(step.env ?? '');
    const block = session.pipeline.environments.get(step.env ?? '')?.block.at;
    const shown = block === undefined ? {} : { shown: `environment ${step.env!} (${session.pipeline.document.file}:${block.line}:${block.col})` };
    return slurm!.run(request, {
      key: job.key, group: step.id, block: step.blockId,
      environment: 'id' in env && env.id.startsWith(DOCKER_ID_PREFIX) ? { kind: 'docker', image: env.id.slice(DOCKER_ID_PREFIX.length), ...shown } : { kind: 'host' },
      extra: step.resources.slurm, exclusive: declared === 'all',
      queued: (adopted) => ctx.emit({ type: 'job-queued', job: job.id, step: step.id, block: step.blockId, ...(adopted === true ? { adopted: true as const } : {}) }),
      running: announce,
      ran: (started, ended, where) => Object.assign(times, { started, ended, host: where.host, slurm: where.task }),
    }).then(ended);
  }, CANCELLED, lane);
  // A start never announced (nothing ran): what waited for it is said now, as before there was a start to wait for.
  for (const waiting of early.splice(0)) waiting();
  return { outcome, record: job.record, ...times };
}

/** The fields of a pin that name the content (not how it was fetched: an ETag, a URL). */
const CONTENT = ['sha256', 'tree', 'commit'] as const;

/** Whether the lock's pin `now` was written by another run since this one read `read` from it. */
function pinnedElsewhere(now: Pin | undefined, read: Pin | undefined): boolean {
  return now !== undefined && Object.keys(now).length > 0 && pinText(now) !== pinText(read ?? {});
}

/**
 * An import job as another run pinned its source since this one read the
 * lock (two runs started together, this one waiting while the other
 * fetched): its key is that pin's, the key the other run stored what it
 * fetched under, where this job's own (planned with no pin) finds nothing.
 */
export function pinnedMeanwhile(session: Session, job: Job): Job | undefined {
  const step = job.step;
  if (step.kind !== 'import' || step.clause.source.scheme === 'file') return undefined;
  const read = readLock(session.lockPath);
  const key = importLockKey(step.clause.raw, step.clause.dest);
  const now = read.ok ? read.lock.imports[key] : undefined;
  if (!pinnedElsewhere(now, session.lock.imports[key])) return undefined;
  const record = { ...job.record, pin: now! };
  // Over the job, not a copy of it: a planned job's members are getters (expanded-job.ts), which a spread loses.
  return Object.create(job, { record: { value: record }, key: { value: keyOf(record) } }) as Job;
}

/** This run's copy of the lock takes the pin of `pinned` (`pinnedMeanwhile`), whose result it reused. */
export function adoptPin(session: Session, pinned: Job): void {
  if (pinned.step.kind === 'import') session.lock.imports[importLockKey(pinned.step.clause.raw, pinned.step.clause.dest)] = pinned.record.pin!;
}

/** A pin as text whatever the order of its fields (the lock file sorts them; a fetch need not). */
const pinText = (pin: Pin): string => JSON.stringify(Object.entries(pin).sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * Why this run's fetch may not be pinned: another run pinned the source
 * (`now`), since this one read the lock, to other content (two runs started
 * together, the source changed between their fetches). Kept silently, the
 * pin would move from what that run's results were made from.
 */
function pinClash(now: Pin, fetched: Pin, source: string): string | undefined {
  const differs = CONTENT.find((k) => now[k] !== undefined && fetched[k] !== undefined && now[k] !== fetched[k]);
  if (differs === undefined) return undefined;
  const short = (v: string | number | undefined): string => String(v).slice(0, 12);
  return `another run pinned ${source} to ${differs}:${short(now[differs])} while this one fetched ${differs}:${short(fetched[differs])}: ` +
    'the source changed between the two fetches, and this fetch is not kept (run again to use that pin, or with --refresh to take what the source has now)';
}
