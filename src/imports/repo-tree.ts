import { lstatSync, type Stats } from 'node:fs';
import { join, normalize } from 'node:path';
import { escapingEntry, resolveInside } from './contained.js';
import { ADVICE, unstorableIn } from '../store/storable.js';

export type Picked = { readonly ok: true; readonly path: string; readonly isDir: boolean } | { readonly ok: false; readonly message: string };

/**
 * The part of an unpacked or checked-out repository `top` that becomes DEST:
 * `path` inside it, or the whole of it. Links on the way to `path` (and
 * `path` itself) are followed inside the repository, as a local import takes
 * a link's target; one leading out of it is refused. Then the archive rule,
 * against what becomes DEST rather than the whole repository: a link in it
 * whose target is absolute or resolves outside it refuses the import, naming
 * the link. `name` names the repository in messages (`acme/survey@0141…`).
 */
export function pickFromRepository(top: string, name: string, path: string | undefined): Picked {
  const what = path === undefined ? name : `${name}/${path}`;
  let picked = top;
  if (path !== undefined) {
    // A leading `..` never climbs above the top (as written, it is dropped); links may not either.
    const inside = resolveInside(top, normalize(path).replace(/^(\.\.(\/|$))+/, ''));
    if (inside === undefined) return refuse(what, 'a symbolic link on the path leads outside the repository');
    picked = join(top, ...inside);
  }
  let st: Stats | undefined;
  try {
    st = lstatSync(picked, { throwIfNoEntry: false });
  } catch {
    // A file where the path goes on (`data.csv/x`).
    st = undefined;
  }
  if (st === undefined) return { ok: false, message: `${name} has no path \`${path ?? ''}\`` };
  if (st.isDirectory()) {
    // First: a name that is not UTF-8, which Node reads back as another name, one not on the disk.
    const odd = unstorableIn(picked);
    if (odd?.kind === 'text') return refuse(what, `\`${odd.path}\` ${odd.why}: ${ADVICE.text}`);
    const bad = escapingEntry(picked);
    if (bad !== undefined) return refuse(what, `\`${bad.path}\` ${bad.why}`);
  }
  return { ok: true, path: picked, isDir: st.isDirectory() };
}

function refuse(what: string, why: string): Picked {
  return { ok: false, message: `refusing to import ${what}: ${why}; nothing was imported` };
}
