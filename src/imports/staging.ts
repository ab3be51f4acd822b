import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { removeTree } from '../store/owner-access.js';

/**
 * Temporary names beside an import's destination. Everything is assembled
 * under one of these and renamed onto `dest` only when complete and verified,
 * so a failed or killed import leaves nothing at `dest`.
 */
export class Staging {
  private readonly made: string[] = [];

  constructor(private readonly dest: string) {
    mkdirSync(dirname(dest), { recursive: true });
  }

  /** A fresh path beside dest (not created). */
  path(tag: string): string {
    // The start of dest's name (50 characters, at most 200 bytes): a name near the 255 bytes a file name can be, with the suffix, would be none.
    const start = Array.from(basename(this.dest)).slice(0, 50).join('');
    const p = join(dirname(this.dest), `.${start || 'import'}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
    this.made.push(p);
    return p;
  }

  /** A fresh, empty directory beside dest. */
  dir(tag: string): string {
    const p = this.path(tag);
    mkdirSync(p);
    return p;
  }

  /** Renames a finished file or tree onto dest. */
  commit(staged: string): void {
    renameSync(staged, this.dest);
  }

  /** Removes whatever is left of the temporary paths, however deep an archive or repository nested them. */
  cleanup(): void {
    for (const p of this.made) removeTree(p);
  }
}
