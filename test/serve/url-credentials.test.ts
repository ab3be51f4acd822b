import { afterEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

let rig: Rig | undefined;
let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  rig?.cleanup();
});

/** The page shows an import's URL as Shark shows it everywhere else: its password and query tokens as `***` (it showed the block verbatim). */
it("shows an import's password and token as ***", async () => {
  rig = new Rig('shark-serve-credentials-');
  rig.write('p.md', '# I\n\n```shark-import\nhttp://alice:S3CRETPW@127.0.0.1:1/a.csv?token=TOK123 /data/a.csv\n```\n');
  served = await serve(rig, 'p.md');
  const page = await (await fetch(served.url + '/')).text();
  expect(page).toContain('http://alice:***@127.0.0.1:1/a.csv?token=***');
  expect(page).not.toContain('S3CRETPW');
  expect(page).not.toContain('TOK123');
});
