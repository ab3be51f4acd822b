import { posix } from 'node:path';
import type { ArchiveKind } from './extract.js';
import { shownName } from '../printable.js';
import { runTool } from './tools.js';

export type Check = { readonly ok: true } | { readonly ok: false; readonly message: string };

/**
 * Reads an archive's listing before anything is unpacked and refuses a member
 * whose name is absolute or climbs with `..`, or (tar) a link whose target
 * does. The tools would quietly strip such names and unpack the rest, which
 * hides a hostile archive; refusing names it. `-P` lists names as stored,
 * without GNU tar's own stripping.
 */
export async function checkMembers(kind: ArchiveKind, archive: string, what: string, signal: AbortSignal): Promise<Check> {
  const names = await runTool(kind === 'zip' ? 'unzip' : 'tar', kind === 'zip' ? ['-Z1', archive] : ['-tPf', archive], { signal });
  if (!names.ok) return names;
  const list = lines(names.stdout);
  for (const name of list) {
    const why = escapes(name);
    if (why !== undefined) return refuse(what, name, `would land outside the destination (${why})`);
  }
  if (kind === 'zip') return { ok: true };
  // The verbose listing, line for line with the plain one, gives each link's target after its known name.
  const verbose = await runTool('tar', ['-tvPf', archive], { signal });
  if (!verbose.ok) return verbose;
  const rows = lines(verbose.stdout);
  for (let i = 0; i < rows.length && i < list.length; i++) {
    const row = rows[i]!;
    const name = list[i]!;
    const symlink = row.startsWith('l') && row.includes(`${name} -> `);
    const hardlink = row.startsWith('h') && row.includes(`${name} link to `);
    if (!symlink && !hardlink) continue;
    const sep = symlink ? ' -> ' : ' link to ';
    const target = row.slice(row.indexOf(`${name}${sep}`) + name.length + sep.length);
    // A symbolic link's target is relative to its own directory; a hard link's names another member.
    const resolved = symlink && !posix.isAbsolute(target) ? posix.join(posix.dirname(name), target) : target;
    const why = escapes(resolved);
    if (why !== undefined) return refuse(what, name, `is a ${symlink ? 'symbolic' : 'hard'} link to \`${shownName(target)}\`, outside the destination`);
  }
  return { ok: true };
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
