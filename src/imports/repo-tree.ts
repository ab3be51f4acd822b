import { statSync, type Stats } from 'node:fs';
import { join, normalize } from 'node:path';
import { escapingEntry } from './contained.js';

export type Picked = { readonly ok: true; readonly path: string; readonly isDir: boolean } | { readonly ok: false; readonly message: string };

/**
 * The part of an unpacked or checked-out repository `top` that becomes DEST:
 * `path` inside it, or the whole of it, held to the archive rule against
 * what becomes DEST rather than the whole repository: a link in it whose
 * target is absolute or resolves outside it refuses the import, naming the
 * link. `name` names the repository in messages (`acme/survey@0141…`).
 */
export function pickFromRepository(top: string, name: string, path: string | undefined): Picked {
  const what = path === undefined ? name : `${name}/${path}`;
  // A leading `..` never climbs above the top (as written, it is dropped).
  const picked = path === undefined ? top : join(top, normalize(path).replace(/^(\.\.(\/|$))+/, ''));
  let st: Stats | undefined;
  try {
    st = statSync(picked);
  } catch {
    st = undefined;
  }
  if (st === undefined) return { ok: false, message: `${name} has no path \`${path ?? ''}\`` };
  if (st.isDirectory()) {
    const bad = escapingEntry(picked);
    if (bad !== undefined) return refuse(what, `\`${bad.path}\` ${bad.why}`);
  }
  return { ok: true, path: picked, isDir: st.isDirectory() };
}

function refuse(what: string, why: string): Picked {
  return { ok: false, message: `refusing to import ${what}: ${why}; nothing was imported` };
}
