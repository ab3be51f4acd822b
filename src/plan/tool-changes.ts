import { MISSING, programName } from './tools.js';

const short = (id: string): string => `${id.slice(id.lastIndexOf(':') + 1).slice(0, 8)}…`;

/**
 * How a host step's programs changed, in `plan`'s words: `program
 * /usr/bin/gdalwarp changed (a → b)`, `program awk now used`, `program mytool
 * now found (/opt/bin/mytool)`. An entry that disappeared and one that
 * appeared under the same program name are one program found elsewhere.
 */
export function toolChanges(before: readonly (readonly [string, string])[], now: readonly (readonly [string, string])[]): string[] {
  const left = new Map(before);
  const right = new Map(now);
  const reasons: string[] = [];
  const added: string[] = [];
  for (const [path, hash] of right) {
    const old = left.get(path);
    if (old === undefined) added.push(path);
    else if (old !== hash) {
      reasons.push(old === MISSING ? `program ${path} now found` : hash === MISSING ? `program ${path} no longer found` : `program ${path} changed (${short(old)} → ${short(hash)})`);
    }
  }
  const removed = [...left.keys()].filter((path) => !right.has(path));
  for (const path of added) {
    const was = removed.findIndex((r) => programName(r) === programName(path));
    if (was < 0) {
      reasons.push(right.get(path) === MISSING ? `program ${path} now used (not found on PATH)` : `program ${path} now used`);
      continue;
    }
    const old = removed.splice(was, 1)[0]!;
    const name = programName(path);
    if (left.get(old) === MISSING) reasons.push(`program ${name} now found (${path})`);
    else if (right.get(path) === MISSING) reasons.push(`program ${name} no longer found (was ${old})`);
    else reasons.push(`program ${name} now resolves to ${path} (was ${old})`);
  }
  for (const path of removed) reasons.push(`program ${path} no longer used`);
  return reasons;
}
