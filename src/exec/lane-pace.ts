/** Jobs a lane may queue behind each running job at most (its jobs shortest). */
export const DEEPEST = 8;

/** About how much of a lane's work (ms) waits queued behind each running job: a lane of short jobs queues deeper. */
const QUEUED_MS = 20;

/** The weight of a job's time in its lane's pace (a moving average). */
const WEIGHT = 0.25;

/** A lane no job of which has ended for this long (ms) is forgotten: its step is over, or its jobs are long. */
const FORGET_MS = 1000;

interface Pace {
  ms: number;
  at: number;
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
 * held, which another run sharing the store cannot take up.
 */
export class LanePace {
  private readonly lanes = new Map<string, Pace>();
  private deepestNow = 1;

  /** `deepened` is told the deepest queue of a lane whenever it changes (the run stages that many more jobs). */
  constructor(private readonly now: () => number, private readonly deepened?: (deepest: number) => void) {}

  /** A job of `lane` held its share for `ms`. */
  record(lane: string, ms: number): void {
    const now = this.now();
    const pace = this.lanes.get(lane);
    if (pace === undefined) this.lanes.set(lane, { ms, at: now });
    else (pace.ms += WEIGHT * (ms - pace.ms), pace.at = now);
    let deepest = 1;
    for (const [name, p] of this.lanes) {
      if (now - p.at > FORGET_MS) this.lanes.delete(name);
      else deepest = Math.max(deepest, depthAt(p.ms));
    }
    if (deepest === this.deepestNow) return;
    this.deepestNow = deepest;
    this.deepened?.(deepest);
  }

  /** How many of `lane`'s jobs may wait behind each of its running ones. */
  depth(lane: string): number {
    const pace = this.lanes.get(lane);
    return pace === undefined ? 1 : depthAt(pace.ms);
  }
}

function depthAt(ms: number): number {
  return Math.max(1, Math.min(DEEPEST, Math.floor(QUEUED_MS / Math.max(ms, 0.01))));
}
