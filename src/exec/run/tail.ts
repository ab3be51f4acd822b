import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** How much of a log's end is read for its tail: lines enough, however long the log. */
const WINDOW = 64 * 1024;

/**
 * The last lines of a job's log, for the failure report. Only the log's end
 * is read: a job that printed gigabytes made the whole log a string too long
 * for V8 (and the report said nothing) after holding it all in memory.
 */
export function tailOf(path: string, lines = 20): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - WINDOW);
    const bytes = Buffer.alloc(size - start);
    const n = readSync(fd, bytes, 0, bytes.length, start);
    let text = bytes.subarray(0, n).toString('utf8');
    // Begun inside a line (perhaps inside a character): that line is left out, unless it is all there is.
    if (start > 0 && text.includes('\n')) text = text.slice(text.indexOf('\n') + 1);
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}
