import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

describe('a job log on the page', () => {
  const rig = new Rig('shark-serve-log-');
  let served: Served | undefined;
  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('has no escape sequences (a browser showed them as stray characters), as shark logs gives it to a file', async () => {
    rig.write('c.md', "# Colour\n\n```shark-run {id=red}\nprintf '\\033[31mred\\033[0m\\n'; echo x > /data/x.txt\n```\n");
    expect((await rig.shark(['run', 'c.md'])).code).toBe(0);
    served = await serve(rig, 'c.md');
    const html = await (await fetch(`${served.url}/log/1/red`)).text();
    expect(html).toContain('<pre class="log-text">red\n</pre>');
    expect(html).not.toContain('\x1b');
  });
});
