import { readFileSync } from 'node:fs';

/** The last lines of a job's log, for the failure report. */
export function tailOf(path: string, lines = 20): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '';
  }
}
