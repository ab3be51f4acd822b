import { endOf } from '../../text-chunks.js';

/** How much of a log's end is read for its tail: lines enough, however long the log. */
const WINDOW = 64 * 1024;

/**
 * The last lines of a job's log, for the failure report. Only the log's end
 * is read (`endOf`: from the first line that begins in it): a job that
 * printed gigabytes made the whole log a string too long for V8 (and the
 * report said nothing) after holding it all in memory.
 */
export function tailOf(path: string, lines = 20): string {
  try {
    return endOf(path, WINDOW).text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '';
  }
}
