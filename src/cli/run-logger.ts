import type { RunEvent } from '../exec/events.js';
import { cutToWidth } from '../columns.js';
import { counted } from '../counted.js';
import { printable, shownName, shownText, withoutEscapes } from '../printable.js';
import { typedWord } from '../pipeline/shell-words.js';
import { subsetArgs } from '../lineage/runs.js';

export type Logger = (e: RunEvent) => void;

/**
 * One JSON object per line: for machines, and whenever the output is not a
 * terminal. The lines of one turn of the event loop go out in one write
 * (a write each, 100,000 jobs skipped on Ctrl-C took 1.3 s to say); the
 * run's end, and the process exiting, write what is held at once.
 */
export function jsonLogger(write: (s: string) => void): Logger {
  let held = '';
  const flush = (): void => {
    process.off('exit', flush);
    if (held === '') return;
    const out = held;
    held = '';
    write(out);
  };
  return (e) => {
    // An event that happened before it is told (`job-start` with `at`) carries the time it happened.
    const { at, ...rest } = e as RunEvent & { at?: number };
    if (held === '') (process.on('exit', flush), setImmediate(flush));
    held += JSON.stringify({ ...plainText(rest), time: new Date(at ?? Date.now()).toISOString() }) + '\n';
    if (e.type === 'run-end' || held.length >= HELD_MAX) flush();
  };
}

/** The most JSON lines held for one write, in characters. */
const HELD_MAX = 1 << 16;

/** A failure's message and tail (a build's or a job's output) without escape sequences: a machine reads the words. */
function plainText<E extends object>(e: E): E {
  if (!('message' in e) && !('tail' in e)) return e;
  const text = e as { message?: unknown; tail?: unknown };
  return {
    ...e,
    ...(typeof text.message === 'string' ? { message: withoutEscapes(text.message) } : {}),
    ...(typeof text.tail === 'string' ? { tail: withoutEscapes(text.tail) } : {}),
  };
}

/** A step's failures shown whole, with their output's tail; later ones take a line each. */
const WHOLE_FAILURES = 5;
/** Failures listed at the end of a run; the rest are counted. */
const LISTED_FAILURES = 10;

/** How often a map says how far it is when there is no status line (a pipe, a file). */
const PROGRESS_EVERY_MS = 30_000;

/** Storing that took this long (seconds) is shown beside the command's time: less says nothing a person needs. */
const STORED_SHOWN = 1;

/**
 * For people at a terminal: a live status line (running commands, jobs
 * storing their outputs, done/total per step, elapsed), and above it a line
 * per finished or failed job.
 */
export function prettyLogger(write: (s: string) => void, tty: boolean): Logger {
  const started = Date.now();
  /** `announced`: jobs counted done as cached at the step's start, whose own `job-cached` comes later (once recorded). */
  /** `stopped`: some of its jobs were skipped because the run was interrupted (its line says `stopped`, not `done`). */
  const steps = new Map<string, { total: number; done: number; ran: number; failed: number; skipped: number; started: number; announced: number; stopped?: true; told?: number }>();
  // A command holds a slot (at most -j of them); a job storing its outputs holds none, and there may be more.
  const running = new Set<string>();
  const storing = new Set<string>();
  // Under Slurm: jobs submitted and not yet running, and the steps already announced as submitted.
  const queued = new Map<string, string>();
  const submitted = new Set<string>();
  const downloads = new Map<string, string>();
  const waited = new Set<string>();
  // `{precious}` jobs kept although their key changed, by step: told after the run, a line a step, as plan tells them.
  const kept = new Map<string, { jobs: number; reasons: Set<string> }>();
  // Steps skipped (after a failure, or Ctrl-C), by reason: named after the run, not only counted.
  const skipped = new Map<string, Map<string, number>>();
  let shown = false;
  const clear = (): void => {
    if (tty && shown) write('\r\x1b[2K');
    shown = false;
  };
  const status = (): void => {
    if (!tty) return;
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    const waitingIn = (step: string): number => [...queued.values()].filter((s) => s === step).length;
    const parts = [...steps].filter(([, s]) => s.done < s.total).map(([id, s]) => {
      const q = queued.size > 0 ? waitingIn(id) : 0;
      return `${id} ${s.done}/${s.total}${q > 0 ? ` (${q} queued)` : ''}`;
    });
    const fetching = [...downloads].map(([job, text]) => `${job} ${text}`);
    const line = `[${elapsed}s] ${queued.size > 0 ? `${queued.size} queued, ` : ''}${running.size} running${storing.size > 0 ? `, ${storing.size} storing` : ''}${[...parts.slice(0, 4), ...fetching.slice(0, 2)].map((p) => ` · ${p}`).join('')}`;
    // One column short of the width: a line that wrapped would leave its first rows behind at each redraw.
    const columns = process.stdout.columns ?? 0;
    write(`\r\x1b[2K${cutToWidth(line, columns > 0 ? columns - 1 : 100)}`);
    shown = true;
  };
  const timer = tty ? setInterval(status, 250) : undefined;
  timer?.unref();
  const say = (s: string): void => {
    clear();
    write(s + '\n');
    status();
  };
  // A map's jobs are summed up in one line when the map is done, not one line each.
  const bump = (step: string, how: 'ran' | 'failed' | 'skipped' | 'cached'): void => {
    const s = steps.get(step);
    if (s === undefined) return;
    // Counted already: the map's summary line must not be said again.
    if (how === 'cached' && s.announced > 0) return void s.announced--;
    s.done++;
    if (how !== 'cached') s[how]++;
    // In a pipe or a file there is no status line: a long map says how far it is now and then (a CI log showed nothing for hours).
    if (!tty && s.total > 1 && s.done < s.total && Date.now() - (s.told ?? s.started) >= PROGRESS_EVERY_MS) {
      s.told = Date.now();
      say(`         ${step}: ${s.done}/${s.total} jobs done (${((Date.now() - s.started) / 1000).toFixed(0)}s)`);
    }
    if (s.total > 1 && s.done === s.total && s.ran + s.failed > 0) {
      const took = ((Date.now() - s.started) / 1000).toFixed(1);
      const skipped = s.skipped > 0 ? `, ${s.skipped} skipped` : '';
      say(`${s.failed > 0 ? 'FAILED  ' : s.stopped === true ? 'stopped ' : 'done    '} ${step}: ${s.ran} run, ${s.total - s.ran - s.failed - s.skipped} cached${s.failed ? `, ${s.failed} failed` : ''}${skipped} (${took}s)`);
    }
  };
  const isMap = (step: string): boolean => (steps.get(step)?.total ?? 0) > 1;
  // What builds and steps printed: colours kept at a terminal, no escape at all in a pipe or a file.
  // What builds, steps and servers wrote, quoted in a failure: colours kept at a terminal, no other escape, no control character.
  // A job's colours end with what it printed: one it never reset coloured Shark's summary and the prompt after it.
  const fromSteps = (text: string): string => {
    const shown = shownText(text, tty);
    return tty && shown.includes('\x1b') ? shown.split('\n').map((l) => (l.includes('\x1b') && !/\x1b\[0?m$/.test(l) ? `${l}${RESET}` : l)).join('\n') : shown;
  };
  return (e) => {
    switch (e.type) {
      case 'run-start':
        say(`shark: run ${e.run}, ${e.steps} step${e.steps === 1 ? '' : 's'}, store ${shownName(e.store)}`);
        break;
      case 'env-build':
        // Emitted before the provider looks: whether it finds the image or builds it is not known yet.
        say(`environment ${e.env}: checking the image (built if missing)`);
        break;
      case 'env-ready':
        say(e.built ? `environment ${e.env}: built (image ${e.image}, ${e.seconds!.toFixed(1)}s)`
          // Not found: the engine was not reached, and the lock file's image is taken for what cached jobs need.
          : e.unchecked === true ? `environment ${e.env}: image ${e.image} as the lock file names it, unchecked (the engine is unreachable: a job that must run in it fails)`
          : `environment ${e.env}: image ${e.image} found, built before`);
        break;
      case 'gc-waiting':
        say(`waiting  shark gc --delete (pid ${e.holder.pid} on ${e.holder.host}) is collecting the store: this run starts once it ends`);
        break;
      case 'env-waiting':
        say(`waiting  environment ${e.env}: another run (pid ${e.holder.pid} on ${e.holder.host}) is building it: its image will be used here, or built here if that build fails`);
        break;
      case 'step-start':
        steps.set(e.step, { total: e.jobs, done: e.cached, ran: 0, failed: 0, skipped: 0, started: Date.now(), announced: e.cached });
        if (e.jobs > 1) say(`${e.step}: ${e.jobs} jobs, ${e.cached} cached`);
        break;
      case 'step-empty':
        say(`note: ${e.message}`);
        break;
      case 'job-queued':
        queued.set(e.job, e.step);
        if (!submitted.has(e.step)) {
          const how = e.adopted === true ? 'jobs a killed run left in Slurm, taken over' : 'jobs submitted to Slurm';
          say(`queued   ${isMap(e.step) ? `${e.step}: ${how}` : e.adopted === true ? `${e.job} (a killed run's, taken over)` : e.job}`);
        }
        submitted.add(e.step);
        break;
      case 'job-start':
        // The status line is redrawn by its timer, not per event: a large map has thousands.
        queued.delete(e.job);
        running.add(e.job);
        break;
      case 'job-cached':
        bump(e.step, 'cached');
        if (e.kept === true) {
          const k = kept.get(e.step) ?? { jobs: 0, reasons: new Set<string>() };
          kept.set(e.step, (k.jobs++, k.reasons.add(e.reason ?? 'cache key changed'), k));
        }
        break;
      case 'job-storing':
        running.delete(e.job);
        storing.add(e.job);
        break;
      case 'job-done':
        queued.delete(e.job);
        running.delete(e.job);
        storing.delete(e.job);
        downloads.delete(e.job);
        if (!isMap(e.step)) say(`done     ${e.job} (${e.seconds.toFixed(1)}s${e.stored >= STORED_SHOWN ? `, storing ${e.stored.toFixed(1)}s` : ''})`);
        bump(e.step, 'ran');
        break;
      case 'job-failed': {
        queued.delete(e.job);
        running.delete(e.job);
        storing.delete(e.job);
        const tail = fromSteps(e.tail);
        // A map whose command is wrong fails every item: its first failures whole, the rest a line each.
        const before = steps.get(e.step)?.failed ?? 0;
        // A message can name what a server sent (a Zenodo key): shown, never obeyed by the terminal.
        if (before >= WHOLE_FAILURES) say(`FAILED   ${e.job}: ${fromSteps(e.message).split('\n')[0]}${e.log ? ` (log: ${shownName(e.log)})` : ''}`);
        else say(`FAILED   ${e.job}\n${e.where}: error: ${fromSteps(e.message)}${e.log ? `\n  log: ${shownName(e.log)}` : ''}${tail ? `\n${tail.split('\n').map((l) => `  | ${l}`).join('\n')}` : ''}`);
        bump(e.step, 'failed');
        break;
      }
      case 'job-skipped':
        queued.delete(e.job);
        running.delete(e.job);
        storing.delete(e.job);
        // A job of a started map (one reading an item a failed job did not make): counted in the map's line.
        if (e.job !== e.step) {
          const map = steps.get(e.step);
          if (map !== undefined && e.reason === 'interrupted') map.stopped = true;
          bump(e.step, 'skipped');
        }
        const of = skipped.get(e.reason) ?? new Map<string, number>();
        skipped.set(e.reason, of.set(e.step, (of.get(e.step) ?? 0) + (e.job !== e.step ? 1 : 0)));
        break;
      case 'job-waiting':
        // Once per step: a map whose jobs another run is computing would otherwise print a line per item.
        if (!waited.has(e.step)) say(`waiting  ${e.step}: another run (pid ${e.holder.pid} on ${e.holder.host}) is computing it: its result will be reused, or the job run here if it fails`);
        waited.add(e.step);
        break;
      case 'step-failed':
        say(`FAILED   ${e.step}\n${e.where}: error: ${fromSteps(e.message)}${e.log ? `\n  log: ${shownName(e.log)}` : ''}`);
        break;
      case 'progress':
        downloads.set(e.job, `${mb(e.done)}${e.total === null ? '' : `/${mb(e.total)}`} MB`);
        break;
      case 'published':
        say(`published ${shownName(e.path)} → ${shownName(e.to)}`);
        break;
      case 'run-end': {
        if (timer) clearInterval(timer);
        clear();
        const s = e.summary;
        const verdict = s.status === 'ok' ? 'ok' : s.status === 'interrupted' ? 'interrupted' : 'FAILED';
        write(`${verdict}: ${s.executed} run, ${s.cached} cached, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}${s.notStarted ? `, ${s.notStarted} map${s.notStarted === 1 ? '' : 's'} not started` : ''} in ${s.seconds.toFixed(1)}s\n`);
        for (const f of s.failures.slice(0, LISTED_FAILURES)) write(`  failed: ${f.job} at ${f.where} (${f.reason})${f.log ? ` log: ${shownName(f.log)}` : ''}\n`);
        if (s.failures.length > LISTED_FAILURES) {
          const file = /^(.*):\d+:\d+$/.exec(s.failures[0]!.where)?.[1];
          write(`  … and ${s.failures.length - LISTED_FAILURES} more failed jobs${file === undefined ? '' : `: shark logs ${typedWord(file)} shows their logs`}\n`);
        }
        for (const [reason, of] of skipped) write(`  skipped (${reason}): ${skippedSteps(of)}\n`);
        if (s.leftOut !== undefined) write(`  left out: ${s.leftOut} step${s.leftOut === 1 ? '' : 's'} not needed for the targets\n`);
        if (s.manual !== undefined) write(`  skipped (manual): ${s.manual.join(', ')}\n`);
        if (s.needsManual !== undefined) write(`  skipped (needs a manual block): ${s.needsManual.join(', ')}\n`);
        for (const n of s.forceUnused ?? []) write(`  note: ${n}\n`);
        for (const n of s.empty ?? []) write(`  note: ${n}\n`);
        for (const n of s.needed ?? []) write(`  included although ${n.leftOutBy} leaves it out: ${n.instance} (${n.by} reads ${n.reads})\n`);
        for (const [step, k] of kept) write(`  ${keptNote(step, k.jobs, [...k.reasons])}\n`);
        if (s.slurmLeftBehind !== undefined) write(`  ${leftBehindNote(s.slurmLeftBehind)}\n`);
        // A subset's results over the whole sweep's, in what others read (`_shark/`): said, not left to be found.
        if (s.axes !== undefined && (s.published ?? []).length > 0) {
          write(`  note: published from a subset of the sweep (${subsetArgs(s.axes)}): the published files hold that subset's results (a total across an axis is over its kept values alone), not the whole sweep's\n`);
        }
        break;
      }
    }
  };
}

/** Slurm tasks a killed run left that this run did not need: they hold the cluster for nothing, and are named to cancel. */
function leftBehindNote(ids: readonly string[]): string {
  const shown = ids.length > 8 ? `${ids.slice(0, 8).join(' ')} …` : ids.join(' ');
  return `warning: Slurm still holds ${counted(ids.length, 'task')} a killed run submitted that this run did not take over (no job of the document needs ${ids.length === 1 ? 'it' : 'them'} now): `
    + `cancel with \`scancel ${shown}\``;
}

/** Ends what a job's escape sequences set (colour, bold, blink, concealed). */
const RESET = '\x1b[0m';

/** Steps listed after a run: the rest are counted. */
const LISTED_SKIPPED = 8;

/** `m (2 jobs), s0, s1 and 5 more steps`: skipped steps, each map with how many of its jobs. */
function skippedSteps(of: ReadonlyMap<string, number>): string {
  const named = [...of].slice(0, LISTED_SKIPPED).map(([step, jobs]) => (jobs > 0 ? `${step} (${counted(jobs, 'job')})` : step));
  const more = of.size - named.length;
  return `${named.join(', ')}${more > 0 ? ` and ${counted(more, 'more step')}` : ''}`;
}

/**
 * A step's `{precious}` jobs kept with stale inputs or definition: what changed
 * (the first job's reasons, and how many other ones there are), and how to recompute.
 */
export function keptNote(step: string, jobs: number, reasons: readonly string[]): string {
  const others = reasons.length > 1 ? `, and ${counted(reasons.length - 1, 'other change')}` : '';
  return `kept (precious): ${step} — ${counted(jobs, 'job')} kept although ${printable(reasons[0] ?? 'cache key changed')}${others}; shark run --force ${typedWord(step)} to recompute`;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0);
}
