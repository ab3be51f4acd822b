import { afterAll, beforeAll, expect, it } from 'vitest';
import { BASE, describeDocker } from '../docker/rig.js';
import { Rig } from '../support/rig.js';
import { pageState, serve, type Served } from './serve-rig.js';

/** The state `/events` sends first: what the page shows now. */
const state = pageState;

/**
 * A page started before its environment was built: the run that builds it
 * is the page's own run, and its jobs are shown running and then ran. It
 * called the run one with other options, and kept saying `environment …
 * not built yet` until serve was started again.
 */
describeDocker('shark serve of a document whose environment a run builds', () => {
  const rig = new Rig('shark-serve-env-');
  let served: Served | undefined;

  beforeAll(async () => {
    rig.write('p.md', `# Fresh\n\n\`\`\`shark-build:fresh\nFROM ${BASE}\nLABEL shark.test=serve-env shark.fresh=${process.pid}-${Date.now()}\n\`\`\`\n\n\`\`\`shark-run:fresh\nsleep 3; echo hello > /data/a.txt\n\`\`\`\n`);
    served = await serve(rig, 'p.md');
  });

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('shows the run as the page\'s own while it runs, and the block as ran after it', async () => {
    expect((await state(served!.url)).blocks.at(-1)!.label).toContain('not built yet');
    const run = rig.shark(['run', 'p.md']);
    await expect.poll(async () => (await state(served!.url)).blocks.at(-1)!.label, { timeout: 30_000, interval: 200 }).toBe('running in run 1');
    expect((await run).code).toBe(0);
    await expect.poll(async () => (await state(served!.url)).blocks.at(-1)!.label, { timeout: 20_000, interval: 200 }).toBe('ran in run 1');
  }, 60_000);
});
