import { lstatSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { SPECIAL } from './contained.js';
import type { ArchiveKind } from './extract.js';
import { shownName } from '../printable.js';
import { ADVICE } from '../store/storable.js';
import { runTool } from './tools.js';
import { readZipListing, type ZipMember } from './zip-listing.js';

export type Check = { readonly ok: true } | { readonly ok: false; readonly message: string };
/**
 * A zip's members come back, to check the unpacked tree against; and what
 * the members' headers say they total unpacked (`bytes`).
 */
export type Listed = { readonly ok: true; readonly bytes: number; readonly zip?: readonly ZipMember[] } | { readonly ok: false; readonly message: string };

/**
 * Reads an archive's listing before anything is unpacked and refuses a member
 * whose name is absolute or climbs with `..`, or (tar) a link whose target
 * does, or (zip) a member marked as a device or a pipe, or two members that
 * would be one file (the tools would write the second over the first). The
 * tools would quietly strip such names and unpack the rest, which hides a
 * hostile archive; refusing names it. `-P` lists names as stored, without
 * GNU tar's own stripping.
 */
export async function checkMembers(kind: ArchiveKind, archive: string, what: string, signal: AbortSignal): Promise<Listed> {
  if (kind === 'zip') return checkZip(archive, what);
  const names = await runTool('tar', ['-tPf', archive], { signal });
  if (!names.ok) return names.said === undefined ? names : damaged(what, names.said);
  const list = lines(names.stdout);
  for (const name of list) {
    const why = escapes(name);
    if (why !== undefined) return refuse(what, name, `would land outside the destination (${why})`);
  }
  // tar's listing escapes a name's control characters (`\n`) one way only, so equal names stay equal.
  const same = oneFile(list.map((name) => ({ name, path: name, directory: name.endsWith('/') })), what);
  if (same !== undefined) return same;
  // The verbose listing, line for line with the plain one, gives each link's target after its known name.
  const verbose = await runTool('tar', ['-tvPf', archive], { signal });
  if (!verbose.ok) return verbose;
  const rows = lines(verbose.stdout);
  let bytes = 0;
  // The members before each one: a hard link names one of them (tar refused another in its own words).
  const before = new Set<string>();
  for (let i = 0; i < rows.length && i < list.length; i++) {
    const row = rows[i]!;
    const name = list[i]!;
    if (i > 0) before.add(landing(list[i - 1]!));
    // `-rw-r--r-- owner/group SIZE date time name` (a device shows `major,minor` there instead).
    const size = row.split(/\s+/)[2] ?? '';
    if (/^\d+$/.test(size)) bytes += Number(size);
    const symlink = row.startsWith('l') && row.includes(`${name} -> `);
    const hardlink = row.startsWith('h') && row.includes(`${name} link to `);
    if (!symlink && !hardlink) continue;
    const sep = symlink ? ' -> ' : ' link to ';
    const target = row.slice(row.indexOf(`${name}${sep}`) + name.length + sep.length);
    // A symbolic link's target is relative to its own directory; a hard link's names another member.
    const resolved = symlink && !posix.isAbsolute(target) ? posix.join(posix.dirname(name), target) : target;
    const why = escapes(resolved);
    if (why !== undefined) return refuse(what, name, `is a ${symlink ? 'symbolic' : 'hard'} link to \`${shownName(target)}\`, outside the destination`);
    if (hardlink && !before.has(landing(target))) return refuse(what, name, `is a hard link to \`${shownName(target)}\`, which no member before it is`);
  }
  return { ok: true, bytes };
}

function checkZip(archive: string, what: string): Listed {
  const listing = readZipListing(archive);
  if (!listing.ok) return damaged(what, listing.why);
  for (const m of listing.members) {
    if (m.name === undefined) return notText(what, m.shown, 'has a name that is not UTF-8');
    const why = escapes(m.path);
    if (why !== undefined) return refuse(what, m.name, `would land outside the destination (${why})`);
    if (m.type === 'special') return refuse(what, m.name, SPECIAL);
  }
  const same = oneFile(listing.members.map((m) => ({ name: m.name!, path: m.path, directory: m.type === 'directory', link: m.type === 'link' })), what);
  return same ?? { ok: true, bytes: listing.members.reduce((n, m) => n + (m.type === 'directory' ? 0 : m.size), 0), zip: listing.members };
}

/**
 * Whether unzip wrote every member under its own name and nothing else:
 * unzip renames some names quietly (it drops or rewrites characters it
 * finds odd), which would put a member elsewhere, or over another.
 */
export function unpackedAsListed(root: string, members: readonly ZipMember[], what: string): Check {
  const listed = new Set<string>();
  for (const m of members) {
    const parts = landing(m.path).split('/');
    for (let i = 1; i <= parts.length; i++) listed.add(parts.slice(0, i).join('/'));
  }
  listed.delete('');
  const unpacked = new Set<string>();
  const pending = [''];
  for (let rel = pending.pop(); rel !== undefined; rel = pending.pop()) {
    for (const name of readdirSync(join(root, rel))) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (!listed.has(path)) return { ok: false, message: `refusing to extract ${what}: unzip wrote \`${shownName(path)}\`, which no member is named; nothing was extracted` };
      unpacked.add(path);
      if (lstatSync(join(root, path)).isDirectory()) pending.push(path);
    }
  }
  const missing = members.find((m) => landing(m.path) !== '' && !unpacked.has(landing(m.path)));
  return missing === undefined ? { ok: true } : refuse(what, missing.name!, 'was not unpacked under its own name');
}

/** Two members that would be one file (`d/x`, `d//./x`), unless both are directories, which merge. */
function oneFile(members: readonly { name: string; path: string; directory: boolean; link?: boolean }[], what: string): ReturnType<typeof refuse> | undefined {
  const seen = new Map<string, { name: string; directory: boolean; link?: boolean }>();
  // The directories members land in, by the first member inside each: one of them a file (`a`, then `a/b`) is no directory.
  const holding = new Map<string, string>();
  for (const m of members) {
    const path = landing(m.path);
    if (path === '') continue;
    const other = seen.get(path);
    if (other !== undefined && !(other.directory && m.directory)) return refuse(what, m.name, `would be the same file as member \`${shownName(other.name)}\``);
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const file = seen.get(dir);
      // A link there (a zip's) is said by the checks of what it leads to, or by unzip.
      if (file !== undefined && !file.directory && file.link !== true) return refuse(what, m.name, `would land inside member \`${shownName(file.name)}\`, which is no directory (a file, or a link: no member is written through a link)`);
      if (!holding.has(dir)) holding.set(dir, m.name);
    }
    const inside = m.directory || m.link === true ? undefined : holding.get(path);
    if (inside !== undefined) return refuse(what, m.name, `is a file where member \`${shownName(inside)}\` needs a directory`);
    seen.set(path, m);
  }
  return undefined;
}

/** A member's path as it lands: without empty and `.` parts, or a trailing `/`. */
function landing(path: string): string {
  return path.split('/').filter((p) => p !== '' && p !== '.').join('/');
}

function damaged(what: string, said: string): { readonly ok: false; readonly message: string } {
  return { ok: false, message: `cannot extract ${what}: it is truncated or damaged${said === '' ? '' : ` (${said})`}` };
}

/** A name that is not UTF-8 (`shown` with its bytes as `\xNN`), or a link target that is not. */
export function notText(what: string, shown: string, why: string): { readonly ok: false; readonly message: string } {
  return refuse(what, shown, `${why} (an archive made on Windows names its files in its code page); ${ADVICE.text}: unpack it in a step instead, converting its names`);
}

/** Why a member name (or a link's resolved target) would land outside the destination, if it would. */
function escapes(name: string): string | undefined {
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) return 'its path is absolute';
  let depth = 0;
  for (const part of name.split(/[\\/]/)) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) return 'its path climbs out with `..`';
  }
  if (name.split(/[\\/]/).includes('..')) return 'its path contains `..`';
  return undefined;
}

export function refuse(what: string, member: string, detail: string): { readonly ok: false; readonly message: string } {
  return { ok: false, message: `refusing to extract ${what}: member \`${shownName(member)}\` ${detail}; nothing was extracted` };
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}
