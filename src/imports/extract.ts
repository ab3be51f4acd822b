import { closeSync, openSync, readSync } from 'node:fs';
import { runTool, type ToolResult } from './tools.js';

export type ArchiveKind = 'zip' | 'tar';

/**
 * The archive's kind from its first bytes rather than its name: URLs often
 * end in `?download=1` or `/content`. tar reads gzip, bzip2 and xz itself.
 */
export function archiveKind(path: string): ArchiveKind | undefined {
  const head = Buffer.alloc(512);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const b = head.subarray(0, n);
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6)) return 'zip';
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'tar';
  if (b.length >= 3 && b.subarray(0, 3).toString('latin1') === 'BZh') return 'tar';
  if (b.length >= 6 && b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'tar';
  if (b.length >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

/**
 * Unpacks `archive` into the existing directory `into`. Both tools refuse
 * members that would land outside it (absolute paths, `..`).
 */
export async function extractArchive(archive: string, what: string, into: string, signal: AbortSignal): Promise<ToolResult> {
  const kind = archiveKind(archive);
  switch (kind) {
    case 'zip':
      return runTool('unzip', ['-q', '-o', archive, '-d', into], { signal });
    case 'tar':
      return runTool('tar', ['-xf', archive, '-C', into, '--no-same-owner', '--no-same-permissions'], { signal });
    case undefined:
      return { ok: false, message: `cannot extract ${what}: it is not a .zip, .tar.gz, .tgz or .tar archive` };
  }
}
