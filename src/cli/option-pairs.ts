/** The `NAME=VALUE` options (`-e`, `-i`, `--secret`…), read alike for every command that takes them. */
import { notAVariable, VARIABLE } from '../markdown/frontmatter-entries.js';
import { REPEATED } from '../pipeline/axes.js';
import { EXIT_INVALID, ExitError } from './load-or-report.js';

/** `shape`: how the option's help writes what it takes (`-i NAME=PATH`), as the message says it back. */
export function pairs(values: readonly string[] | undefined, flag: string, stderr: (s: string) => void, shape = 'NAME=VALUE'): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) {
      stderr(`shark: error: ${flag} expects ${shape}, not \`${v}\`\n`);
      throw new ExitError(EXIT_INVALID);
    }
    const [name, value] = [v.slice(0, eq), v.slice(eq + 1)];
    // A name bound twice is a typo to point at, not a choice to make silently (the last one won).
    const before = out.get(name);
    if (before !== undefined && before !== value) {
      stderr(`shark: error: ${flag} ${name} is given twice (${before} and ${value}): give it once\n`);
      throw new ExitError(EXIT_INVALID);
    }
    out.set(name, value);
  }
  return out;
}

/** `-e NAME=VALUE`s: each NAME one the shell can export, as the frontmatter's and shark.yaml's `env:` names must be. */
export function envPairs(values: readonly string[] | undefined, stderr: (s: string) => void): Map<string, string> {
  const out = new Map<string, string>();
  // A name given again adds a value: an axis takes them all (as `-e TAXA=A,B`); a variable given two is refused once loading says which it is.
  for (const v of values ?? []) {
    for (const [name, value] of pairs([v], '-e/--env', stderr)) {
      const before = out.get(name);
      out.set(name, before === undefined ? value : before.split(REPEATED).includes(value) ? before : `${before}${REPEATED}${value}`);
    }
  }
  for (const name of out.keys()) {
    const wrong = !VARIABLE.test(name) ? `\`${name}\` is not a valid environment variable name`
      : notAVariable(name);
    if (wrong === undefined) continue;
    stderr(`shark: error: -e ${name}=…: ${wrong}\n`);
    throw new ExitError(EXIT_INVALID);
  }
  return out;
}

/**
 * `-i NAME=PATH`s. An empty PATH is a usage error, as other empty arguments
 * are: it would bind the current directory, store and all.
 */
export function inputPairs(values: readonly string[] | undefined, stderr: (s: string) => void): Map<string, string> {
  const out = pairs(values, '-i/--input', stderr, 'NAME=PATH');
  for (const [name, path] of out) {
    if (path !== '') continue;
    stderr(`shark: error: the path of -i ${name}= is empty: name the file or directory to bind input \`${name}\` to\n`);
    throw new ExitError(EXIT_INVALID);
  }
  return out;
}
