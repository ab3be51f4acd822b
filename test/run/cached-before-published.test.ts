import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

describe('run --json of a cached pipeline that publishes', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig()));
  afterEach(() => rig.cleanup());

  it('says each job cached before it says what is published of it', async () => {
    rig.write('p.md', `# Make\n\n${fence}shark-run\necho a > /data/a.txt\n${fence}\n\n## Both\n\n${fence}shark-run\ncat /data/a.txt /data/a.txt > /data/b.txt\n${fence}\n\n${fence}shark-publish\n/data/b.txt\n${fence}\n`);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const again = await rig.shark(['run', 'p.md', '--json']);
    expect(again.code).toBe(0);
    const types = again.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { type: string; job?: string }));
    const published = types.findIndex((e) => e.type === 'published');
    const cached = types.filter((e) => e.type === 'job-cached').map((e) => types.indexOf(e));
    expect(published).toBeGreaterThan(0);
    expect(cached).toHaveLength(2);
    expect(cached.every((at) => at < published)).toBe(true);
  });
});
