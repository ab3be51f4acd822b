import { closeSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ContextEntry } from './build-inputs.js';

/** The generated Dockerfile's name in the context: unlikely to collide with a user's file. */
export const DOCKERFILE_NAME = '.shark.Dockerfile';

const BLOCK = 512;
const CHUNK = 1024 * 1024;
// Fixed times and owners: the same inputs give the same context bytes, so the builder's cache can hit.
const MTIME = 0;

/**
 * A build context holding exactly the generated Dockerfile and the files its
 * COPY/ADD take, as a ustar stream (PAX headers for long names and big files).
 * Written here rather than with tar-fs so that nothing else in the pipeline's
 * directory is read or sent.
 */
export function contextTar(dockerfile: string, entries: readonly ContextEntry[]): Readable {
  return Readable.from(generate(dockerfile, entries), { objectMode: false });
}

function* generate(dockerfile: string, entries: readonly ContextEntry[]): Generator<Buffer> {
  const text = Buffer.from(dockerfile);
  yield* header(DOCKERFILE_NAME, '0', 0o644, text.length, '');
  yield text;
  yield padding(text.length);
  // The daemon drops files that .dockerignore names, so the Dockerfile never lands in `COPY . /x`.
  const ignore = Buffer.from(`${DOCKERFILE_NAME}\n.dockerignore\n`);
  yield* header('.dockerignore', '0', 0o644, ignore.length, '');
  yield ignore;
  yield padding(ignore.length);
  for (const e of entries) {
    switch (e.kind) {
      case 'dir':
        yield* header(`${e.rel}/`, '5', 0o755, 0, '');
        break;
      case 'symlink':
        yield* header(e.rel, '2', 0o777, 0, e.content);
        break;
      case 'file':
        yield* header(e.rel, '0', e.executable ? 0o755 : 0o644, e.size, '');
        yield* fileBytes(e.abs, e.size);
        yield padding(e.size);
        break;
    }
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** Exactly `size` bytes, whatever happened to the file since it was hashed: a short tar would corrupt the stream. */
function* fileBytes(path: string, size: number): Generator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.alloc(Math.min(CHUNK, left));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) {
        yield Buffer.alloc(left);
        return;
      }
      yield n === buf.length ? buf : buf.subarray(0, n);
      left -= n;
    }
  } finally {
    closeSync(fd);
  }
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

const MAX_OCTAL_SIZE = 0o77777777777;

function* header(name: string, type: '0' | '2' | '5', mode: number, size: number, link: string): Generator<Buffer> {
  const pax: string[] = [];
  if (Buffer.byteLength(name) > 100) pax.push(paxRecord('path', name));
  if (Buffer.byteLength(link) > 100) pax.push(paxRecord('linkpath', link));
  if (size > MAX_OCTAL_SIZE) pax.push(paxRecord('size', String(size)));
  if (pax.length > 0) {
    const body = Buffer.from(pax.join(''));
    yield ustar('PaxHeader', 'x', 0o644, body.length, '');
    yield body;
    yield padding(body.length);
  }
  yield ustar(name, type, mode, size > MAX_OCTAL_SIZE ? 0 : size, link);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  // The length prefix counts its own digits.
  let digits = String(bodyLength).length;
  while (String(bodyLength + digits).length !== digits) digits++;
  return `${bodyLength + digits}${body}`;
}

function ustar(name: string, type: string, mode: number, size: number, link: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(truncate(name, 100), 0, 'utf8');
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, MTIME);
  h.write(type, 156, 'ascii');
  h.write(truncate(link, 100), 157, 'utf8');
  h.write('ustar\u000000', 257, 'binary');
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 'binary');
  return h;
}

function octal(h: Buffer, at: number, width: number, value: number): void {
  h.write(value.toString(8).padStart(width - 1, '0') + '\u0000', at, 'binary');
}

/** A name cut to fit a ustar field, on a character boundary (the PAX record carries the whole name). */
function truncate(s: string, bytes: number): string {
  let out = s;
  while (Buffer.byteLength(out) > bytes) out = out.slice(0, -1);
  return out;
}
