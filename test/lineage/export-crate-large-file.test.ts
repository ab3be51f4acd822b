import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A file over 2 GiB (Node's limit on reading a file whole): sparse, so it
 * costs no disk, only hashing 2 GiB of zeros a few times (some seconds: no
 * smaller file reaches the limit).
 */
describe('shark export crate: a file larger than 2 GiB', () => {
  let rig: Rig;
  afterEach(() => rig.cleanup());

  it('is copied and hashed in pieces, never read whole', async () => {
    rig = new Rig();
    rig.write('g.md', '# g\n\n```shark-run\ntruncate -s 2049M /data/big.bin\n```\n');
    expect((await rig.shark(['run', 'g.md'])).code).toBe(0);
    const ran = await rig.shark(['export', 'crate', 'g.md', '-o', 'crate']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const graph = (JSON.parse(readFileSync(rig.path('crate/ro-crate-metadata.json'), 'utf8')) as { '@graph': Record<string, unknown>[] })['@graph'];
    const big = graph.find((e) => e['@id'] === 'data/big.bin');
    expect(big?.['contentSize']).toBe(String(2049 * 1024 * 1024));
  }, 60_000);
});
