import { closeSync, lstatSync, mkdtempSync, openSync, readdirSync, readSync, renameSync, statfsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { checkMembers, notText, refuse, unpackedAsListed } from './archive-members.js';
import { openToOwner, removeTree } from '../store/owner-access.js';
import { unstorableIn } from '../store/storable.js';
import { escapingEntry } from './contained.js';
import { runTool, type ToolResult } from './tools.js';

export type ArchiveKind = 'zip' | 'tar';

/**
 * The archive's kind from its first bytes rather than its name: URLs often
 * end in `?download=1` or `/content`. tar reads gzip, bzip2 and xz itself.
 */
export function archiveKind(path: string): ArchiveKind | undefined {
  const b = readHead(path, GZIP_HEAD);
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6)) return 'zip';
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return gzippedTar(b, statSync(path).size > b.length) ? 'tar' : undefined;
  if (b.length >= 3 && b.subarray(0, 3).toString('latin1') === 'BZh') return 'tar';
  if (b.length >= 6 && b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'tar';
  return tarBlock(b.subarray(0, 512)) ? 'tar' : undefined;
}

/** Enough of a gzip file to inflate its first tar block from, however well that block compressed. */
const GZIP_HEAD = 64 * 1024;

function readHead(path: string, size: number): Buffer {
  const head = Buffer.alloc(size);
  const fd = openSync(path, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether a gzip file holds a tar: GNU tar unpacks a gzipped text shorter
 * than a tar block (a small `counts.csv.gz`) as an archive of nothing, and
 * exits 0, so the import would have succeeded with an empty DEST. A stream
 * too damaged to inflate is left to tar, which says it is.
 */
function gzippedTar(head: Buffer, cut: boolean): boolean {
  let inflated: Buffer;
  try {
    inflated = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return true;
  }
  if (inflated.length < 512) return cut;
  return tarBlock(inflated.subarray(0, 512));
}

/** A tar header (ustar, or an old one whose checksum holds), or the zero block that ends an archive (an empty tar). */
function tarBlock(b: Buffer): boolean {
  if (b.length < 512) return false;
  if (b.subarray(257, 262).toString('latin1') === 'ustar' || b.every((x) => x === 0)) return true;
  const stored = parseInt(b.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').trim(), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  return stored === sum;
}

/**
 * Unpacks `archive` into the existing directory `into`, or refuses it whole,
 * naming the member, when one would land outside `into`: an absolute name,
 * a `..`, a link pointing out (checked in the listing first), or anything
 * the unpacked tree shows (links resolved on disk, hard links out, special
 * files). It is unpacked into a private directory beside `into` and moved in
 * only once checked, so a refused archive leaves nothing behind.
 */
export async function extractArchive(archive: string, what: string, into: string, signal: AbortSignal): Promise<ToolResult> {
  const kind = archiveKind(archive);
  if (kind === undefined) return { ok: false, message: `cannot extract ${what}: it is not a .zip, .tar.gz, .tgz or .tar archive` };
  const listed = await checkMembers(kind, archive, what, signal);
  if (!listed.ok) return listed;
  const room = roomFor(listed.bytes, dirname(into), what);
  if (room !== undefined) return room;
  const privateDir = mkdtempSync(join(dirname(into), `.${basename(into)}.unpack-`));
  try {
    const r = kind === 'zip'
      // `-^` keeps control characters in names, which unzip otherwise drops (`a\tb` would be `ab`), as tar keeps them.
      ? await runTool('unzip', ['-q', '-o', '-^', archive, '-d', privateDir], { signal })
      : await runTool('tar', ['-xf', archive, '-C', privateDir, '--no-same-owner', '--no-same-permissions'], { signal });
    // Checked even when the tool failed: unzip stops at a member under a link member (`zl`, then
    // `zl/x`), and the link it unpacked is what to refuse, as the documentation says.
    // The members' own modes (a directory of 555 or 000) would stop the checks and the move below, not being root.
    openToOwner(privateDir);
    // First: a name that is not UTF-8 (a zip made on Windows) would be read back as another, which is not on the disk.
    const odd = unstorableIn(privateDir);
    if (odd?.kind === 'text') return notText(what, odd.path, odd.why);
    const bad = escapingEntry(privateDir);
    if (bad !== undefined) return refuse(what, bad.path, bad.why);
    // The tool's own words, without the private directory's path: members are named as in the archive.
    if (!r.ok) return { ok: false, message: `cannot extract ${what}: ${r.message.split(`${privateDir}/`).join('').split(privateDir).join('.')}` };
    const renamed = listed.zip === undefined ? undefined : unpackedAsListed(privateDir, listed.zip, what);
    if (renamed?.ok === false) return renamed;
    moveInto(privateDir, into);
    return r;
  } catch (e) {
    // Members nested past PATH_MAX (tar makes them relative to each directory it opens) cannot be walked by path here.
    if ((e as NodeJS.ErrnoException).code !== 'ENAMETOOLONG') throw e;
    return { ok: false, message: `cannot extract ${what}: it nests its members deeper than a path on this system can name (${(e as Error).message.split(':')[0]})` };
  } finally {
    // An archive can nest deeper than Node's own removal walks (a stack overflow): removeTree falls back to `rm`.
    removeTree(privateDir);
  }
}

/**
 * Refuses an archive whose members, as their headers declare them, total
 * more than the file system it unpacks on has free: unpacked, it would fill
 * that disk (an archive of a few kilobytes can hold gigabytes of zeros) and
 * then be removed, having failed anyway. What a header understates (a
 * forged zip) is found as unzip writes it: the disk fills, the import fails
 * and what it unpacked is removed.
 */
function roomFor(bytes: number, dir: string, what: string): ToolResult | undefined {
  let free: number;
  try {
    const fs = statfsSync(dir);
    free = fs.bavail * fs.bsize;
  } catch {
    return undefined; // Not known: the unpacking finds out.
  }
  if (bytes <= free) return undefined;
  return { ok: false, message: `cannot extract ${what}: its members total ${megabytes(bytes)} unpacked, more than the ${megabytes(free)} free on the disk it unpacks to; nothing was extracted` };
}

function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Moves the entries of `from` into `to`, merging directories and replacing the rest, as unpacking over it would. */
export function moveInto(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const dst = join(to, name);
    let existing;
    try {
      existing = lstatSync(dst);
    } catch {
      existing = undefined;
    }
    if (existing?.isDirectory() && lstatSync(src).isDirectory()) {
      moveInto(src, dst);
      continue;
    }
    if (existing !== undefined) removeTree(dst);
    renameSync(src, dst);
  }
}
