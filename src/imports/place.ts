import { renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { NAME_MAX } from '../pipeline/data-path.js';
import type { ImportClause } from '../pipeline/import-clause.js';
import { shownName } from '../printable.js';
import { extractArchive } from './extract.js';
import { shownUrls } from './shown-url.js';
import type { Staging } from './staging.js';

/**
 * Moves a downloaded and verified file onto the destination, as the clause
 * says: as DEST itself, as DEST/NAME when DEST ends in `/`, or unpacked into
 * DEST/ with `extract`.
 */
export async function placeFile(
  file: string, name: string, clause: ImportClause, staging: Staging, signal: AbortSignal,
): Promise<{ ok: true } | { ok: false; message: string }> {
  if (clause.extract) {
    const dir = staging.dir('extract');
    const r = await extractArchive(file, shownName(name), dir, signal);
    if (!r.ok) return r;
    staging.commit(dir);
  } else if (clause.destIsDir) {
    // A name the source gives (`%00` in a URL, a Zenodo key) that no file system takes: the import's failure, not the store's.
    if (name.includes('\0')) {
      return { ok: false, message: `cannot import ${shownUrls(clause.raw)}: the name it gives the file, ${shownName(name)}, holds a NUL byte, which no file name can; name it in DEST: \`${shownUrls(clause.raw)} ${clause.dest.replace(/\/$/, '')}/NAME\`` };
    }
    const bytes = Buffer.byteLength(safeName(name));
    if (bytes > NAME_MAX) {
      return { ok: false, message: `cannot import ${shownUrls(clause.raw)}: the name it gives the file, ${shownName(safeName(name))}, is longer than a file name can be (${bytes} bytes, at most ${NAME_MAX}); name it in DEST: \`${shownUrls(clause.raw)} ${clause.dest.replace(/\/$/, '')}/NAME\`` };
    }
    const dir = staging.dir('dir');
    renameSync(file, join(dir, safeName(name)));
    staging.commit(dir);
  } else {
    staging.commit(file);
  }
  return { ok: true };
}

/** A remote name made safe to use as one path component. */
export function safeName(name: string): string {
  const base = basename(name.replace(/\\/g, '/'));
  return base === '' || base === '.' || base === '..' ? 'download' : base;
}
