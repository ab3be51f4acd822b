import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

describe('the anchors of a sweep\'s instances', () => {
  const rig = new Rig('shark-serve-anchors-');
  let served: Served | undefined;
  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('are one per instance, so each DAG node links to its own (values é and è, a.b and a_b shared one)', async () => {
    rig.write('p.md', '---\nT: [é, è, a.b, a_b]\n---\n# S\n\n```shark-run {id=s}\necho %{T} > /data/s/%{T}.txt\n```\n\n```shark-run {id=plain}\necho x > /data/x.txt\n```\n');
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    served = await serve(rig, 'p.md');
    const html = await (await fetch(`${served.url}/`)).text();
    const ids = [...html.matchAll(/<details class="instance" id="([^"]+)" data-block="([^"]+)"/g)].map((m) => [m[1]!, m[2]!] as const);
    expect(ids.map(([, block]) => block)).toEqual(['s[T=é]', 's[T=è]', 's[T=a.b]', 's[T=a_b]']);
    expect(new Set(ids.map(([id]) => id)).size).toBe(4);
    // Each DAG node links to the anchor of its own block.
    for (const [id, block] of ids) expect(html).toContain(`<a href="#${id}" class="dag-block dag-run" data-block="${block}"`);
    // A plain id keeps its readable anchor.
    expect(html).toContain('id="block-plain"');
  }, 60_000);
});
