import { appendFileSync } from 'node:fs';

/** Adds lines to a job's log (creating it: the failure report names it, even when the job never ran). */
export function appendToLog(logPath: string, text: string): void {
  try {
    appendFileSync(logPath, `${text}\n`);
  } catch {
    // The log is for people; the outcome says it all too.
  }
}
