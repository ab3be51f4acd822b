import { leadsIntoData } from './data-path.js';
import { shellTokens, type Token } from './shell-tokens.js';

/**
 * Built into sh (dash, bash): running them starts no program, so no file
 * on PATH belongs in a key. `exec`, `command` and `time` are wrappers below.
 */
const BUILTINS = new Set([
  ':', '.', '[', 'alias', 'bg', 'break', 'builtin', 'cd', 'continue', 'declare', 'echo', 'eval', 'exit', 'export',
  'false', 'fc', 'fg', 'getopts', 'hash', 'jobs', 'kill', 'let', 'local', 'printf', 'pwd', 'read', 'readonly',
  'return', 'set', 'shift', 'source', 'test', 'times', 'trap', 'true', 'type', 'typeset', 'ulimit', 'umask',
  'unalias', 'unset', 'wait',
]);

/** Reserved words after which the next word is again a command. */
const OPENERS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '{', '!']);
const CLOSERS = new Set(['fi', 'done', '}', 'esac']);

interface Wrapper {
  /** A program of its own (hashed too), or a shell builtin / keyword. */
  readonly program: boolean;
  /** Options that take the next word as their value. */
  readonly withValue: ReadonlySet<string>;
  /** Plain words before the command (`timeout`'s duration). */
  readonly positional: number;
  /** `NAME=value` words may precede the command. */
  readonly assignments: boolean;
}

const wrapper = (program: boolean, withValue: string[], positional = 0, assignments = false): Wrapper =>
  ({ program, withValue: new Set(withValue), positional, assignments });

/** Commands that run the command after their options: the program that does the work is that one. */
const WRAPPERS: ReadonlyMap<string, Wrapper> = new Map([
  ['env', wrapper(true, ['-u', '-C', '-S', '--unset', '--chdir'], 0, true)],
  ['sudo', wrapper(true, ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T'], 0, true)],
  ['nice', wrapper(true, ['-n', '--adjustment'])],
  ['nohup', wrapper(true, [])],
  ['stdbuf', wrapper(true, ['-i', '-o', '-e'])],
  ['timeout', wrapper(true, ['-s', '-k', '--signal', '--kill-after'], 1)],
  ['xargs', wrapper(true, ['-n', '-I', '-L', '-P', '-d', '-s', '-E', '-a', '--max-args', '--max-procs', '--delimiter', '--arg-file'])],
  ['time', wrapper(false, ['-f', '-o', '--format', '--output'])],
  ['exec', wrapper(false, ['-a'])],
  ['command', wrapper(false, [])],
]);

/**
 * The programs a command invokes, as written, each once in order of
 * appearance: the first word of each simple command (through pipes, `&&`,
 * `||`, `;`, subshells, compound commands and `$(…)`), past assignments and
 * wrappers (`env`, `sudo`, `time`, `nice`, `xargs`…). Left out: builtins and
 * keywords, functions the command defines, words made by expansion
 * (`$TOOL`), relative paths (local files, keyed on their own) and /data paths.
 */
export function commandPrograms(text: string): string[] {
  const found = new Set<string>();
  walk(shellTokens(text), found, new Set());
  return [...found];
}

type Mode = 'normal' | 'for' | 'case-word' | 'case-pattern';

function walk(tokens: readonly Token[], found: Set<string>, functions: Set<string>): void {
  let atCommand = true;
  let mode: Mode = 'normal';
  let skipTarget = false;
  let wrapping: { spec: Wrapper; value: boolean; positional: number } | undefined;

  for (let n = 0; n < tokens.length; n++) {
    const t = tokens[n]!;
    if (t.kind === 'redir') {
      skipTarget = t.target;
      continue;
    }
    if (t.kind === 'op') {
      wrapping = undefined;
      if (mode === 'case-pattern') {
        if (t.value === ')') (mode = 'normal'), (atCommand = true);
      } else if (t.value === ';;' || t.value === ';&') {
        mode = 'case-pattern';
      } else if (mode !== 'for') {
        atCommand = true;
      }
      continue;
    }
    for (const sub of t.subs) walk(shellTokens(sub), found, functions);
    if (skipTarget) {
      skipTarget = false;
      continue;
    }
    const word = t.expands ? undefined : t.value;
    if (mode === 'case-pattern') {
      if (word === 'esac') (mode = 'normal'), (atCommand = false);
      continue;
    }
    if (mode === 'for') {
      if (word === 'do') (mode = 'normal'), (atCommand = true);
      continue;
    }
    if (mode === 'case-word') {
      if (word === 'in') mode = 'case-pattern';
      continue;
    }
    if (wrapping !== undefined) {
      const w = wrapping;
      if (w.value) {
        w.value = false;
        continue;
      }
      if (word?.startsWith('-') === true && word !== '-') {
        w.value = w.spec.withValue.has(word);
        continue;
      }
      if (w.spec.assignments && word !== undefined && isAssignment(word)) continue;
      if (w.positional > 0) {
        w.positional--;
        continue;
      }
      wrapping = undefined;
      atCommand = true;
    }
    if (!atCommand) continue;
    if (word === undefined) {
      atCommand = false;
      continue;
    }
    if (isAssignment(word)) continue;
    if (OPENERS.has(word)) continue;
    if (CLOSERS.has(word)) {
      atCommand = false;
      continue;
    }
    if (word === 'for' || word === 'select') {
      mode = 'for';
      continue;
    }
    if (word === 'case') {
      mode = 'case-word';
      continue;
    }
    const next = tokens[n + 1];
    const after = tokens[n + 2];
    if (word === 'function' || (next?.kind === 'op' && next.value === '(' && after?.kind === 'op' && after.value === ')')) {
      // A function definition: its name is no program, and neither are calls to it.
      if (word === 'function') {
        if (next?.kind === 'word') functions.add(next.value);
        n++;
      } else {
        functions.add(word);
        n += 2;
      }
      atCommand = true;
      continue;
    }
    atCommand = false;
    const spec = WRAPPERS.get(word);
    if (spec !== undefined) {
      if (spec.program) found.add(word);
      wrapping = { spec, value: false, positional: spec.positional };
      continue;
    }
    if (BUILTINS.has(word) || functions.has(word)) continue;
    if (isProgramName(word)) found.add(word);
  }
}

/**
 * Which of one simple command's words (redirections left out) names its
 * program: past assignments, words that open a command (`{`, `!`, `if`,
 * `do`…) and wrappers with their options (`time -p`, `env -u X`, `nice -n 5`);
 * undefined when it has none (`}`, `done`, only assignments).
 */
export function programIndex(words: readonly string[]): number | undefined {
  let wrapping: { spec: Wrapper; value: boolean; positional: number } | undefined;
  for (let n = 0; n < words.length; n++) {
    const word = words[n]!;
    if (wrapping !== undefined) {
      if (wrapping.value) {
        wrapping.value = false;
        continue;
      }
      if (word.startsWith('-') && word !== '-') {
        wrapping.value = wrapping.spec.withValue.has(word);
        continue;
      }
      if (wrapping.spec.assignments && isAssignment(word)) continue;
      if (wrapping.positional > 0) {
        wrapping.positional--;
        continue;
      }
    }
    if (isAssignment(word) || OPENERS.has(word)) continue;
    if (CLOSERS.has(word)) return undefined;
    const spec = WRAPPERS.get(word);
    if (spec === undefined) return n;
    wrapping = { spec, value: false, positional: spec.positional };
  }
  return undefined;
}

function isAssignment(word: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(word);
}

/** A bare name looked up on PATH, or an absolute path outside /data; relative paths are local files. */
function isProgramName(word: string): boolean {
  if (word === '' || /[*?[\]]/.test(word)) return false;
  if (!word.includes('/')) return true;
  return word.startsWith('/') && !leadsIntoData(word);
}
