import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ALT, BASE, describeDocker, dockerCli, lockOf, run, scratch, shark, unique } from './rig.js';

interface PlanJson {
  jobs: { block: string; status: string; reasons: string[] }[];
  summary: { cached: number; run: number; blocked: number };
}

/**
 * `plan` finds the image `run` uses when the lock names another one: one
 * Shark built from the same block before (an edit reverted), or for another
 * copy of the document (`run -o out.md`, a checkout), still tagged
 * `shark-env/NAME:INPUTS`. It promises `cached` exactly when `run` finds it.
 */
describeDocker('plan and run with an image built earlier from the same block (CLI)', () => {
  let tmp: ReturnType<typeof scratch>;
  let env: string;
  let base: string;
  const marker = unique('tagged');
  beforeEach(() => {
    tmp = scratch('shark-docker-tagged-');
    env = unique('tg');
    // A base tag of its own, so that moving it touches no other test.
    base = `${BASE.replace(/:[^:/]*$/, '')}:${unique('tagged')}`;
    dockerCli('tag', BASE, base);
  });
  afterEach(() => {
    for (const tag of dockerCli('images', '--filter', `reference=shark-env/${env}*`, '--format', '{{.Repository}}:{{.Tag}}').split('\n')) {
      if (tag !== '') dockerCli('rmi', tag);
    }
    dockerCli('rmi', '--no-prune', base);
    tmp.cleanup();
  });

  const pipeline = (text: string): string => `# p

\`\`\`shark-build:${env}
FROM ${base}
RUN echo ${marker} ${text} > /marker
\`\`\`

\`\`\`shark-run
echo host > /data/host.txt
\`\`\`

\`\`\`shark-run:${env}
cat /data/host.txt /marker > /data/docker.txt
\`\`\`
`;

  const plan = async (file: string): Promise<PlanJson> => {
    const r = await shark(['plan', file, '--json'], tmp.dir);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as PlanJson;
  };

  it('after an edit of the build block is reverted: cached, and run neither rebuilds nor runs', async () => {
    const file = join(tmp.dir, 'p.md');
    writeFileSync(file, pipeline('one'));
    expect((await run('p.md', tmp.dir)).result.code).toBe(0);
    const first = lockOf(file).environments[env]!.image;
    writeFileSync(file, pipeline('two'));
    expect((await run('p.md', tmp.dir)).started).toEqual(['p-3']);
    writeFileSync(file, pipeline('one'));

    const p = await plan('p.md');
    expect(p.jobs.map((j) => [j.block, j.status, j.reasons])).toEqual([['p-2', 'cached', []], ['p-3', 'cached', []]]);
    const again = await run('p.md', tmp.dir);
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(again.started).toEqual([]);
    // The lock names the image used again, and the base it was built from.
    expect(lockOf(file).environments[env]).toMatchObject({ image: first, bases: { [base]: dockerCli('image', 'inspect', '--format', '{{.Id}}', BASE) } });
  });

  it('for a copy of the document: cached, as run finds; not once the base tag has moved', async () => {
    writeFileSync(join(tmp.dir, 'p.md'), pipeline('one'));
    expect((await run('p.md', tmp.dir)).result.code).toBe(0);
    copyFileSync(join(tmp.dir, 'p.md'), join(tmp.dir, 'copy.md'));
    expect((await plan('copy.md')).summary).toEqual({ cached: 2, run: 0, blocked: 0 });
    expect((await run('copy.md', tmp.dir)).started).toEqual([]);

    // A rebuild would start from where the tag points now: the image built from the old base is not the one run uses.
    copyFileSync(join(tmp.dir, 'p.md'), join(tmp.dir, 'moved.md'));
    dockerCli('tag', ALT, base);
    const moved = await plan('moved.md');
    expect(moved.jobs.map((j) => [j.block, j.status, j.reasons])).toEqual([
      ['p-2', 'cached', []],
      ['p-3', 'run', [`environment ${env} not built yet`]],
    ]);
    expect((await run('moved.md', tmp.dir)).started).toEqual(['p-3']);
  });

  it('gives environments whose names differ only in case an image each, each found again', async () => {
    const upper = env.toUpperCase();
    const twins = `# p

\`\`\`shark-build:${env}
FROM ${base}
RUN echo ${marker} > /marker
\`\`\`

\`\`\`shark-build:${upper}
FROM ${base}
RUN echo ${marker} > /marker
\`\`\`

\`\`\`shark-run:${env}
cat /marker > /data/lower.txt
\`\`\`

\`\`\`shark-run:${upper}
cat /marker > /data/upper.txt
\`\`\`
`;
    const file = join(tmp.dir, 'p.md');
    writeFileSync(file, twins);
    const first = await run('p.md', tmp.dir);
    expect(first.result.code, first.result.stderr).toBe(0);
    const lock = lockOf(file).environments;
    expect(lock[env]!.image).not.toBe(lock[upper]!.image);
    for (const name of [env, upper]) expect(dockerCli('image', 'inspect', '--format', '{{index .Config.Labels "shark.env"}}', lock[name]!.image)).toBe(name);
    // Unchanged, each is used again: by the lock, and for a copy of the document by its tag.
    expect((await run('p.md', tmp.dir)).started).toEqual([]);
    copyFileSync(file, join(tmp.dir, 'copy.md'));
    expect((await plan('copy.md')).summary).toEqual({ cached: 2, run: 0, blocked: 0 });
    expect((await run('copy.md', tmp.dir)).started).toEqual([]);
    expect(lockOf(join(tmp.dir, 'copy.md')).environments).toEqual(lock);
  });
});
