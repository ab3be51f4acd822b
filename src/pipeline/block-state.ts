import { warning, type Diagnostic, type Position } from '../diagnostics.js';
import { programOfCommand } from './mentions.js';
import type { CommandText } from './shell-lines.js';
import type { Word } from './shell-words.js';

/** `name() { …; }` alone on its line (or `function name { …; }`): a definition, and nothing run after it. */
const DEFINITION = /^\s*(?:function\s+([A-Za-z_][\w-]*)\s*(?:\(\s*\))?|([A-Za-z_][\w-]*)\s*\(\s*\))\s*\{[\s\S]*\}\s*;?\s*$/;

/**
 * What a command of a block leaves for the ones after it that a step of its
 * own does not: each command runs as a step of its own, in a shell of its
 * own, so a function it defines, or what a file it sources sets, is gone
 * for the next (`greet: not found`, an empty `$GREETING`). Warned at, as
 * what sh on the host refuses is: `set -o pipefail` (dash has no pipefail,
 * and an `export`/`set` line is given to every command after it).
 */
export class BlockState {
  private readonly functions = new Map<string, number>();

  constructor(private readonly file: string, private readonly host: boolean) {}

  next(command: CommandText, words: readonly Word[], posOf: (offset: number) => Position): Diagnostic[] {
    const found: Diagnostic[] = [];
    for (const index of new Set(words.map((w) => w.command))) {
      const run = programOfCommand(words, index);
      const word = run === undefined ? undefined : words.find((w) => w.command === index && w.value.endsWith(run.program));
      if (run === undefined || word === undefined) continue;
      const defined = this.functions.get(run.program);
      if (defined !== undefined) {
        found.push(warning(this.file, posOf(word.offsets[0]!), `\`${run.program}\` is the function defined on line ${defined}, a command of its own: each command of a block `
          + 'runs as a step of its own, in a shell of its own, so it is not defined here; define it on the line that uses it (`f() { …; }; f x`), or put it in a script file'));
      }
      if (this.host && run.program === 'set') {
        const at = run.args.findIndex((w, n) => w.value === 'pipefail' && /^-[A-Za-z]*o$/.test(run.args[n - 1]?.value ?? ''));
        if (at >= 0) {
          found.push(warning(this.file, posOf(run.args[at]!.offsets[0]!), '`set -o pipefail` is not known to /bin/sh on Debian (dash), which runs a host step: '
            + 'the step fails (`set: Illegal option -o pipefail`), and so does every command after such a line in its block; drop it, or run the command with `bash -c \'…\'`'));
        }
      }
    }
    const first = words[0];
    if (first !== undefined && (first.value === '.' || first.value === 'source') && words.every((w) => w.command === 0)) {
      found.push(warning(this.file, posOf(first.offsets[0]!), `\`${first.value} ${words[1]?.value ?? ''}\` alone is a step of its own: what it sets is gone for the commands after it `
        + '(each runs in a shell of its own); source it on the line that needs it (`. ./env.sh && …`), or set the values with `export` lines'));
    }
    const definition = DEFINITION.exec(command.text);
    if (definition !== null) this.functions.set((definition[1] ?? definition[2])!, command.at.line);
    return found;
  }
}
