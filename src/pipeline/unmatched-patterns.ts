import { Minimatch } from 'minimatch';
import { error, type Diagnostic } from '../diagnostics.js';
import type { Input, Pipeline, Step } from './pipeline.js';

/** What one writer puts directly in a map's directory: a fixed name, or items whose names end in `ext` (`+.EXT`). */
type Entry = { readonly name: string; readonly shown: string } | { readonly ext: string; readonly shown: string };

/**
 * A map whose pattern nothing in its directory can match runs 0 jobs, and
 * what reads it computes on nothing: most often an upstream output renamed
 * (`+.up`) and the reader's glob (`*.txt`) left behind. Said where the
 * pattern is written, but only when it is certain: every writer of the
 * directory names what it puts there (`+.EXT` or fixed names). A directory
 * written whole, a frontmatter input, `+` keeping its items' names or names
 * made at run time could hold anything: never reported.
 */
export function unmatchedPatterns(pipeline: Pipeline, sound: (writer: Step) => boolean = () => true): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const step of pipeline.steps) {
    for (const input of step.inputs) {
      if (input.pattern === undefined || input.from.length === 0) continue;
      if (input.from.some((id) => { const w = pipeline.stepsById.get(id); return w !== undefined && !sound(w); })) continue;
      const entries = writtenInto(pipeline, input);
      if (entries === undefined) continue;
      // Whatever a pattern of several levels matches has a first level its first segment matches.
      const first = input.pattern.split('/')[0]!;
      if (entries.some((e) => mayMatch(first, e))) continue;
      const what = [...new Set(entries.map((e) => e.shown))].join(', ');
      problems.push(error(pipeline.document.file, input.at,
        `nothing written to ${input.path}/ can match \`${input.pattern}\`: ${what}; this map would run 0 jobs`));
    }
  }
  return problems;
}

/** What the steps that write `input`'s directory put directly in it, or undefined if any of it could be anything. */
function writtenInto(pipeline: Pipeline, input: Input): Entry[] | undefined {
  const dir = input.path;
  const entries: Entry[] = [];
  for (const id of new Set(input.from)) {
    const writer = pipeline.stepsById.get(id);
    // `input:NAME`: a directory from outside, holding whatever it holds.
    if (writer === undefined) return undefined;
    const before = entries.length;
    for (const o of writer.outputs) {
      if (o.path === dir) {
        // The directory whole, `+` keeping its items' names, names made at run time: anything.
        if (!o.perItem || o.ext === undefined) return undefined;
        entries.push({ ext: o.ext, shown: `${writer.id} writes ${dir}/+${o.ext} (names ending ${o.ext})` });
      } else if (o.path.startsWith(`${dir}/`)) {
        const name = o.path.slice(dir.length + 1).split('/')[0]!;
        entries.push({ name, shown: `${writer.id} writes ${dir}/${name}` });
      } else if (dir.startsWith(`${o.path}/`)) {
        return undefined;
      }
    }
    // Listed as a writer in a way not understood here: nothing is certain.
    if (entries.length === before) return undefined;
  }
  return entries;
}

function mayMatch(segment: string, entry: Entry): boolean {
  if ('name' in entry) return new Minimatch(segment, { dot: false }).match(entry.name);
  // A name ending in both `ext` and the pattern's literal tail exists only if one of them ends the other.
  const tail = literalTail(segment);
  return tail.endsWith(entry.ext) || entry.ext.endsWith(tail);
}

/** The end of a glob after its last character with a meaning (`*`, `?`, sets, braces, extglobs, escapes): what a match must end with. */
function literalTail(segment: string): string {
  const m = /[*?[\]{}()!+@\\|][^*?[\]{}()!+@\\|]*$/.exec(segment);
  return m === null ? segment : m[0].slice(1);
}
