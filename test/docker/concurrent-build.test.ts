import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, lockOf, removeBuiltImages, scratch, shark, unique, type Ran } from './rig.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Event {
  type: string;
  env?: string;
  block?: string;
  holder?: { pid: number; host: string };
  summary?: { executed: number; cached: number };
}

function events(r: Ran): Event[] {
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
}

describeDocker('runs sharing a store build an environment once', () => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is not built: run `npx tsc -p tsconfig.json` (npm test does)');
    tmp = scratch('shark-docker-concurrent-');
  });
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'p.lock.json'));
    tmp.cleanup();
  });

  it('the second run waits for the first one\'s build, uses its image, and runs no job again', async () => {
    mkdirSync(join(tmp.dir, 'items'));
    for (const i of [1, 2, 3, 4]) writeFileSync(join(tmp.dir, 'items', `d${i}`), `${i}\n`);
    // A build that takes a while and whose image differs every time: two builds would give two ids, and two keys per job.
    writeFileSync(join(tmp.dir, 'p.md'), `# Concurrent

\`\`\`shark-build:bb
FROM ${BASE}
RUN echo ${unique('concurrent')} && sleep 3 && cat /proc/sys/kernel/random/uuid > /built.txt
\`\`\`

\`\`\`shark-import
items /data/items/
\`\`\`

\`\`\`shark-run:bb
cat /built.txt /data/items/* > /data/o/+
\`\`\`
`);
    const [a, b] = await Promise.all([shark(['run', 'p.md', '--json'], tmp.dir), shark(['run', 'p.md', '--json'], tmp.dir)]);
    expect(a.code, a.stderr + a.stdout).toBe(0);
    expect(b.code, b.stderr + b.stdout).toBe(0);
    const both = [events(a), events(b)];
    // The import and the four container jobs, each executed by one of the runs.
    expect(both.flat().filter((e) => e.type === 'job-start').length).toBe(5);
    const waited = both.map((es) => es.filter((e) => e.type === 'env-waiting'));
    expect(waited.map((w) => w.length).sort()).toEqual([0, 1]);
    expect(waited.flat()[0]).toEqual({ type: 'env-waiting', env: 'bb', holder: { pid: expect.any(Number), host: expect.any(String) }, time: expect.any(String) });
    // The lock names the one image both used: nothing is left to run.
    expect(lockOf(join(tmp.dir, 'p.md')).environments.bb?.image).toMatch(/^sha256:/);
    const again = events(await shark(['run', 'p.md', '--json'], tmp.dir));
    expect(again.filter((e) => e.type === 'job-start')).toEqual([]);
  });
});
