import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

/** A local import that names nothing: `plan` and `run` refuse the document (exit 2) before planning it. */
const DOC = '# R\n\n```shark-import\nranges.csv /data/ranges.csv\n```\n\n```shark-run {id=count}\nwc -l < /data/ranges.csv > /data/n.txt\n```\n';

describe('the page of a document plan and run refuse', () => {
  const rig = new Rig('shark-serve-refused-');
  let served: Served | undefined;
  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('says above the document what they refuse it for, at its line (it showed its blocks as ones that would run now)', async () => {
    rig.write('p.md', DOC);
    expect((await rig.shark(['plan', 'p.md'])).code).toBe(2);
    served = await serve(rig, 'p.md');
    const html = await (await fetch(`${served.url}/`)).text();
    expect(html).toContain('shark plan and shark run refuse this document as it is: p.md:4:1: local import `ranges.csv` does not exist');
  }, 60_000);
});
