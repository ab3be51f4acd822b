import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Checksum } from '../pipeline/import-clause.js';

export interface FileSums {
  readonly size: number;
  readonly sha256: string;
  readonly md5: string;
}

/** Both digests in one pass over the file. */
export async function sumFile(path: string): Promise<FileSums> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    sha256.update(chunk);
    md5.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: sha256.digest('hex'), md5: md5.digest('hex') };
}

/** An expected checksum and who said so (`the import clause`, `Zenodo`, `the lock file`). */
export interface Expected extends Checksum {
  readonly from: string;
}

/** The first expectation the file fails, as a message naming both checksums; undefined when all hold. */
export function mismatch(what: string, sums: FileSums, expected: readonly Expected[]): string | undefined {
  for (const e of expected) {
    const got = e.algorithm === 'md5' ? sums.md5 : sums.sha256;
    if (got !== e.hex.toLowerCase()) {
      return `checksum mismatch for ${what}: expected ${e.algorithm}:${e.hex} (${e.from}), got ${e.algorithm}:${got}`;
    }
  }
  return undefined;
}

/** `md5:HEX` as Zenodo writes it, or undefined for anything else. */
export function parseChecksum(text: unknown): Checksum | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(md5|sha256):([0-9a-fA-F]+)$/.exec(text);
  if (m === null) return undefined;
  return { algorithm: m[1] as 'md5' | 'sha256', hex: m[2]!.toLowerCase() };
}
