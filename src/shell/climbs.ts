import { posix } from 'node:path';
import { isUnder } from '../pipeline/data-path.js';
import { shellWords, type Word } from '../pipeline/shell-words.js';

/** A relative word that climbs with `..` from a `cd` into /data: what it names, which the command may not. */
export interface Climb {
  /** The word as written (`../base.txt`). */
  readonly word: string;
  /** The directory it is relative to (`/data/w`). */
  readonly cwd: string;
  /** Where it leads (`/data/base.txt`, or a path out of /data). */
  readonly path: string;
}

/**
 * The words of a command that, after a `cd` into /data (`cd /data/w && cat
 * ../base.txt`), climb out of that directory with `..`. At the prompt the
 * whole of /data is there to be read; in a job only what the command names
 * is, so what such a word reads is not there unless the command names it too.
 * `cd` is followed as the document's `cd` lines are: a relative one from the
 * last, `cd` alone out of /data.
 */
export function climbs(command: string): Climb[] {
  const found: Climb[] = [];
  let cwd: string | undefined;
  for (const words of simpleCommands(shellWords(command))) {
    const [first, dir, ...more] = words;
    if (first?.value === 'cd' && more.length === 0) {
      cwd = dir === undefined ? undefined : dir.value.startsWith('/') ? posix.normalize(dir.value) : cwd === undefined ? undefined : posix.join(cwd, dir.value);
      continue;
    }
    if (cwd === undefined || !(cwd === '/data' || isUnder(cwd, '/data'))) continue;
    for (const w of words) {
      if (/^[-/$~]/.test(w.value) || w.value.includes('=') || !w.value.split('/').includes('..')) continue;
      found.push({ word: w.value, cwd, path: posix.join(cwd, w.value) });
    }
  }
  return found;
}

/** The words of each simple command (split at `;`, `&&`, `||`, `|`), in order. */
function simpleCommands(words: readonly Word[]): Word[][] {
  const commands = new Map<number, Word[]>();
  for (const w of words) commands.set(w.command, [...(commands.get(w.command) ?? []), w]);
  return [...commands.values()];
}
