import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';

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

/**
 * A job's log as a stream that makes the file with its first byte, as the
 * host's launcher does: an ok job that printed nothing leaves no log (most
 * jobs of a large map print nothing), and `logs` says it printed nothing.
 * A failed one's is made by `keepLog`.
 */
export function logStream(logPath: string): Writable {
  let fd: number | undefined;
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        fd ??= openSync(logPath, 'a');
        for (let at = 0; at < chunk.length;) at += writeSync(fd, chunk, at);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    destroy(error, done) {
      if (fd !== undefined) closeSync(fd);
      done(error);
    },
  });
}
