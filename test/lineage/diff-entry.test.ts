import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * `diff FILE /data/d/b.txt` of a file inside a directory one job wrote
 * whole: each side is named by the file's own content id (not the job's
 * outputs as JSON), and a file whose bytes never changed has nothing to
 * compare (exit 0), though its directory did change.
 */
const PIPELINE = `# Entry

\`\`\`shark-run
mkdir -p /data/d/ && echo one > /data/d/a.txt && echo same > /data/d/b.txt
\`\`\`
`;

describe('shark diff of a file inside a directory written whole', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig('shark-diff-entry-');
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', PIPELINE.replace('echo one', 'echo two'));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('a file whose bytes stayed the same: nothing to compare, named by its own id', async () => {
    const text = await rig.shark(['diff', 'p.md', '/data/d/b.txt']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\/data\/d\/b\.txt has had the same content in every run up to run 2 \(sha256:[0-9a-f]{64}\): nothing to compare\n$/);
    const json = JSON.parse((await rig.shark(['diff', 'p.md', '/data/d/b.txt', '--json'])).stdout) as { new: { id: string }; identical: boolean };
    expect(json.identical).toBe(true);
    expect(json.new.id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('a file whose bytes changed: both sides named by its content ids', async () => {
    const json = JSON.parse((await rig.shark(['diff', 'p.md', '/data/d/a.txt', '--json'])).stdout) as { old: { id: string }; new: { id: string } };
    expect(json.old.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(json.new.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const text = await rig.shark(['diff', 'p.md', '/data/d/a.txt']);
    expect(text.code).toBe(1);
    expect(text.stdout.split('\n')[0]).toBe(`/data/d/a.txt in run 1 (${json.old.id.slice(7, 15)}…) → /data/d/a.txt in run 2 (${json.new.id.slice(7, 15)}…)`);
  });
});
