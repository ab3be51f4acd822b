import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileImporter } from '../../src/imports/file-importer.js';
import { clause, context, scratch, writeTree } from './helpers.js';

/**
 * Ctrl-C during a local import of a big directory: the copy was one
 * synchronous call, so the signal handler and the status line waited for
 * all of it (minutes for 50,000 files). The copy now yields between files
 * and stops at the next once the run's signal is aborted.
 */
describe('a local directory import stopped while it copies', () => {
  let s: ReturnType<typeof scratch>;
  beforeEach(() => (s = scratch()));
  afterEach(() => s.cleanup());

  it('stops at the next file, not ok, without copying the rest', async () => {
    writeTree(join(s.dir, 'in'), Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, `${i}\n`])));
    const stop = new AbortController();
    const dest = join(s.dir, 'out');
    const fetching = new FileImporter().fetch(clause('in /data/in/'), {}, dest, { ...context({ dir: s.dir }), signal: stop.signal });
    // As a signal handler runs: while the copy waits on the disk.
    stop.abort();
    expect(await fetching).toEqual({ ok: false, message: 'interrupted' });
    expect(existsSync(dest) ? readdirSync(dest).length : 0).toBeLessThan(300);
  });
});
