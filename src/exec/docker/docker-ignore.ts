import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Minimatch } from 'minimatch';

/** Whether a path of the build context (relative to its root) is left out of it; `reopens`: some `!` pattern takes back what is below. */
export type Ignored = ((rel: string) => boolean) & { readonly reopens: boolean };

/**
 * The pipeline directory's `.dockerignore`, read as the engine reads it: one
 * pattern a line from the context's root (`*.key` names only the root's;
 * `**` then `/*.key`, any), `#` a comment, a leading `!` an exception, the last
 * pattern that matches deciding; a directory a pattern names is left out
 * whole. Undefined when there is none. What it leaves out is neither sent to
 * the engine nor part of the environment's inputs.
 */
export function dockerIgnore(contextDir: string): Ignored | undefined {
  let text: string;
  try {
    text = readFileSync(join(contextDir, '.dockerignore'), 'utf8');
  } catch {
    return undefined;
  }
  const rules = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).flatMap((line) => {
    const exception = line.startsWith('!');
    const pattern = posix.normalize((exception ? line.slice(1).trim() : line).replace(/^\/+/, '')).replace(/\/+$/, '');
    if (pattern === '' || pattern === '.') return [];
    const options = { dot: true, nocomment: true, nonegate: true };
    return [{ exception, self: new Minimatch(pattern, options), below: new Minimatch(`${pattern}/**`, options) }];
  });
  if (rules.length === 0) return undefined;
  const ignored = (rel: string): boolean => {
    let out = false;
    for (const r of rules) if (r.self.match(rel) || r.below.match(rel)) out = !r.exception;
    return out;
  };
  return Object.assign(ignored, { reopens: rules.some((r) => r.exception) });
}
