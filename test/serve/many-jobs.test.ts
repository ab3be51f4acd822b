import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

const MAP = `---
inputs:
  items: /data/items/
---
# Many items

\`\`\`shark-run
if grep -q fail /data/items/*; then echo bad item >&2; exit 3; fi; cp /data/items/* /data/out/+
\`\`\`

\`\`\`shark-run
ls /data/out/ | wc -l > /data/count.txt
\`\`\`
`;

describe('shark serve of a block with more jobs than a page lists', () => {
  const rig = new Rig('shark-serve-many-');
  let served: Served | undefined;

  beforeAll(async () => {
    rig.write('p.md', MAP);
    for (let i = 0; i < 250; i++) rig.write(`items/${String(i).padStart(3, '0')}.txt`, `${i}\n`);
    const ran = await rig.shark(['run', 'p.md', '-i', 'items=items', '-j', '2'], { timeoutMs: 120_000 });
    expect(ran.code, ran.stderr).toBe(0);
  }, 150_000);

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('shows 200 of the jobs a result descends from, and says how many more there are', async () => {
    served = await serve(rig, 'p.md', '-i', 'items=items');
    const html = await (await fetch(served.url + '/data/count.txt')).text();
    expect(html.match(/class="lineage-node" data-job="many-items\[/g)).toHaveLength(200);
    expect(html).toContain('… and 50 more jobs');
    await served.stop();
  });

  it('counts every job, lists 200 with the failed one first among them, and says where the rest are', async () => {
    // One item, late by name, turns bad: the latest run has a failed job among 249 cached ones.
    rig.write('items/237.txt', 'fail\n');
    const again = await rig.shark(['run', 'p.md', '-i', 'items=items', '--keep-going', '-j', '2'], { timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(1);
    served = await serve(rig, 'p.md', '-i', 'items=items');
    const html = await (await fetch(served.url + '/')).text();
    expect(html).toContain('<summary>250 jobs</summary>');
    expect(html.match(/class="job-status" data-job="many-items\[/g)).toHaveLength(200);
    // The failed item sorts late by name; it is listed all the same, and first, as the page says.
    expect(html).toMatch(/data-job="many-items\[237\.txt\]" data-status="failed"/);
    expect(/class="job-status" data-job="([^"]*)"/.exec(html)![1]).toBe('many-items[237.txt]');
    expect(html).toContain('200 of 250 jobs listed, failed and running ones first');
    expect(html).toMatch(/data-block="many-items" data-status="failed"/);
    const log = await fetch(served.url + '/log/2/' + encodeURIComponent('many-items[237.txt]'));
    expect(log.status).toBe(200);
    expect(await log.text()).toContain('bad item');
  }, 150_000);
});
