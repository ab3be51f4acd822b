import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CasStore } from '../../src/store/cas-store.js';
import { Metadata } from '../../src/store/metadata.js';

/**
 * `fsck` beside a `gc --delete`: gc records what it frees, then removes it,
 * while fsck hashes what it listed before. An object gone between the two was
 * reported `corrupt … cannot read …: ENOENT`, 109 of them, with advice to
 * `--repair`; it is no damage (and missing only if a result needs it and gc did
 * not free it).
 */
describe("the store's check, as objects are removed under it", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says nothing of an object gone between its listing and its read', async () => {
    dir = mkdtempSync(join(tmpdir(), 'shark-verify-vanished-'));
    const meta = new Metadata(dir);
    const store = new CasStore(dir, meta);
    const ids: string[] = [];
    for (let n = 0; n < 400; n++) {
      const host = join(dir, 'host', `f${n}.txt`);
      mkdirSync(join(dir, 'host'), { recursive: true });
      writeFileSync(host, `file ${n}\n`);
      ids.push(await store.ingest(host));
    }
    let removed = false;
    const problems = await store.verify(() => {
      // As gc would, once the check is under way: every object not read yet goes.
      if (removed) return;
      removed = true;
      for (const id of ids.slice(200)) unlinkSync(store.objectPath!(id)!);
    }, new AbortController().signal);
    expect(problems.filter((p) => p.problem === 'corrupt')).toEqual([]);
    store.close();
    meta.close();
  });
});
