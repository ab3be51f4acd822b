import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, removeBuiltImages, run, scratch, shark, unique } from './rig.js';

interface PlanJson {
  jobs: { block: string; status: string; reasons: string[] }[];
  summary: { cached: number; run: number; blocked: number };
}

/** `plan` promises what `run` does: a `{precious}` job is kept when its environment changes, even before the rebuild. */
describeDocker('plan of a {precious} step whose environment will be rebuilt (CLI)', () => {
  let tmp: ReturnType<typeof scratch>;
  const doc = (mark: string, host = 'one'): string => `# p

\`\`\`shark-run
echo ${host} > /data/host.txt
\`\`\`

\`\`\`shark-build:a
FROM ${BASE}
RUN echo ${mark} > /marker
\`\`\`

\`\`\`shark-run:a {precious}
cat /marker /data/host.txt > /data/slow.txt
\`\`\`

\`\`\`shark-run:a
cat /data/slow.txt /marker > /data/out.txt
\`\`\`
`;
  beforeEach(() => {
    tmp = scratch('shark-docker-precious-');
  });
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'p.lock.json'));
    tmp.cleanup();
  });

  it('shows the kept job cached and its reader to run, as run then finds', async () => {
    writeFileSync(join(tmp.dir, 'p.md'), doc(unique('before')));
    expect((await run('p.md', tmp.dir)).result.code).toBe(0);
    // The images of both marks are this test's own: the second is not built yet.
    const first = readFileSync(join(tmp.dir, 'p.lock.json'), 'utf8');
    writeFileSync(join(tmp.dir, 'p.md'), doc(unique('after')));

    const r = await shark(['plan', 'p.md', '--json'], tmp.dir);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(p.jobs.map((j) => [j.block, j.status, j.reasons])).toEqual([
      ['p', 'cached', []],
      ['p-3', 'cached', ['kept (precious): environment a changed (Dockerfile or copied files): will rebuild']],
      ['p-4', 'run', ['environment a changed (Dockerfile or copied files): will rebuild']],
    ]);

    // Named with --force, it runs with the rebuilt environment.
    const forced = JSON.parse((await shark(['plan', 'p.md', '--json', '--force', 'p-3'], tmp.dir)).stdout) as PlanJson;
    expect(forced.jobs[1]).toMatchObject({ block: 'p-3', status: 'run', reasons: ['environment a changed (Dockerfile or copied files): will rebuild'] });

    // What it reads will run too: kept all the same.
    writeFileSync(join(tmp.dir, 'p.md'), doc(unique('after'), 'two'));
    const both = JSON.parse((await shark(['plan', 'p.md', '--json'], tmp.dir)).stdout) as PlanJson;
    expect(both.jobs.map((j) => [j.block, j.status, j.reasons])).toEqual([
      ['p', 'run', ['command text changed']],
      ['p-3', 'cached', ['kept (precious): upstream will run (p)']],
      ['p-4', 'run', ['environment a changed (Dockerfile or copied files): will rebuild']],
    ]);

    const again = await run('p.md', tmp.dir);
    expect(again.result.code).toBe(0);
    expect(again.started).toEqual(['p', 'p-4']);
    removeBuiltImages(join(tmp.dir, 'p.lock.json'));
    writeFileSync(join(tmp.dir, 'p.lock.json'), first);
  });
});
