import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve } from './serve-rig.js';

/** A block's status and label on the document page, as `status (label)`. */
async function blockStatus(url: string, block: string): Promise<string> {
  const html = await (await fetch(url + '/')).text();
  const m = new RegExp(`data-block="${block}" data-status="([^"]+)">\\n<div class="block-head">.*?<span class="status" data-role="status">([^<]*)</span>`).exec(html);
  return m === null ? `no block ${block}` : `${m[1]} (${m[2]})`;
}

/** The page of FILE served with ARGS, open while `look` reads it. */
async function withPage<T>(rig: Rig, file: string, args: readonly string[], look: (url: string) => Promise<T>): Promise<T> {
  const served = await serve(rig, file, ...args);
  try {
    return await look(served.url);
  } finally {
    await served.stop();
  }
}

describe('shark serve says of each block what plan says with the same options', () => {
  const rig = new Rig('shark-serve-plan-status-');

  afterAll(() => {
    rig.cleanup();
  });

  it('never shows the failure of a run of other -e values as the block\'s, only its own', async () => {
    rig.write('variants.md', '---\nV: one\n---\n# Variants\n\n```shark-run {id=f}\necho $V > /data/f.txt && test $V = one\n```\n');
    expect((await rig.shark(['run', 'variants.md', '-e', 'V=two'])).code).toBe(1);
    await withPage(rig, 'variants.md', [], async (url) => {
      expect(await blockStatus(url, 'f')).toBe('would-run (would run now: variable V changed (two → one))');
      expect(await (await fetch(url + '/')).text()).not.toContain('href="/log/1/');
    });
    // The page of the options that failed shows that failure, and its log.
    await withPage(rig, 'variants.md', ['-e', 'V=two'], async (url) => {
      expect(await blockStatus(url, 'f')).toBe('failed (failed in run 1 (exit status 1))');
      expect(await (await fetch(url + '/')).text()).toContain('href="/log/1/f"');
    });
  }, 60_000);

  it('says an input left unbound is not bound, as plan does, not that it is no longer read', async () => {
    rig.write('other.txt', 'x\n');
    rig.write('inputs.md', '---\ninputs:\n  other: /data/other.txt\n---\n# Inputs\n\n```shark-run {id=o}\ncat /data/other.txt > /data/o.txt\n```\n');
    expect((await rig.shark(['run', 'inputs.md', '-i', 'other=other.txt'])).code).toBe(0);
    const plan = await rig.shark(['plan', 'inputs.md']);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain('inputs.md:3:10: error: input `other` (/data/other.txt) is not bound: pass -i other=PATH');
    await withPage(rig, 'inputs.md', [], async (url) => {
      expect(await blockStatus(url, 'o')).toBe('would-run (would run now: input `other` (/data/other.txt) is not bound: pass -i other=PATH)');
    });
  }, 60_000);

  it('counts the cached and new items of a map that ran before its folder grew, as plan does, not as never run', async () => {
    rig.write('items/a.txt', 'a\n');
    rig.write('items/b.txt', 'b\n');
    rig.write('map.md', '---\ninputs:\n  in: /data/in/\n---\n# Map\n\n```shark-run {id=m}\ncat /data/in/* > /data/out/+\n```\n');
    expect((await rig.shark(['run', 'map.md', '-i', 'in=items'])).code).toBe(0);
    rig.write('items/c.txt', 'c\n');
    expect((await rig.shark(['plan', 'map.md', '-i', 'in=items'])).stdout).toContain('3 jobs — 2 cached, 1 to run (new item)');
    await withPage(rig, 'map.md', ['-i', 'in=items'], async (url) => {
      expect(await blockStatus(url, 'm')).toBe('would-run (would run now: 3 jobs — 2 cached, 1 to run (new item))');
    });
  }, 60_000);
});
