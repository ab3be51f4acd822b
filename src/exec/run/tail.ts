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
    return endOf(path, WINDOW).text.split('\n').slice(-lines - 1).map(cut).join('\n').trimEnd();
  } catch {
    return '';
  }
}

/** How much of one line a tail shows: a line of 65,000 characters took 800 rows of the terminal, the error off screen. */
const LINE = 1000;

/** A line cut to LINE characters, saying how many more the log holds (`shark logs` shows them). */
function cut(line: string): string {
  return line.length <= LINE ? line : `${line.slice(0, LINE)}… (${(line.length - LINE).toLocaleString('en')} more characters in the log)`;
}
