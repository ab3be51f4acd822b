import { isUtf8 } from 'node:buffer';
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { printableBytes } from '../printable.js';
import { takeListing } from './dir-listing.js';
import { specialKind } from './special-file.js';

/** Why an entry cannot be stored: a name or link target that is not text, or a type that is not data. */
export interface Problem {
  readonly kind: 'text' | 'special' | 'deep';
  /** `has a name that is not UTF-8`, `is a link to caf\xe9, which is not UTF-8`, `is a named pipe (FIFO)`, `is nested deeper …`. */
  readonly why: string;
}

/** An entry the store cannot keep as it is, by its path relative to the walked directory (shown). */
export interface Unstorable extends Problem {
  readonly path: string;
}

/** What is said after a problem of each kind. */
export const ADVICE: Record<Problem['kind'], string> = {
  text: 'Shark keeps file names and link targets as text (UTF-8)',
  special: 'only files, directories and symbolic links can be stored',
  deep: 'Shark reads and stores data by its path; nest it less deeply',
};

/** Linux's PATH_MAX, its NUL included: no longer path can be opened, and the store reads and writes data by path. */
const PATH_MAX = 4096;
/** A deep entry is shown by this many bytes of its path, then `…`: the whole of it is 4 KB. */
const SHOWN_DEEP = 200;

/**
 * A host file (an input, a local import) whose name or link target is not
 * UTF-8: refused by whoever reads it, as a FIFO is (`special-file.ts`).
 * `path` is shown, its other bytes as `\xNN`.
 */
export class NotTextError extends Error {
  constructor(readonly path: string, readonly why: string) {
    super(`${path} ${why}: ${ADVICE.text}`);
  }
}

/**
 * The names in a host directory, as `readdirSync` gives them, unless one is
 * not UTF-8: Node reads that one as another name (U+FFFD), which is not on
 * the disk, or is another file's. Only a name holding U+FFFD makes it look again.
 */
export function textNames(dir: string): string[] {
  const names = takeListing(dir) ?? readdirSync(dir);
  if (!names.some((n) => n.includes('\ufffd'))) return names;
  const odd = readdirSync(dir, { encoding: 'buffer' }).find((n) => !isUtf8(n));
  if (odd !== undefined) throw new NotTextError(`${dir}/${printableBytes(odd)}`, 'has a name that is not UTF-8');
  return names;
}

/** A host link's target, as `readlinkSync` gives it, unless it is not UTF-8 (`textNames`). */
export function textLink(path: string): string {
  const target = readlinkSync(path);
  if (!target.includes('\ufffd')) return target;
  const bytes = readlinkSync(path, { encoding: 'buffer' });
  if (!isUtf8(bytes)) throw new NotTextError(path, `is a link to ${printableBytes(bytes)}, which is not UTF-8`);
  return target;
}

/**
 * The first entry under the directory `dir` that the store cannot keep as it
 * is: a name or a link target that is not UTF-8 (Node reads it back as
 * another name, with U+FFFD, which names no file), a FIFO, a socket or a
 * device. Looked for before anything is stored, so that such a tree fails
 * whole, named, as the step's or the import's failure. Real directories only
 * are walked: a link is read, never followed.
 */
export function unstorableIn(dir: string): Unstorable | undefined {
  const pending: Buffer[] = [Buffer.alloc(0)];
  for (let rel = pending.pop(); rel !== undefined; rel = pending.pop()) {
    const at = rel.length === 0 ? Buffer.from(dir) : Buffer.concat([Buffer.from(`${dir}/`), rel]);
    for (const entry of readdirSync(at, { encoding: 'buffer', withFileTypes: true })) {
      // Past PATH_MAX no call reaches it by path: storing it failed with ENAMETOOLONG and a 4 KB path.
      const length = at.length + 1 + entry.name.length;
      if (length >= PATH_MAX) return deep(Buffer.concat([rel, rel.length === 0 ? Buffer.alloc(0) : SLASH, entry.name]), length);
      // A plain file with a UTF-8 name, by far the most common entry, costs no path (~3 µs an entry less).
      if (entry.isFile() && isUtf8(entry.name)) continue;
      const path = rel.length === 0 ? entry.name : Buffer.concat([rel, SLASH, entry.name]);
      const bad: Problem | undefined = !isUtf8(entry.name)
        ? { kind: 'text', why: 'has a name that is not UTF-8' }
        : problem(Buffer.concat([at, SLASH, entry.name]), entry);
      if (bad !== undefined) return { ...bad, path: printableBytes(path) };
      if (entry.isDirectory()) pending.push(path);
    }
  }
  return undefined;
}

/** An entry whose path is `length` bytes, past PATH_MAX: named by the start of its path. */
function deep(path: Buffer, length: number): Unstorable {
  const shown = printableBytes(path.subarray(0, SHOWN_DEEP));
  return {
    kind: 'deep',
    path: path.length > SHOWN_DEEP ? `${shown}…` : shown,
    why: `is nested deeper than a path on this system can name (${length} bytes in the store's workspace, at most ${PATH_MAX - 1})`,
  };
}

/**
 * Why the output `path` (a `/data` path) of a job whose workspace is `root`
 * cannot be stored as it is, or undefined. An output that is missing, or
 * has anything but real directories on its way, is left to the commit. A
 * `directory` output (`/data/out/`, or one Shark created for the job) that
 * the job replaced by a link is refused: published, it would put a link to a
 * host path (`/etc`) where the project expects its own directory.
 */
export function unstorableOutput(root: string, path: string, directory = false): string | undefined {
  let at = root;
  const parts = path.split('/').filter((p) => p !== '');
  for (const [i, part] of parts.entries()) {
    at = `${at}/${part}`;
    let st: Stats;
    try {
      st = lstatSync(at);
    } catch {
      return undefined;
    }
    if (i === parts.length - 1) {
      if (directory && st.isSymbolicLink()) return `output ${path} is a symbolic link (to ${printableBytes(readlinkSync(at, { encoding: 'buffer' }))}), not a directory: the step names a directory there, and Shark takes nothing through a link`;
      const own = problem(Buffer.from(at), st);
      if (own !== undefined) return `output ${path} ${own.why}: ${advice(own)}`;
    }
    if (!st.isDirectory()) return undefined;
  }
  const bad = unstorableIn(at);
  return bad === undefined ? undefined : `output ${path}: ${path}/${bad.path} ${bad.why}: ${advice(bad)}`;
}

function advice(p: Problem): string {
  return p.kind === 'text' ? `${ADVICE.text}; rename it in the step` : ADVICE[p.kind];
}

const SLASH = Buffer.from('/');

/** What is wrong with an entry itself (its link's target, its type), its name aside. */
function problem(path: Buffer, st: Pick<Stats, 'isFile' | 'isDirectory' | 'isSymbolicLink' | 'isFIFO' | 'isSocket'>): Problem | undefined {
  if (st.isSymbolicLink()) {
    const target = readlinkSync(path, { encoding: 'buffer' });
    return isUtf8(target) ? undefined : { kind: 'text', why: `is a link to ${printableBytes(target)}, which is not UTF-8` };
  }
  const kind = specialKind(st);
  return kind === undefined ? undefined : { kind: 'special', why: `is ${kind}` };
}
