/** Jobs a lane may queue behind each running job at most (its jobs shortest). */
export const DEEPEST = 8;

/** About how much of a lane's work (ms) waits queued behind each running job: a lane of short jobs queues deeper. */
const QUEUED_MS = 20;

/** The weight of a job's time in its lane's pace (a moving average). */
const WEIGHT = 0.25;

/** A lane no job of which has ended for this long (ms) has its pace forgotten: its jobs are long now. */
const FORGET_MS = 1000;

interface Pace {
  /** Undefined until one of its jobs has held its share and ended. */
  ms: number | undefined;
  at: number;
  /** Its jobs started or queued and not ended: a lane without any asks for no staging. */
  jobs: number;
}

/**
 * How deep each lane's queue may be (scheduler.ts): one job behind each
 * running one, as long as its jobs take `QUEUED_MS` or more; more when they
 * are shorter, up to `DEEPEST`. A trivial job (a `true`, ~1 ms) is over
 * before Shark has handled the end of the one before it: with one job
 * queued, a lane waited for Shark once in ten jobs (2,000 jobs at -j 2),
 * and with its queue as deep as `QUEUED_MS` of its work, it rides out what
 * holds Shark up for a few ms (a batch of results committed, a collection).
 * A long job's lane is never deepened: a job queued is one whose lease is
 * held, which another run sharing the store cannot take up. A lane none of
 * whose jobs is left (its step is over, or has not begun again) asks for no
 * staging, so that the run stages no more than before for the next step's
 * jobs, whose pace is not known yet.
 */
export class LanePace {
  private readonly lanes = new Map<string, Pace>();
  private deepestNow = 1;

  /** `deepened` is told the deepest queue of a lane whenever it changes (the run stages that many more jobs). */
  constructor(private readonly now: () => number, private readonly deepened?: (deepest: number) => void) {}

  /** A job of `lane` is started or queued. */
  began(lane: string): void {
    const pace = this.lanes.get(lane);
    if (pace === undefined) this.lanes.set(lane, { ms: undefined, at: this.now(), jobs: 1 });
    else pace.jobs++;
  }

  /** A job of `lane` ended, having held its share for `ms` (undefined: it never ran). */
  ended(lane: string, ms: number | undefined): void {
    const now = this.now();
    const pace = this.lanes.get(lane);
    if (pace === undefined) return;
    pace.jobs--;
    if (ms !== undefined) (pace.ms = pace.ms === undefined ? ms : pace.ms + WEIGHT * (ms - pace.ms), pace.at = now);
    let deepest = 1;
    for (const p of this.lanes.values()) {
      if (p.ms !== undefined && now - p.at > FORGET_MS) p.ms = undefined;
      if (p.jobs > 0) deepest = Math.max(deepest, depthAt(p.ms));
    }
    if (deepest === this.deepestNow) return;
    this.deepestNow = deepest;
    this.deepened?.(deepest);
  }

  /** How many of `lane`'s jobs may wait behind each of its running ones. */
  depth(lane: string): number {
    return depthAt(this.lanes.get(lane)?.ms);
  }
}

function depthAt(ms: number | undefined): number {
  return ms === undefined ? 1 : Math.max(1, Math.min(DEEPEST, Math.floor(QUEUED_MS / Math.max(ms, 0.01))));
}
