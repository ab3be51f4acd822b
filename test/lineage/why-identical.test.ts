import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashOnDisk, whyContent } from '../../src/lineage/why.js';
import { Metadata } from '../../src/store/metadata.js';
import { Rig } from '../support/rig.js';

/** One job writing `n` empty files: the same bytes at `n` places of one directory. */
const PIPELINE = (n: number): string => `# Many

\`\`\`shark-run
mkdir -p /data/many && cd /data/many && seq 1 ${n} | xargs touch
\`\`\`

\`\`\`shark-publish
/data/many/
\`\`\`
`;

const N = 3000;

describe('why of bytes a job wrote at many places of one directory', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = new Rig();
    rig.write('p.md', PIPELINE(N));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('reads the directory\'s tree a few times, not once per place the bytes are at', () => {
    const meta = new Metadata(rig.path('.shark'));
    const reads = vi.spyOn(meta.trees, 'recorded');
    try {
      const hashed = hashOnDisk(rig.path('_shark/many/5'));
      if (!hashed.ok) throw new Error(hashed.message);
      const answer = whyContent(meta, rig.path('_shark/many/5'), hashed.id);
      // Every place is still a making (the documented JSON), each with its lineage.
      expect(answer.produced).toHaveLength(N);
      expect(answer.produced.every((m) => m.lineage?.job === 'many')).toBe(true);
      expect(reads.mock.calls.length).toBeLessThan(10);
    } finally {
      reads.mockRestore();
      meta.db.close();
    }
  });

  it('tells the job once with the places it wrote the bytes at, in text; once per place in --json', async () => {
    const text = await rig.shark(['why', '_shark/many/5']);
    expect(text.code).toBe(0);
    const made = text.stdout.split('\n').filter((l) => l.includes('made by'));
    expect(made).toHaveLength(1);
    expect(made[0]).toContain(`made by many at ${N} places (/data/many/1, /data/many/10, /data/many/100 and ${N - 3} more), run 1 of p.md`);
    expect(text.stdout.split('\n').filter((l) => l.includes('lineage:'))).toHaveLength(1);
    const json = await rig.shark(['why', '_shark/many/5', '--json']);
    const files = (JSON.parse(json.stdout) as { files: { produced: { path: string }[] }[] }).files;
    expect(files[0]!.produced.map((p) => p.path)).toContain('/data/many/5');
    expect(files[0]!.produced).toHaveLength(N);
  });
});
