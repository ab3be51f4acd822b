/**
 * The modes Shark gives the data it writes, the same on every store: what a
 * step made is bytes and an executable bit (the content id holds nothing
 * more), so a setuid, setgid or sticky bit never survives, and two stores
 * holding one id hold the same files.
 */

/** Whether a file counts as executable: any of its execute bits (what `sha256x:` ids record). */
export const executable = (mode: number): boolean => (mode & 0o111) !== 0;

/** A file as a store keeps it, and as a job's input shows it: read-only. */
export const storedMode = (exec: boolean): number => (exec ? 0o555 : 0o444);

/**
 * A copy out of a store (a publish, a crate): writable by its owner, as a
 * step would write it, less what the umask takes away, as `cp` does and the
 * directories it is put in are made (under `umask 077` a "private" file was
 * published 0644 into a directory others could read).
 */
export const publishedMode = (exec: boolean): number => (exec ? 0o755 : 0o644) & ~umask();

let mask: number | undefined;
/** The process's umask, read once (Shark does not change it). */
function umask(): number {
  return (mask ??= process.umask());
}

/** A directory as a store keeps it (the ZFS store; the directory store makes it so when it places one) and copies it out. */
export const DIR_MODE = 0o755;
