import { lstatSync, readdirSync, realpathSync, statSync, type BigIntStats } from 'node:fs';
import { ADVICE, NotTextError, textLink } from '../store/storable.js';
import { cp } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import type { FollowedLink, LinkFollower } from '../store/content-id.js';
import { keepListing, recalledListing } from '../store/dir-listing.js';
import type { PlainListings } from '../store/listing-rows.js';
import { refuseSpecial, specialKind } from '../store/special-file.js';
import { resolveInside } from './contained.js';

/** A symbolic link of a local import that cannot be followed: it leads nowhere, round a loop, or to a special file. */
export class LocalLinkError extends Error {}

/**
 * How a local import (the user's own data, not a download) takes the
 * symbolic links inside its directory. One that resolves inside it (`a.csv
 * -> ../raw/a.csv` within the directory) stays a link, as written: the
 * directory's id stays what it was, and the copy holds what it leads to.
 * One that leads out (a data directory linking to a shared drive) is
 * followed, as `cp -rL` and `rsync -L` take it: its target's bytes are
 * imported and hashed, so a change there is a change of the import (kept as
 * a link, its target was in no id and the copy held a door out of /data).
 * Everything below a followed directory has left the import's own, so its
 * links are followed too. Hashing (`contentIdOfTree`), copying
 * (`copyFollowing`) and the readability check ask the same questions here,
 * so the copy is what the id says.
 */
export class LocalLinks implements LinkFollower {
  private constructor(
    /** The import's directory: what "inside" means. */
    private readonly root: string,
    /** The directory this view walks (the root, or a followed link's target), and its path below the root as the import names it. */
    private readonly base: string,
    private readonly named: string,
    /** Real paths of the directories the walk is in, outermost first: a link to one of them, or above, would be walked forever. */
    private readonly walking: readonly string[],
  ) {}

  static of(root: string): LocalLinks {
    return new LocalLinks(root, root, '', [realpathSync(root)]);
  }

  /** What the link at host path `full` (below this view's directory) stands for: itself (undefined), or the data it leads to. */
  follow(full: string): FollowedLink | undefined {
    const sub = relative(this.base, full);
    const rel = this.named === '' ? sub : `${this.named}/${sub}`;
    const name = join(this.root, rel);
    const inside = resolveInside(this.root, rel);
    if (inside !== undefined && lstatSync(join(this.root, ...inside), { throwIfNoEntry: false }) !== undefined) return undefined;
    let target: string;
    try {
      target = textLink(full);
    } catch (e) {
      // Not UTF-8: read as text it names another path, which is not there ("leads to nothing", it said).
      if (e instanceof NotTextError) throw new LocalLinkError(`${name} ${e.why}: ${ADVICE.text}`);
      throw e;
    }
    let real: string;
    let st: BigIntStats;
    try {
      real = realpathSync(full);
      st = statSync(real, { bigint: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new LocalLinkError(`${name} is a symbolic link to \`${target}\`, which leads round a loop of links`);
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new LocalLinkError(`${name} is a symbolic link to \`${target}\`, which leads to nothing: a link in a local import must lead to a file or a directory (remove it, or restore its target)`);
      throw e;
    }
    const kind = specialKind(st);
    if (kind !== undefined) throw new LocalLinkError(`${name} is a symbolic link to \`${target}\`, ${kind}: only files and directories can be imported through a link`);
    const parent = join(this.walking.at(-1)!, sub, '..');
    const holder = [...this.walking, parent].find((dir) => dir === real || dir.startsWith(real === '/' ? '/' : `${real}/`));
    if (st.isDirectory() && holder !== undefined) {
      throw new LocalLinkError(`${name} is a symbolic link to \`${target}\`, which leads round a loop: to ${real}, a directory that holds it, so following it would never end`);
    }
    return { path: real, st };
  }

  /** The view inside the directory a link at `full` leads to (`to`, from `follow`). */
  below(full: string, to: FollowedLink): LocalLinks {
    const sub = relative(this.base, full);
    return new LocalLinks(this.root, to.path, this.named === '' ? sub : `${this.named}/${sub}`, [...this.walking, to.path]);
  }
}

/**
 * Copies a local directory as `links` sees it: links that stay inside as
 * written (`cp` would make a relative one absolute, a door to the source
 * behind the store's back), followed ones as the data they lead to.
 * `check` is asked of every entry before it is copied.
 */
export async function copyFollowing(src: string, dest: string, links: LocalLinks, check: () => void): Promise<void> {
  const followed: { full: string; to: FollowedLink }[] = [];
  const filter = (path: string): boolean => {
    check();
    // Every entry is `lstat`ed first, so that a special one is refused, never opened (a device's `copyFile` reads forever).
    const st = lstatSync(path);
    refuseSpecial(path, st);
    const to = st.isSymbolicLink() ? links.follow(path) : undefined;
    if (to !== undefined) followed.push({ full: path, to });
    return to === undefined;
  };
  await cp(src, dest, { recursive: true, filter, verbatimSymlinks: true });
  for (const { full, to } of followed) {
    const at = join(dest, relative(src, full));
    if (to.st.isDirectory()) await copyFollowing(to.path, at, links.below(full, to), check);
    else await cp(to.path, at);
  }
}

/**
 * The link through which a local import of `source` takes the host file
 * `file` that lies outside it: `source` itself when it is a link to (a
 * directory holding) it, or the link below it that the import follows
 * (`LocalLinks`), named by where it is in `source`. Undefined when the
 * import does not read it. What `shark impact` asks of a file that is the
 * target of such a link.
 */
export function linkLeadingTo(source: string, file: string): string | undefined {
  let real: string;
  let top: string;
  try {
    real = realpathSync(file);
    top = realpathSync(source);
  } catch {
    return undefined;
  }
  if (holds(top, real)) return source === top ? undefined : source;
  return followedLinkTo(source, (to) => holds(to, real));
}

/**
 * The first link below the local directory `source` that its import follows
 * (`LocalLinks`) to a real path `reaches` says yes to, named by where it is in
 * `source` (the outermost link, when the path is reached through a followed
 * directory). What `shark impact` asks of a file, and what refuses an import
 * whose link leads to the store. A walk of names: only links are stat'ed,
 * and one the import would refuse is passed over (the import says so).
 * A large directory of files only is not read again while it shows the
 * times it had when `listings` kept its names (`dir-listing.ts`).
 */
export function followedLinkTo(source: string, reaches: (real: string) => boolean, listings?: PlainListings): string | undefined {
  try {
    if (!statSync(source).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const walk = (dir: string, links: LocalLinks, via: string | undefined): string | undefined => {
    let entries;
    try {
      const st = lstatSync(dir, { bigint: true });
      // Nothing in it to follow, and its names kept for the hashing walk.
      if (recalledListing(dir, st, listings) !== undefined) return undefined;
      entries = readdirSync(dir, { withFileTypes: true });
      // The plan's hashing walk comes next: it takes these names rather than read a large directory again.
      keepListing(dir, st, entries.map((e) => e.name), entries.every((e) => e.isFile()) ? listings : undefined);
    } catch {
      return undefined;
    }
    // A path made only for a directory or a link: a map's input of a million files is walked before every plan.
    const prefix = join(dir, '/');
    for (const entry of entries) {
      if (entry.isFile()) continue;
      const full = prefix + entry.name;
      const found = entry.isDirectory() ? walk(full, links, via) : entry.isSymbolicLink() ? throughLink(full, links, via ?? full) : undefined;
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const throughLink = (full: string, links: LocalLinks, via: string): string | undefined => {
    let to: FollowedLink | undefined;
    try {
      to = links.follow(full);
    } catch (e) {
      if (e instanceof LocalLinkError) return undefined;
      throw e;
    }
    if (to === undefined) return undefined;
    if (reaches(to.path)) return via;
    return to.st.isDirectory() ? walk(to.path, links.below(full, to), via) : undefined;
  };
  return walk(source, LocalLinks.of(source), undefined);
}

/** Whether `path` is `dir` or lies below it (both real paths). */
export function holds(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || !(rel.startsWith('..') || isAbsolute(rel));
}
