import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

describe('a run\'s own output', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(() => rig.cleanup());

  it('says nothing of Node\'s internals at -j 8: each running or queued job listens for the stop, no leak warning', async () => {
    for (let i = 0; i < 60; i++) rig.write(`in/f${i}.txt`, `${i}\n`);
    rig.write('p.md', '# ml\n\n```shark-import\nin /data/in/\n```\n\n```shark-run\ncat /data/in/*.txt > /data/out/+\n```\n');
    const ran = await rig.shark(['run', 'p.md', '-j', '8']);
    expect(ran.code).toBe(0);
    expect(ran.stderr).not.toMatch(/Warning|node:/);
  });
});
