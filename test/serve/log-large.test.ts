import { appendFileSync, truncateSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

describe('the page of a job log of hundreds of megabytes', () => {
  const rig = new Rig('shark-serve-log-large-');
  let served: Served | undefined;
  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it("shows the log's end and says how much is left out (read whole, it was too long a string)", async () => {
    rig.write('p.md', "# P\n\n```shark-run {id=big}\nprintf 'first\\n'; echo x > /data/x.txt\n```\n");
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const log = /^==> big \(ok, line 4\) (.+)$/m.exec((await rig.shark(['logs', 'p.md', 'big'])).stdout)![1]!;
    // Sparse: 600 MB of NULs that take no disk.
    truncateSync(log, 600_000_000);
    appendFileSync(log, '\n\x1b[31mthe <end>\x1b[0m\n');
    served = await serve(rig, 'p.md');
    const html = await (await fetch(`${served.url}/log/1/big`)).text();
    expect(html).toContain('<pre class="log-text">the &#60;end&#62;\n</pre>');
    expect(html).toContain('Its first 572.2 MiB are left out');
    expect(html.length).toBeLessThan(100_000);
  });
});
