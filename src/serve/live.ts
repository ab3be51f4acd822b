import { statSync } from 'node:fs';
import { planPipeline, type Plan } from '../plan/planner.js';
import { InvalidInput, seedState, type Session } from '../plan/session.js';
import { refuseUnreadable } from '../plan/unreadable-host.js';
import { checkMemosAhead } from '../plan/step-memo.js';
import { selectSteps } from '../plan/selection.js';
import { leasedJobs } from '../store/job-leases.js';
import { displayName } from '../cli/load-or-report.js';
import { DataIndex } from './data-index.js';
import { DocumentWatch } from './document-watch.js';
import { pageState, type PageState } from './views.js';

/**
 * What the page shows, kept current: every `intervalMs` the store's run
 * records are read (the latest run of this document and how many jobs it has
 * recorded); when they change, the block statuses are recomputed and sent to
 * every listener. The plan is recomputed when no run is in progress (a run's
 * own records say what it is doing); nothing here writes to the store but the
 * plan's stat cache.
 */
export class Live {
  private plan: Plan | undefined;
  private note: string | undefined;
  private fingerprint = '';
  private busy = false;
  private planned = 0;
  /** The latest run when the plan was made. */
  private plannedIn: number | undefined;
  /** The lock file's time when the plan was made (`lockTime`). */
  private lockSeen = 0;
  private indexed = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The results the plan reuses (its cached jobs' keys). */
  private reused: ReadonlySet<string> = new Set();
  private readonly listeners = new Set<(s: PageState) => void>();
  private readonly watch: DocumentWatch;
  state: PageState = { run: undefined, blocks: [] };
  index: DataIndex;

  constructor(private readonly session: Session, private readonly hostInputs: ReadonlyMap<string, string>) {
    this.index = new DataIndex(session.meta, session.store, session.pipelinePath);
    this.watch = new DocumentWatch(session.pipelinePath, session.pipeline.document.source);
  }

  async start(intervalMs = 500): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.listeners.clear();
  }

  subscribe(fn: (s: PageState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private async refresh(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { meta, pipelinePath, pipeline } = this.session;
      const run = meta.latestRun(pipelinePath);
      const count = run === undefined ? 0 : (meta.db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM run_jobs WHERE run_id = ?').get(run.id)?.n ?? 0) + meta.runRows.named(run.id);
      // The jobs it has taken up: a job starting changes the page as much as one ending.
      const leased = run?.status === 'running' ? leasedJobs(meta, run.id) : [];
      // The steps it began: a map's count of jobs is known from then on.
      const begun = run?.status === 'running' ? meta.runRows.begun(run.id).size : 0;
      const print = JSON.stringify([run?.id, run?.status, count, leased, begun, this.watch.changed()]);
      if (print === this.fingerprint) return;
      const first = this.fingerprint === '';
      this.fingerprint = print;
      // During a run its own records tell the story: the plan is remade after it, the index of results now and then.
      // And as it starts: its records are told from a run of other options by the plan's keys, which an input
      // edited since the last plan would change.
      const running = run?.status === 'running';
      // A run that built an environment wrote its image to the lock: the jobs' keys are known from then on.
      const lockMoved = lockTime(this.session.lockPath) !== this.lockSeen;
      if (!running || this.plan === undefined || this.plannedIn !== run?.id || lockMoved) await this.replan(run?.id);
      if (!running || Date.now() - this.indexed > 5000) this.reindex();
      this.state = pageState(pipeline, this.plan, meta, run, leased, this.notes());
      if (!first) for (const fn of this.listeners) fn(this.state);
    } catch (e) {
      // A busy or changing database: the next tick tries again.
      this.fingerprint = '';
      this.note = `could not read the store: ${(e as Error).message.split('\n')[0]}`;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Before a page is made: a plan more than two seconds old is made again
   * (an input or a program may have changed since), unless a run is in progress.
   */
  async fresh(): Promise<void> {
    if (this.busy || Date.now() - this.planned < 2000 || this.state.run?.status === 'running') return;
    this.busy = true;
    try {
      const reused = this.reused;
      const { meta, pipelinePath, pipeline } = this.session;
      const run = meta.latestRun(pipelinePath);
      await this.replan(run?.id);
      // Another plan may reuse other results: the result pages show those.
      if (!sameSet(reused, this.reused)) this.reindex();
      this.state = pageState(pipeline, this.plan, meta, run, run === undefined ? [] : leasedJobs(meta, run.id), this.notes());
      for (const fn of this.listeners) fn(this.state);
    } finally {
      this.busy = false;
    }
  }

  /** What the page says above the document: that the file was edited since it was read, and a failure to plan or read. */
  private notes(): string | undefined {
    const edited = this.watch.changed()
      ? `${displayName(this.session.pipelinePath)} changed since this page started: it shows the document as it was then, and a run of the changed document as one with other options; restart shark serve to see it as it is now`
      : undefined;
    const notes = [edited, this.note].filter((n) => n !== undefined);
    return notes.length === 0 ? undefined : notes.join('\n');
  }

  /** `run`: the latest run as the plan is made. */
  private async replan(run: number | undefined): Promise<void> {
    // The first plan takes the checks the session started as it opened; a later one starts them again (what was stored may have changed).
    if (this.planned !== 0) checkMemosAhead(this.session);
    // A run since may have built an environment (the lock names its image now): read again, not as the page started.
    if (this.planned !== 0) this.session.envs.reread?.();
    this.planned = Date.now();
    this.plannedIn = run;
    this.lockSeen = lockTime(this.session.lockPath);
    try {
      // What `shark run FILE` would do: every block but the `{manual}` ones.
      const selected = selectSteps(this.session.pipeline, [], []);
      const selection = selected.ok ? selected.selection : undefined;
      this.plan = await planPipeline(this.session, await seedState(this.session, this.hostInputs), selection);
      this.note = refusedNote(this.session);
    } catch (e) {
      this.plan = undefined;
      this.note = `could not plan: ${(e as Error).message.split('\n')[0]}`;
    }
    const reused = new Set<string>();
    for (const j of this.plan?.jobs ?? []) if (j.resultKey !== undefined) reused.add(j.resultKey);
    this.reused = reused;
  }

  /** The index of results, the plan's reused ones first (`DataIndex`). */
  private reindex(): void {
    this.index = new DataIndex(this.session.meta, this.session.store, this.session.pipelinePath, this.reused);
    this.indexed = Date.now();
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

/**
 * What `plan` and `run` would refuse the document for before planning it (a
 * local import or COPY source that names nothing): the page plans it all
 * the same, and says so above the document, each problem at its line.
 */
function refusedNote(session: Session): string | undefined {
  try {
    refuseUnreadable(session);
    return undefined;
  } catch (e) {
    if (!(e instanceof InvalidInput)) throw e;
    const problems = [e.diagnostic, ...e.others].map((d) => `${displayName(d.file)}:${d.at.line}:${d.at.col}: ${d.message}`);
    return `shark plan and shark run refuse this document as it is: ${problems.join('; ')}`;
  }
}

/** When the lock file last changed (0 when there is none): a run that builds an environment writes it. */
function lockTime(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}
