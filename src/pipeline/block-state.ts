import { warning, type Diagnostic, type Position } from '../diagnostics.js';
import { programOfCommand } from './mentions.js';
import type { CommandText } from './shell-lines.js';
import type { Word } from './shell-words.js';
import { onlySetsVariables } from './assignment-line.js';

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
  /** Variables a command set beside others (`n=3; …`), and its line: gone for the commands after it. */
  private readonly setBeside = new Map<string, number>();
  /** Variables a line of assignments alone set: Shark gives that line to every command after it. */
  private readonly carried = new Set<string>();

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
    found.push(...this.variables(command, words, posOf));
    if (first !== undefined && first.value === 'exec' && first.contexts.every((c) => c === '') && words.some((w) => w.redirect !== undefined)
      && words.every((w) => w.command === 0 && (w === first || w.redirect !== undefined || /^\d*[<>]&?\d*-?$/.test(w.value)))) {
      found.push(warning(this.file, posOf(first.offsets[0]!), '`exec` with only redirections is a step of its own: what it redirects is that step\'s, and ends with it '
        + '(each command runs in a shell of its own), so what the commands after it print does not go there; redirect each command (`cmd >> /data/log.txt 2>&1`), '
        + 'or group them on one line (`{ a; b; } > /data/log.txt 2>&1`)'));
    }
    const definition = DEFINITION.exec(command.text);
    if (definition !== null) this.functions.set((definition[1] ?? definition[2])!, command.at.line);
    return found;
  }

  /**
   * A variable set by a command beside others (`n=3; echo $n`, `export X=1 && …`) is gone for
   * the commands after it, each in a shell of its own, where one set by a line of its own is
   * carried (`run-steps.ts`): warned at its first use by a later command that does not set it.
   */
  private variables(command: CommandText, words: readonly Word[], posOf: (offset: number) => Position): Diagnostic[] {
    const found: Diagnostic[] = [];
    if (onlySetsVariables(command.text)) {
      for (const m of command.text.matchAll(/(?:^|[ \t])([A-Za-z_]\w*)=/g)) this.carried.add(m[1]!);
      return found;
    }
    // Of simple commands that only assign (`n=3`), or export or declare (`export X=1`): `N=3 make` sets N for make alone.
    const setHere = new Set<string>();
    const assigned = (w: Word): string | undefined => {
      const name = /^([A-Za-z_]\w*)\+?=/.exec(w.value)?.[1];
      return name !== undefined && w.contexts.slice(0, name.length + 1).every((c) => c === '') ? name : undefined;
    };
    for (const index of new Set(words.map((w) => w.command))) {
      const own = words.filter((w) => w.command === index && w.redirect === undefined && w.substituted !== true);
      const declares = /^(?:export|readonly|declare|typeset)$/.test(own[0]?.value ?? '');
      if (!declares && !own.every((w) => assigned(w) !== undefined)) continue;
      for (const w of declares ? own.slice(1) : own) {
        const name = assigned(w);
        if (name !== undefined) setHere.add(name);
      }
    }
    for (const [name, line] of this.setBeside) {
      if (setHere.has(name) || this.carried.has(name)) continue;
      const use = new RegExp(`\\$(?:\\{)?${name}(?![\\w])`).exec(command.text);
      // Set by the command itself some other way (`for n in …`, `read n`): its own.
      if (use === null || new RegExp(`(?:for|read[^;|&]*)[ \\t]+${name}\\b`).test(command.text)) continue;
      found.push(warning(this.file, posOf(use.index), `\`$${name}\` is set on line ${line} by a command with others on its line: each command of a block runs in a shell of its own, `
        + `so it is not set here; set it on a line of its own (\`${name}=…\`), which Shark gives to every command after it, or use it on the line that sets it`));
      this.setBeside.delete(name);
    }
    // Set beside other commands, it is lost for the next; set by a command alone (`N=3 make` aside), it is that command's.
    const single = words.every((w) => w.command === 0);
    for (const name of setHere) {
      if (single) this.setBeside.delete(name);
      else this.setBeside.set(name, command.at.line);
    }
    return found;
  }
}
