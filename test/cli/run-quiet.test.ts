import { readFileSync } from 'node:fs';
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

  it('names a failed job\'s log that is there to open, empty when the command printed nothing', async () => {
    rig.write('p.md', '# e\n\n```shark-run\nexit 3\n```\n');
    const ran = await rig.shark(['run', 'p.md']);
    expect(ran.code).toBe(1);
    const log = /log: (\S+\.log)/.exec(ran.stdout + ran.stderr)?.[1];
    expect(log).toBeDefined();
    expect(readFileSync(log!, 'utf8')).toBe('');
  });
});
