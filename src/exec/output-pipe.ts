import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { nativeModule } from '../native-module.js';
import { scratchRoots } from '../scratch-dir.js';

/** A pipe whose write end a launcher is given as its standard error, and whose read end Shark reads. */
export interface OutputPipe {
  /** The write end: passed to the child, then closed here (`spawned`). */
  readonly write: number;
  readonly read: Socket;
  /** Closes this process's copy of the write end once the child holds it. */
  spawned(): void;
}

/**
 * A real pipe for a launcher's output. Node gives a child's stdio as socket
 * pairs, and Linux will not reopen a socket through `/proc/self/fd`, so a
 * job's `tee /dev/stderr`, `> /dev/stdout` or `2> /dev/stderr` failed with
 * ENXIO where at a prompt they work. Node cannot make an anonymous pipe:
 * Shark's native module does (`pipe2`); where it was not built, this is a
 * FIFO made by `mkfifo` (a process started per launcher: ~5 ms of the
 * thread that starts the first jobs, none per job), opened at both ends and
 * removed at once. Undefined when neither can be made: the launcher then
 * keeps Node's socket.
 */
export function outputPipe(): OutputPipe | undefined {
  const made = anonymousPipe();
  if (made !== undefined) {
    const [read, write] = made;
    return { write, read: new Socket({ fd: read, readable: true, writable: false }), spawned: () => closeSync(write) };
  }
  return namedPipe();
}

/** A pipe from the native module, [read end, write end], both closed on exec; undefined without it. */
function anonymousPipe(): [number, number] | undefined {
  const pipe = nativeModule?.['pipe'];
  if (typeof pipe !== 'function') return undefined;
  try {
    return pipe() as [number, number];
  } catch {
    return undefined; // Out of descriptors: the FIFO is tried, and failing too, the launcher keeps Node's socket.
  }
}

function namedPipe(): OutputPipe | undefined {
  const name = `shark-out-${process.pid}-${randomBytes(6).toString('hex')}`;
  const path = scratchRoots().map((root) => join(root, name)).find((p) => spawnSync('mkfifo', ['-m', '600', p], { stdio: 'ignore' }).status === 0);
  if (path === undefined) return undefined;
  let read: number | undefined;
  try {
    // The read end first, without waiting for a writer; then the write end finds it there.
    read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const write = openSync(path, constants.O_WRONLY);
    const socket = new Socket({ fd: read, readable: true, writable: false });
    return { write, read: socket, spawned: () => closeSync(write) };
  } catch {
    if (read !== undefined) closeSync(read);
    return undefined;
  } finally {
    try {
      unlinkSync(path);
    } catch {
      // Gone already.
    }
  }
}
