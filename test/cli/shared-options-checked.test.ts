import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { SWEEP } from './shared-options-fixture.js';

const fence = '```';

/** A secret, and an input. */
const SECRET = `---
secrets: [TOKEN]
inputs:
  src: /data/src.txt
---

## One

${fence}shark-run
cat /data/src.txt > /data/one.txt
${fence}
`;

describe('shared options checked as plan checks them, wherever they are taken', () => {
  const rig = new Rig();
  beforeAll(async () => {
    rig.write('p.md', SWEEP);
    rig.write('s.md', SECRET);
    rig.write('src.txt', 'abc\n');
    expect((await rig.shark(['run', 's.md', '-i', 'src=src.txt'], { env: { TOKEN: 't' } })).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('lineage -e of a secret is refused as plan refuses it, its value never shown', async () => {
    const plan = await rig.shark(['plan', 's.md', '-i', 'src=src.txt', '-e', 'TOKEN=abc']);
    expect(plan.code).toBe(2);
    const lineage = await rig.shark(['lineage', 's.md', '/data/one.txt', '-e', 'TOKEN=abc']);
    expect(lineage.stderr).toBe(plan.stderr);
    expect(lineage.stderr).toBe('shark: error: -e TOKEN=…: TOKEN is a secret, and a variable\'s value enters the cache key and lineage: set it in the environment or a --secrets file\n');
    expect(lineage.code).toBe(2);
    expect(lineage.stdout).toBe('');
  });

  it.each([
    [['p.md', '-i', 'ghost=/nonexistent']],
    [['p.md', '--secrets', '/nonexistent']],
    [['s.md', '-i', 'src=src.txt', '-e', 'TOKEN=abc']],
    [['s.md', '-i', 'src=/nonexistent']],
  ])('serve %j is refused as plan refuses it (exit 2), before it listens', async (args) => {
    const plan = await rig.shark(['plan', ...args]);
    expect(plan.code).toBe(2);
    const serve = await rig.shark(['serve', ...args, '--port', '0'], { timeoutMs: 15_000 });
    expect(serve.stderr).toBe(plan.stderr);
    expect(serve.code).toBe(2);
    expect(serve.stdout).not.toContain('serving');
  });
});
