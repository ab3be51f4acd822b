import { printable } from '../printable.js';
import type { PlannedJob } from './planner.js';

/**
 * How a map's jobs stand, as `plan` says it on the map's one line
 * (`997 cached, 2 to run (new item)`): the cached ones, then how many have
 * each other status and first reason. `shark serve` says it of a block so
 * too, rather than one job's label for them all.
 */
export function jobCounts(jobs: readonly PlannedJob[]): { readonly parts: readonly string[]; readonly allCached: boolean } {
  let cached = 0;
  let allCached = true;
  const groups = new Map<string, number>();
  for (const j of jobs) {
    if (j.status !== 'cached') allCached = false;
    if (j.status === 'cached' && j.reasons.length === 0) {
      cached++;
      continue;
    }
    // A cached job with a reason is a `{precious}` one kept: `kept (precious): …` is its own label.
    const label = printable(j.status === 'cached' ? j.reasons[0]! : `${j.status === 'run' ? 'to run' : 'blocked'} (${shortReason(j.reasons[0] ?? '')})`);
    groups.set(label, (groups.get(label) ?? 0) + 1);
  }
  return { parts: [`${cached} cached`, ...[...groups].map(([label, n]) => `${n} ${label}`)], allCached };
}

/** For a map step's group line: `no previous result (new item)` reads as `new item`. */
function shortReason(reason: string): string {
  const m = /^no previous result \((.+)\)$/.exec(reason);
  return m ? m[1]! : reason;
}

/** A `{precious}` job kept although what makes its key changed: cached, with the reason it would otherwise run. */
export function isKept(j: PlannedJob): boolean {
  return j.status === 'cached' && j.reasons.some((r) => r.startsWith('kept (precious)'));
}
