import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, dockerCli, lockOf, removeBuiltImages, run, scratch, shark, unique } from './rig.js';

interface PlanJson {
  jobs: { block: string; status: string; reasons: string[] }[];
  summary: { cached: number; run: number; blocked: number };
}

/** `plan` promises what `run` does: a locked image that was deleted is rebuilt, so its jobs are not "cached". */
describeDocker('plan after an environment\'s image was deleted (CLI)', () => {
  let tmp: ReturnType<typeof scratch>;
  beforeEach(() => {
    tmp = scratch('shark-docker-gone-');
    // A build of its own (the marker), so that deleting its image touches no other test's.
    writeFileSync(join(tmp.dir, 'p.md'), `# p

\`\`\`shark-build:a
FROM ${BASE}
RUN echo ${unique('gone')} > /marker
\`\`\`

\`\`\`shark-run
echo host > /data/host.txt
\`\`\`

\`\`\`shark-run:a
cat /data/host.txt /marker > /data/docker.txt
\`\`\`
`);
  });
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'p.lock.json'));
    tmp.cleanup();
  });

  const plan = async (env: Record<string, string> = {}): Promise<PlanJson> => {
    const r = await shark(['plan', 'p.md', '--json'], tmp.dir, env);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as PlanJson;
  };

  it('says the environment will be rebuilt and its jobs run, as run then does', async () => {
    expect((await run('p.md', tmp.dir)).result.code).toBe(0);
    const image = lockOf(join(tmp.dir, 'p.md')).environments.a!.image;
    dockerCli('rmi', image);

    const p = await plan();
    expect(p.jobs.map((j) => [j.block, j.status, j.reasons])).toEqual([
      ['p-2', 'cached', []],
      ['p-3', 'run', [`environment a: image ${image.slice('sha256:'.length, 'sha256:'.length + 12)} no longer exists: will rebuild`]],
    ]);
    expect(p.summary).toEqual({ cached: 1, run: 1, blocked: 0 });
    const human = await shark(['plan', 'p.md'], tmp.dir);
    expect(human.stdout).toMatch(/^run +p-3 +p\.md:\d+ +environment a: image [0-9a-f]{12} no longer exists: will rebuild$/m);

    // Without an engine to ask, plan trusts the lock, as documented.
    expect((await plan({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' })).summary).toEqual({ cached: 2, run: 0, blocked: 0 });

    const again = await run('p.md', tmp.dir);
    expect(again.result.code).toBe(0);
    expect(again.started).toEqual(['p-3']);
    expect((await plan()).summary).toEqual({ cached: 2, run: 0, blocked: 0 });
  });

  it('a lock naming an image this engine lacks (made on another machine), while it holds one of the same inputs: cached, as run finds', async () => {
    expect((await run('p.md', tmp.dir)).result.code).toBe(0);
    const lockPath = join(tmp.dir, 'p.lock.json');
    const lock = readFileSync(lockPath, 'utf8');
    const image = lockOf(join(tmp.dir, 'p.md')).environments.a!.image;
    writeFileSync(lockPath, lock.replace(image, `sha256:${'0'.repeat(64)}`));
    expect((await plan()).summary).toEqual({ cached: 2, run: 0, blocked: 0 });
    const again = await run('p.md', tmp.dir);
    expect(again.result.code).toBe(0);
    expect(again.started).toEqual([]);
  });
});
