import { error, type Diagnostic, type Position } from '../diagnostics.js';
import { baseName } from './data-path.js';
import type { Input, Pipeline, Step } from './pipeline.js';
import { programOfCommand } from './mentions.js';
import { shellWords, typedWord } from './shell-words.js';

/**
 * Every job of a map writes its own outputs, so a map step's plain-file
 * output would be written once per item: that is an error, found before
 * anything runs. A path without an extension is most likely a directory
 * written without its trailing `/`: the message says so first. Either way
 * the step may have been meant as a reduce, one job reading every item:
 * the message ends with how to write one.
 *
 * The instances of a swept block find the same mistake at the same place,
 * each naming its own paths: it is said once, for the first instance.
 */
export function validateMaps(pipeline: Pipeline): Diagnostic[] {
  const found = new Map<string, { at: Position; message: string; step: Step; again: boolean }>();
  for (const step of pipeline.steps) {
    const wildcard = step.inputs.find((i) => i.pattern !== undefined);
    if (wildcard === undefined) continue;
    for (const o of step.outputs) {
      if (o.perItem || o.isDir) continue;
      const what = `\`${o.path}\` would be written by every job of this map over ${wildcard.path}/${wildcard.pattern}`;
      const looksLikeDir = !baseName(o.path).includes('.');
      const dir = o.path.slice(0, -baseName(o.path).length);
      // `+.` with no extension is no `+`: its hints would name `+/+` (refused) and a directory named `+.`.
      const message = baseName(o.path) === '+.' ? `${what}: \`+.\` needs an extension after its dot: name each job's output ${dir}+ (the item's name) or ${dir}+.EXT (its name with a new extension, as ${dir}+.csv)`
        : `${looksLikeDir
        ? `${what}: if it is a directory the jobs write into, add the trailing \`/\` (${o.path}/); or name each job's output with + (${o.path}/+)`
        : `${what}: name each job's output with + (${o.path.replace(/\.[^/.]*$/, '')}/+) or write into a directory (${o.path}/)`}; ${reduceHint(step, wildcard)}`;
      const key = `${o.at.line}:${o.at.col}`;
      const first = found.get(key);
      if (first === undefined) found.set(key, { at: o.at, message, step, again: false });
      else if (first.message !== message) first.again = true;
    }
  }
  return [...found.values()].map(({ at, message, step, again }) =>
    error(pipeline.document.file, at, again ? `${message} ${likewise(step)}` : message));
}

/**
 * A reduce names the directory, not a wildcard: the form the docs show
 * (`find DIR -name '*.csv' -exec cat {} +`, which `-name` can only say of
 * one level), and `cd DIR && PROGRAM PATTERN`, with the map's own program.
 */
function reduceHint(step: Step, wildcard: Input): string {
  const mention = step.kind === 'run' ? step.mentions.find((m) => m.wildcard !== undefined && m.at.line === wildcard.at.line && m.at.col === wildcard.at.col) : undefined;
  const program = mention?.program ?? 'cat';
  const pattern = wildcard.pattern!;
  // Quoted when the shell would split or expand it (`/data/out dir/`), so the hint runs as typed.
  const dir = typedWord(`${wildcard.path}/`);
  // A loop over the items (`for f in /data/ranges/*.csv; do`) is no program `find` could run.
  if (program === 'for' || program === 'select') {
    return `or, for one job that reads them all (a reduce), loop in the directory instead: \`cd ${dir} && ${program} f in ${pattern}; do …; done\``;
  }
  // The arguments before the wildcard as typed when plain words (`wc -l`, `python3 aoh.py --range`), else `…`;
  // those after it are the user's to put back (`…`), and `find -exec` takes its files last.
  const around = mention === undefined || step.kind !== 'run' ? { before: '', after: false } : otherArguments(step.command, mention.offset);
  const shown = `${program}${around.before}`;
  const find = pattern.includes('/') || around.after ? '' : `\`find ${dir} -name '${pattern}' -exec ${shown} {} +\` or `;
  return `or, for one job that reads them all (a reduce), name the directory instead of the wildcard: ${find}\`cd ${dir} && ${shown} ${pattern}${around.after ? ' …' : ''}\``;
}

/** The arguments of the wildcard path's program before it (` -l`, ` …`, or none), and whether others follow it. */
function otherArguments(command: string, offset: number): { before: string; after: boolean } {
  const words = shellWords(command);
  const word = words.find((w) => w.offsets.includes(offset));
  const run = word === undefined ? undefined : programOfCommand(words, word.command);
  const n = run === undefined ? -1 : run.args.indexOf(word!);
  if (n < 0) return { before: '', after: false };
  const before = run!.args.slice(0, n).map((w) => w.value);
  const plain = before.every((v) => /^[\w.,:=+@%/-]+$/.test(v) && !v.includes('/data'));
  return { before: before.length === 0 ? '' : plain ? ` ${before.join(' ')}` : ' …', after: n < run!.args.length - 1 };
}

/** A swept block's instances differ only in their axes' values: what one does wrong, each does. */
function likewise(step: Step): string {
  return `(and likewise for each ${(step.block.instance?.axes ?? []).map(([name]) => name).join(' and ')})`;
}
