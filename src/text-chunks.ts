import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** How much of a file is read at once: a log of gigabytes is never one string (V8 refuses one over 512 MiB). */
const CHUNK = 64 * 1024;

/**
 * A file's text in pieces of about `size` bytes, read one at a time. Each
 * piece ends at a line's end, so what is done to each line (escape
 * sequences removed) is done as to the whole text; a line longer than
 * `size` is cut anyway, so no piece grows without bound. Characters are
 * never split (`StringDecoder`). The file is opened at once (it throws as
 * `openSync` does) and closed when the pieces are all read or given up.
 */
export function textChunks(path: string, size = CHUNK): Generator<string> {
  return chunksOf(openSync(path, 'r'), size);
}

function* chunksOf(fd: number, size: number): Generator<string> {
  try {
    const decoder = new StringDecoder('utf8');
    const bytes = Buffer.alloc(size);
    let carry = '';
    for (let n = readSync(fd, bytes, 0, size, null); n > 0; n = readSync(fd, bytes, 0, size, null)) {
      const text = carry + decoder.write(bytes.subarray(0, n));
      const cut = text.lastIndexOf('\n') + 1;
      const at = cut > 0 ? cut : text.length >= size ? text.length : 0;
      if (at > 0) yield text.slice(0, at);
      carry = text.slice(at);
    }
    const rest = carry + decoder.end();
    if (rest !== '') yield rest;
  } finally {
    closeSync(fd);
  }
}

/**
 * The text of a file's last `bytes` bytes, from the first line that begins
 * in them (unless no line does), and how many bytes before it are left out.
 * Begun inside a line, that line (perhaps a character or an escape
 * sequence) would show cut.
 */
export function endOf(path: string, bytes: number): { text: string; skipped: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    const n = readSync(fd, buffer, 0, buffer.length, start);
    const read = buffer.subarray(0, n);
    const newline = start > 0 ? read.indexOf(0x0a) : -1;
    const from = newline >= 0 && newline + 1 < n ? newline + 1 : 0;
    return { text: read.subarray(from).toString('utf8'), skipped: start + from };
  } finally {
    closeSync(fd);
  }
}
