import { lstatSync, readdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inTheWay } from '../store/safe-path.js';

/**
 * A host job whose workspace path the shell could misread (a space, `&`)
 * sees it under an alias, so a link it makes to a /data path (`ln -s
 * /data/out/plain /data/out/l`) leads through the alias, which is removed
 * after the job: neither the store (storedLinkTarget) nor the next job would
 * know it as /data. Each such link among the job's outputs is pointed at the
 * workspace itself instead. Nothing below a link the job put in place of a
 * directory is visited: the store takes nothing through one either.
 */
export function unaliasLinks(root: string, alias: string, outputs: readonly { readonly path: string }[]): void {
  const todo = outputs.filter((o) => inTheWay(root, dirname(o.path)) === undefined).map((o) => root + o.path);
  // A stack, not recursion: a job may nest directories deeper than the call stack goes.
  for (let full = todo.pop(); full !== undefined; full = todo.pop()) {
    try {
      const st = lstatSync(full, { throwIfNoEntry: false });
      if (st?.isDirectory() === true) todo.push(...readdirSync(full).map((name) => join(full!, name)));
      else if (st?.isSymbolicLink() === true) repoint(full, root, alias);
    } catch {
      // Unreadable to Shark: storing the output says so, with the path.
    }
  }
}

function repoint(link: string, root: string, alias: string): void {
  const target = readlinkSync(link);
  if (target !== alias && !target.startsWith(`${alias}/`)) return;
  unlinkSync(link);
  symlinkSync(root + target.slice(alias.length), link);
}
