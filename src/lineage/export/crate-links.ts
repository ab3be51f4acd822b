import { lstatSync, readdirSync, readlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a symbolic link in a crate leads: to a file or a directory within
 * the crate's data/, out of it, to nothing (a missing name, a chain of links
 * that never ends), or to a directory it is in, directly or through other
 * links to directories (`cycle`: a tool that follows links, `zip -r`, never
 * finishes).
 */
export type LinkEnd = 'file' | 'directory' | 'outside' | 'nothing' | 'cycle';

/** A link of a crate: where it sits (below the crate's directory) and its target as written there. */
export interface CrateLink {
  readonly rel: string;
  readonly target: string;
  readonly end: LinkEnd;
}

/** Where a link leads; for a directory, which one (a path below `data/`, `''` for `data/` itself). */
type Resolved = { readonly end: 'file' | 'outside' | 'nothing' } | { readonly end: 'directory'; readonly dir: string };

/** As many links as Linux follows in one path before it says ELOOP. */
const MAX_HOPS = 40;

/**
 * Where the link at `rel` (a path below the crate's `data/` directory `data`)
 * leads, resolved as the system resolves it from where it sits, following the
 * links on the way (with the physical meaning of `..` after one), but never
 * above `data/`: an absolute target, or a `..` that climbs out of `data/`,
 * even to come back in, leads outside, whatever is there on this machine.
 * Nothing outside `data/` is looked at.
 */
export function linkEnd(data: string, rel: string): Resolved {
  const at = rel.split('/');
  let pending = [at.pop()!];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (at.length === 0) return { end: 'outside' };
      at.pop();
      continue;
    }
    const here = join(data, ...at, part);
    const st = lstatSync(here, { throwIfNoEntry: false });
    if (st === undefined) return { end: 'nothing' };
    if (st.isSymbolicLink()) {
      if (++hops > MAX_HOPS) return { end: 'nothing' };
      const target = readlinkSync(here);
      if (target.startsWith('/')) return { end: 'outside' };
      pending = [...target.split('/'), ...pending];
      continue;
    }
    if (st.isFile()) return { end: pending.length === 0 ? 'file' : 'nothing' };
    if (!st.isDirectory()) return { end: 'nothing' };
    at.push(part);
  }
  return { end: 'directory', dir: at.join('/') };
}

/**
 * Looks at every link the copy under `dir/data` holds (each against the
 * whole copy, before any is taken out) and takes out each that does not lead
 * to a file or directory within `data/`, or leads round a cycle of
 * directories: a crate is shared, packed (`zip -r` follows links) and
 * served, and a link a step made is untrusted data that must not carry the
 * host's files along, nor make the packing endless. A link that led through
 * one taken out leads to nothing then, and goes too. Returns every link,
 * kept or not.
 */
export function screenLinks(dir: string): CrateLink[] {
  const data = join(dir, 'data');
  const found: { rel: string; target: string }[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(data, rel)).sort()) {
      const child = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(join(data, child));
      if (st.isDirectory()) walk(child);
      else if (st.isSymbolicLink()) found.push({ rel: child, target: readlinkSync(join(data, child)) });
    }
  };
  if (lstatSync(data, { throwIfNoEntry: false })?.isDirectory() === true) walk('');
  const ends = new Map<string, LinkEnd>();
  let open = found.map((l) => l.rel);
  for (;;) {
    const resolved = open.map((rel) => ({ rel, to: linkEnd(data, rel) }));
    for (const { rel, to } of resolved) ends.set(rel, to.end);
    const dirs = resolved.flatMap(({ rel, to }) => (to.end === 'directory' ? [{ rel, dir: to.dir }] : []));
    const looping = onCycles(dirs);
    for (const rel of looping) ends.set(rel, 'cycle');
    const out = open.filter((rel) => !kept({ end: ends.get(rel)! }));
    for (const rel of out) unlinkSync(join(data, rel));
    if (looping.size === 0) break;
    open = open.filter((rel) => kept({ end: ends.get(rel)! }));
  }
  return found.map((l) => ({ rel: `data/${l.rel}`, target: l.target, end: ends.get(l.rel)! }));
}

/**
 * The links to directories that lie on a cycle: following one leads into a
 * directory holding another, and so on back to the first (a link to a
 * directory it is in is a cycle of one). Strongly connected components
 * (Tarjan) of the graph "the directory `a` leads to holds `b`".
 */
function onCycles(links: readonly { rel: string; dir: string }[]): Set<string> {
  const holds = (dir: string, rel: string): boolean => dir === '' || rel.startsWith(`${dir}/`);
  const next = links.map((a) => links.flatMap((b, j) => (holds(a.dir, b.rel) ? [j] : [])));
  const index: number[] = [];
  const low: number[] = [];
  const stack: number[] = [];
  const onStack = new Set<number>();
  const looping = new Set<string>();
  let counter = 0;
  const visit = (v: number): void => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next[v]!) {
      if (index[w] === undefined) {
        visit(w);
        low[v] = Math.min(low[v]!, low[w]!);
      } else if (onStack.has(w)) low[v] = Math.min(low[v]!, index[w]);
    }
    if (low[v] !== index[v]) return;
    const component: number[] = [];
    let w: number;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || next[v]!.includes(v)) for (const c of component) looping.add(links[c]!.rel);
  };
  links.forEach((_, v) => (index[v] === undefined ? visit(v) : undefined));
  return looping;
}

export const kept = (l: Pick<CrateLink, 'end'>): boolean => l.end === 'file' || l.end === 'directory';

const WHERE: Record<LinkEnd, string> = {
  file: 'within the crate',
  directory: 'within the crate',
  outside: 'outside the crate',
  nothing: 'to nothing in the crate',
  cycle: 'to a directory it is in (directly or through other links)',
};

/** What the crate says of a link: where it leads, and whether it is there. */
export function linkDescription(l: CrateLink): string {
  return `a symbolic link to ${l.target}, ${WHERE[l.end]}${kept(l) ? '' : ': not copied'}`;
}
