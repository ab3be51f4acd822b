import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { singleQuoted as sq } from '../pipeline/shell-words.js';

/** Shell builtins whose programs behave differently, or that only make sense inside a shell, and reserved words. */
const SHELL_ONLY = new Set([
  ':', '.', 'alias', 'bg', 'break', 'cd', 'chdir', 'command', 'continue', 'echo', 'eval', 'exec', 'exit', 'export',
  'fc', 'fg', 'getopts', 'hash', 'jobs', 'kill', 'local', 'printf', 'pwd', 'read', 'readonly', 'return', 'set',
  'shift', 'times', 'trap', 'type', 'ulimit', 'umask', 'unalias', 'unset', 'wait', 'if', 'for', 'while', 'until',
  'case', '{', '!', 'time',
  // The other reserved words: alone, a syntax error, which must be the job's (`sh -c`), never the launcher's own.
  'then', 'else', 'elif', 'fi', 'do', 'done', 'esac', 'in', '}', '[[', ']]', 'function', 'select',
]);

/** Plain words and single-quoted words, no expansion, redirection or operator: the shell would only split it. */
export function isSimple(script: string): boolean {
  if (script.includes('\n')) return false;
  const bare = script.replace(/'[^']*'/g, 'Q');
  if (!/^[A-Za-z0-9_\-./:,+=@%^ Q]+$/.test(bare)) return false;
  const first = script.trimStart().split(' ')[0]!;
  return first !== '' && !first.includes('=') && !first.includes("'") && !SHELL_ONLY.has(first);
}

/** Programs dash runs as builtins unless named by a path (those that change the shell are SHELL_ONLY). */
const DASH_BUILTINS = new Set(['true', 'false', 'test']);
const found = new Map<string, string | undefined>();

/** Where `name` is on `path`, as `execvp` would find it (looked up once per name and PATH). */
function onPath(name: string, path: string): string | undefined {
  const key = `${path}\0${name}`;
  if (!found.has(key)) {
    const dirs = path.split(':').map((d) => (d === '' ? '.' : d));
    found.set(key, dirs.map((d) => resolve(d, name)).find((f) => {
      try {
        accessSync(f, constants.X_OK);
        return statSync(f).isFile();
      } catch {
        return false;
      }
    }));
  }
  return found.get(key);
}

/**
 * A simple command as the launcher runs it. Its program must be executed, as make executes it:
 * one that dash has as a builtin (`true`, `test`) is named by its path, found on `path` (the job's PATH).
 */
export function asExecuted(script: string, path: string): string {
  const first = script.trimStart().split(' ')[0]!;
  if (!DASH_BUILTINS.has(first)) return script;
  const found = onPath(first, path);
  return found === undefined ? `( exec ${script} )` : `${sq(found)}${script.trimStart().slice(first.length)}`;
}
