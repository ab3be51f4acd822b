import { shellTokens } from '../pipeline/shell-tokens.js';

/** How programs are found and identified: the file system in a session, a fake in tests. */
export interface ToolProbe {
  /** The executable file `name` resolves to in `dirs` (searched in order), or undefined. */
  which(name: string, dirs: readonly string[]): string | undefined;
  /** `sha256:…` of an executable file's content, or undefined when there is none at `path`. */
  hash(path: string): string | undefined;
}

/** What `/bin/sh`-run host commands always use: the shell itself is in every host step's key. */
export const HOST_SHELL = '/bin/sh';

export const MISSING = 'missing';

/**
 * The PATH a host step's commands search: the step's environment's (a
 * frontmatter variable `PATH` overrides Shark's own), then each `PATH=`
 * assignment of its `export` lines in order, `$PATH` expanded. Directories
 * that depend on other variables, `~` or the working directory (relative
 * entries) cannot be known before the step runs: they are left out.
 */
export function effectivePath(hostPath: string, variables: readonly (readonly [string, string])[], prelude: readonly string[]): string[] {
  let path = variables.find(([name]) => name === 'PATH')?.[1] ?? hostPath;
  for (const line of prelude) {
    const words = shellTokens(line).filter((t) => t.kind === 'word');
    const start = words[0]?.kind === 'word' && words[0].value === 'export' ? 1 : 0;
    for (const w of words.slice(start)) {
      if (w.kind !== 'word' || !w.value.startsWith('PATH=')) continue;
      path = w.value.slice('PATH='.length).replace(/\$\{PATH\}|\$PATH(?![A-Za-z0-9_])/g, () => path);
    }
  }
  return [...new Set(path.split(':').filter((dir) => dir.startsWith('/') && !dir.includes('$')))];
}

/**
 * Each program as it stands: `[resolved path, sha256:…]`, or `[name, "missing"]`
 * when PATH has no such program (installing it later changes the key).
 * Absolute names are hashed where they are. Sorted by path, each once.
 */
export function programTools(programs: readonly string[], dirs: readonly string[], probe: ToolProbe): [string, string][] {
  const tools = new Map<string, string>();
  for (const name of programs) {
    const path = name.startsWith('/') ? name : probe.which(name, dirs);
    const hash = path === undefined ? undefined : probe.hash(path);
    if (path === undefined || hash === undefined) tools.set(name, MISSING);
    else tools.set(path, hash);
  }
  return [...tools].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The last segment of a path: what a program is called. */
export function programName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
