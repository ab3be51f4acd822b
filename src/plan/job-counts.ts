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
  const groups = new Map<string, Group>();
  for (const j of jobs) {
    if (j.status !== 'cached') allCached = false;
    if (j.status === 'cached' && j.reasons.length === 0) {
      cached++;
      continue;
    }
    // A cached job with a reason is a `{precious}` one kept: `kept (precious): …` is its own label.
    const reason = j.status === 'cached' ? j.reasons[0]! : shortReason(j.reasons[0] ?? '');
    const status = j.status === 'cached' ? '' : j.status === 'run' ? 'to run' : 'blocked';
    // Each item's own input: grouped by what happened to it, its paths named (a line per changed item ran to megabytes).
    const each = j.status === 'cached' ? undefined : ofItsInput(reason);
    const key = each === undefined ? `${status}\0${reason}` : `${status}\0${each.kind}`;
    const group = groups.get(key) ?? { n: 0, label: printable(status === '' ? reason : `${status} (${reason})`), status, kind: each?.kind, paths: [] };
    group.n++;
    if (each !== undefined && group.paths.length < SHOWN) group.paths.push(each.path);
    groups.set(key, group);
  }
  return { parts: [`${cached} cached`, ...[...groups.values()].map(shownGroup)], allCached };
}

/** How many of a group's paths its label names. */
const SHOWN = 3;

interface Group {
  n: number;
  /** The first job's label, as one job's is shown. */
  readonly label: string;
  readonly status: string;
  readonly kind: string | undefined;
  readonly paths: string[];
}

/** `1 to run (input /data/a.txt changed (…))`, or of many, `300 to run (input changed: /data/a.txt, /data/b.txt, /data/c.txt and 297 more)`. */
function shownGroup(g: Group): string {
  if (g.n === 1 || g.kind === undefined) return `${g.n} ${g.label}`;
  const more = g.n > g.paths.length ? ` and ${g.n - g.paths.length} more` : '';
  return `${g.n} ${printable(`${g.status} (${g.kind}: ${g.paths.join(', ')}${more})`)}`;
}

/** A reason naming one input of the job's own (`input /data/a/1.txt changed (…)`, `new input …`): what happened, and the path. */
function ofItsInput(reason: string): { kind: string; path: string } | undefined {
  let m = /^input (\/data\/.+) changed \([^()]*\)$/.exec(reason);
  if (m !== null) return { kind: 'input changed', path: m[1]! };
  if ((m = /^new input (\/data\/.+)$/.exec(reason)) !== null) return { kind: 'new input', path: m[1]! };
  if ((m = /^input (\/data\/.+) no longer read$/.exec(reason)) !== null) return { kind: 'input no longer read', path: m[1]! };
  return undefined;
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
