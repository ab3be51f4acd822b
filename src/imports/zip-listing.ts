import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { printableBytes } from '../printable.js';

/** One member of a zip as its central directory records it. */
export interface ZipMember {
  /** The name as stored, or undefined when it is not UTF-8 (a zip made on Windows, in its code page). */
  readonly name: string | undefined;
  /** The name's bytes as shown, each that is not UTF-8 as `\xNN`. */
  readonly shown: string;
  /** Where unzip puts it: a Windows zip's `\` are separators, as unzip takes them. */
  readonly path: string;
  readonly type: 'file' | 'directory' | 'link' | 'special';
  /** Its size unpacked, as the central directory declares it (a ZIP64 one's from its extra field). */
  readonly size: number;
}

export type ZipListing = { readonly ok: true; readonly members: readonly ZipMember[] } | { readonly ok: false; readonly why: string };

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const LOCATOR64 = 0x07064b50;
const CENTRAL = 0x02014b50;
/** The Info-ZIP Unicode Path extra field: a UTF-8 name unzip prefers to the stored one. */
const UNICODE_PATH = 0x7075;
/** The ZIP64 extra field: the sizes a 32-bit field marked 0xFFFFFFFF could not hold, unpacked size first. */
const ZIP64_EXTRA = 0x0001;
const HOST_FAT = 0;
const HOST_UNIX = 3;

/**
 * The members of a zip, read from its central directory by Shark rather
 * than from `unzip -Z1`, which shows a name's control characters as `^I`:
 * the exact names are what the unpacked tree is checked against, and the
 * Unix mode bits tell a FIFO or a device, which unzip writes as an empty file.
 */
export function readZipListing(path: string): ZipListing {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const read = (at: number, n: number): Buffer => {
      const b = Buffer.alloc(Math.max(0, Math.min(n, size - at)));
      if (at >= 0 && b.length > 0) readSync(fd, b, 0, b.length, at);
      return b;
    };
    // The end record is in the last 22 bytes plus at most a 64 KiB comment.
    const tailAt = Math.max(0, size - 22 - 0xffff);
    const tail = read(tailAt, size - tailAt);
    let end = -1;
    for (let i = tail.length - 22; i >= 0 && end < 0; i--) if (tail.readUInt32LE(i) === EOCD) end = i;
    if (end < 0) return { ok: false, why: 'its end record is missing' };
    let count = tail.readUInt16LE(end + 10);
    let dirSize = tail.readUInt32LE(end + 12);
    let dirEnd = tailAt + end;
    const locator = end >= 20 ? tail.subarray(end - 20, end) : undefined;
    if (locator !== undefined && locator.readUInt32LE(0) === LOCATOR64) {
      const at = Number(locator.readBigUInt64LE(8));
      const rec = read(at, 56);
      if (rec.length < 56 || rec.readUInt32LE(0) !== EOCD64) return { ok: false, why: 'its ZIP64 end record is missing' };
      count = Number(rec.readBigUInt64LE(32));
      dirSize = Number(rec.readBigUInt64LE(40));
      dirEnd = at;
    }
    // Located from its end rather than its recorded offset, which a self-extracting stub shifts.
    const dir = read(dirEnd - dirSize, dirSize);
    if (dir.length !== dirSize || dirEnd - dirSize < 0) return { ok: false, why: 'its central directory is cut short' };
    const members: ZipMember[] = [];
    for (let at = 0; members.length < count; ) {
      if (at + 46 > dir.length || dir.readUInt32LE(at) !== CENTRAL) return { ok: false, why: `its central directory ends after ${members.length} of ${count} members` };
      const host = dir[at + 5]!;
      const nameLength = dir.readUInt16LE(at + 28);
      const extraLength = dir.readUInt16LE(at + 30);
      const commentLength = dir.readUInt16LE(at + 32);
      const attributes = dir.readUInt32LE(at + 38);
      const declared = dir.readUInt32LE(at + 24);
      const raw = dir.subarray(at + 46, at + 46 + nameLength);
      const extra = dir.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
      at += 46 + nameLength + extraLength + commentLength;
      const unicode = unicodePath(extra);
      const name = unicode ?? (isUtf8(raw) ? raw.toString('utf8') : undefined);
      const size = declared === 0xffffffff ? zip64Size(extra) ?? declared : declared;
      members.push({ name, shown: name ?? printableBytes(raw), path: unzipPath(name ?? '', host), type: typeOf(name ?? '', host, attributes), size });
    }
    return { ok: true, members };
  } finally {
    closeSync(fd);
  }
}

function unicodePath(extra: Buffer): string | undefined {
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const n = extra.readUInt16LE(at + 2);
    const body = extra.subarray(at + 4, at + 4 + n);
    if (id === UNICODE_PATH && body.length > 5 && body[0] === 1 && isUtf8(body.subarray(5))) return body.subarray(5).toString('utf8');
    at += 4 + n;
  }
  return undefined;
}

function zip64Size(extra: Buffer): number | undefined {
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const n = extra.readUInt16LE(at + 2);
    if (id === ZIP64_EXTRA && n >= 8 && at + 12 <= extra.length) return Number(extra.readBigUInt64LE(at + 4));
    at += 4 + n;
  }
  return undefined;
}

/** unzip reads `\` as a separator in a name from a FAT file system that has no `/`. */
function unzipPath(name: string, host: number): string {
  return host === HOST_FAT && !name.includes('/') ? name.replace(/\\/g, '/') : name;
}

function typeOf(name: string, host: number, attributes: number): ZipMember['type'] {
  const mode = host === HOST_UNIX ? attributes >>> 16 : 0;
  const format = mode & 0o170000;
  if (format === 0o120000) return 'link';
  if (format === 0o040000 || name.endsWith('/') || (attributes & 0x10) !== 0) return 'directory';
  return format === 0 || format === 0o100000 ? 'file' : 'special';
}
