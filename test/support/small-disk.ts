import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/**
 * Mounts a tmpfs of `size` (`1m`, `64k`) at `dir`: a small disk to fill, the
 * honest way to test a full one. Why it cannot (not root, no mount) when it
 * cannot, for the suite's `skipIf`; unmount it with `umount` when done.
 */
export function mountSmallDisk(dir: string, size = '1m'): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a small tmpfs needs root';
  mkdirSync(dir, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  return mounted.status === 0 ? undefined : `cannot mount a tmpfs: ${mounted.stderr.trim()}`;
}
