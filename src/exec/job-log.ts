import { appendFileSync } from 'node:fs';

/** Adds lines to a job's log (creating it: the failure report names it, even when the job never ran). */
export function appendToLog(logPath: string, text: string): void {
  try {
    appendFileSync(logPath, `${text}\n`);
  } catch {
    // The log is for people; the outcome says it all too.
  }
}

/** Makes a failed job's log, empty when its command printed nothing: the failure report names it, and it is there to open. */
export function keepLog(logPath: string): void {
  try {
    appendFileSync(logPath, '');
  } catch {
    // As above.
  }
}
