import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, dockerCli, removeBuiltImages, run, scratch, shark, SHARK, unique } from './rig.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NO_DOCKER = 'unix:///nonexistent/docker.sock';

interface PlanJson {
  jobs: { block: string; line: number; status: string; reasons: string[] }[];
  summary: { cached: number; run: number; blocked: number };
  notes?: string[];
}

async function plan(file: string, cwd: string, env: Record<string, string> = {}): Promise<PlanJson> {
  const r = await shark(['plan', file, '--json'], cwd, env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

describeDocker('shark run/plan with container environments (CLI)', (client) => {
  let tmp: ReturnType<typeof scratch>;
  let file: string;
  beforeEach(() => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is not built: run `npx tsc -p tsconfig.json` (npm test does)');
    tmp = scratch('shark-docker-cli-');
    mkdirSync(join(tmp.dir, 'scripts'));
    copyFileSync(join(ROOT, 'pipelines', 'scripts', 'count-words.sh'), join(tmp.dir, 'scripts', 'count-words.sh'));
    file = join(tmp.dir, 'two-envs.md');
    writeFileSync(file, readFileSync(join(ROOT, 'pipelines', 'two-envs.md'), 'utf8').replaceAll('shark-test/busybox:latest', BASE));
  });
  afterEach(() => tmp.cleanup());

  const edit = (from: string, to: string): void => {
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(from);
    writeFileSync(file, text.replace(from, to));
  };

  it('runs pipelines/two-envs.md across both environments, and a second run executes nothing', async () => {
    const first = await run('two-envs.md', tmp.dir);
    expect(first.result.code, first.result.stderr + first.result.stdout).toBe(0);
    expect(first.started).toEqual(['the-steps', 'the-steps-2', 'the-steps-3', 'the-steps-4']);
    expect(readFileSync(join(tmp.dir, '_shark', 'report.md'), 'utf8')).toBe('# Word report\n- the: 3\n- dog: 2\n- brown: 1\n');
    const lock = JSON.parse(readFileSync(join(tmp.dir, 'two-envs.lock.json'), 'utf8')) as { environments: Record<string, { image: string }> };
    expect(Object.keys(lock.environments).sort()).toEqual(['report', 'text']);

    const second = await run('two-envs.md', tmp.dir);
    expect(second.result.code).toBe(0);
    expect(second.started).toEqual([]);
    expect((await plan('two-envs.md', tmp.dir)).summary).toEqual({ cached: 4, run: 0, blocked: 0 });
  });

  it('re-runs exactly the steps on an environment whose Dockerfile changed', async () => {
    expect((await run('two-envs.md', tmp.dir)).result.code).toBe(0);
    // A change to `report` that leaves its output as it was: only its step runs (downstream stays cached).
    // An edition of its own: an image built from the same block before (an earlier run of the suite) would be used again, not built.
    edit('(workdir /opt/report)', `(workdir /opt/report)\n (env REPORT_EDITION "${unique('edition')}")`);
    const p = await plan('two-envs.md', tmp.dir);
    expect(p.jobs.filter((j) => j.status !== 'cached').map((j) => [j.block, j.status, j.reasons])).toEqual([
      ['the-steps-3', 'run', ['environment report changed (Dockerfile or copied files): will rebuild']],
      // The plan cannot know the output will come out the same; the run finds out (early cutoff).
      ['the-steps-4', 'blocked', ['upstream will run (the-steps-3)']],
    ]);
    const again = await run('two-envs.md', tmp.dir);
    expect(again.result.code).toBe(0);
    expect(again.started).toEqual(['the-steps-3']);
    // The run says which image it built and which it found (`env-ready`): the text said only `checking the image`.
    const ready = again.result.stdout.split('\n').filter((l) => l.includes('"env-ready"')).map((l) => JSON.parse(l) as { env: string; built: boolean; image: string; seconds?: number });
    expect(ready.map((e) => [e.env, e.built, /^[0-9a-f]{12}$/.test(e.image), e.seconds !== undefined])).toEqual([['text', false, true, false], ['report', true, true, true]]);

    // The copied script is part of `text`: all its steps run again (and the report, whose input changed).
    writeFileSync(join(tmp.dir, 'scripts', 'count-words.sh'), readFileSync(join(tmp.dir, 'scripts', 'count-words.sh'), 'utf8') + '# edited\n');
    const third = await run('two-envs.md', tmp.dir);
    expect(third.result.code).toBe(0);
    expect(third.started).toEqual(['the-steps', 'the-steps-2', 'the-steps-4']);
  });

  it('plans without Docker and says which environments are not built yet', async () => {
    const p = await plan('two-envs.md', tmp.dir, { DOCKER_HOST: NO_DOCKER });
    expect(p.summary.cached).toBe(0);
    const reasons = p.jobs.flatMap((j) => j.reasons);
    expect(reasons).toContain('environment text not built yet');
    expect(p.jobs.find((j) => j.block === 'the-steps')!.status).toBe('run');

    // After a build, plan without Docker trusts the lock.
    expect((await run('two-envs.md', tmp.dir)).result.code).toBe(0);
    expect((await plan('two-envs.md', tmp.dir, { DOCKER_HOST: NO_DOCKER })).summary).toEqual({ cached: 4, run: 0, blocked: 0 });
  });

  it('runs without Docker when the lock holds every job cached, and fails only a job that must run', async () => {
    expect((await run('two-envs.md', tmp.dir)).result.code).toBe(0);
    rmSync(join(tmp.dir, '_shark'), { recursive: true, force: true });
    const cached = await shark(['run', 'two-envs.md'], tmp.dir, { DOCKER_HOST: NO_DOCKER });
    expect(cached.code, cached.stdout + cached.stderr).toBe(0);
    // Not "found": the engine was never asked; the image is the lock file's, said so.
    expect(cached.stdout).not.toContain('found, built before');
    expect(cached.stdout).toMatch(/^environment text: image [0-9a-f]{12} as the lock file names it, unchecked \(the engine is unreachable: a job that must run in it fails\)$/m);
    expect(readFileSync(join(tmp.dir, '_shark', 'report.md'), 'utf8')).toContain('- the: ');

    edit('wc -l < /data/report.md', 'wc -c < /data/report.md');
    const r = await run('two-envs.md', tmp.dir, [], { DOCKER_HOST: NO_DOCKER });
    expect(r.result.code).toBe(1);
    expect(r.started).toEqual(['the-steps-4']);
    expect(r.result.stdout + r.result.stderr).toContain(`cannot reach the Docker engine at ${NO_DOCKER} (from DOCKER_HOST)`);
  });

  it('fails at once, before running anything, when the engine is unreachable', async () => {
    const t0 = Date.now();
    const r = await run('two-envs.md', tmp.dir, [], { DOCKER_HOST: NO_DOCKER });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.result.code).not.toBe(0);
    expect(r.started).toEqual([]);
    const said = r.result.stdout + r.result.stderr;
    expect(said).toContain(`cannot reach the Docker engine at ${NO_DOCKER} (from DOCKER_HOST)`);
    expect(said).toContain('Start the Docker engine');
    // Pretty output names the shark-build block.
    const pretty = await shark(['run', 'two-envs.md'], tmp.dir, { DOCKER_HOST: NO_DOCKER });
    expect(pretty.code).not.toBe(0);
    expect(pretty.stdout + pretty.stderr).toMatch(/two-envs\.md:\d+:\d+: error: cannot reach the Docker engine/);
  });

  it('reports a failed build at its shark-build block with the tail of the build log', async () => {
    edit('RUN chmod 755 /usr/local/bin/count-words', 'RUN chmod 755 /usr/local/bin/count-words\nRUN echo cli-build-marker && false');
    const r = await shark(['run', 'two-envs.md'], tmp.dir);
    expect(r.code).not.toBe(0);
    const said = r.stdout + r.stderr;
    expect(said).toMatch(/two-envs\.md:17:\d+: error: building environment text failed/);
    expect(said).toContain('cli-build-marker');
  });

  it('on Ctrl-C kills and removes the running job containers', async () => {
    writeFileSync(file, `\`\`\`shark-build:slow
FROM ${BASE}
\`\`\`

\`\`\`shark-run:slow
sleep 120; echo late > /data/late.txt
\`\`\`
`);
    const child = spawn(process.execPath, [SHARK, 'run', 'two-envs.md', '--json'], { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    let out = '';
    await new Promise<void>((started, fail) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('"job-start"')) started();
      });
      child.on('close', () => fail(new Error(`shark ended before the job started:\n${out}`)));
    });
    // Give the container a moment to exist, then interrupt as a terminal would.
    await new Promise((r) => setTimeout(r, 1000));
    const label = `shark.pid=${child.pid}`;
    expect((await client.containersWithLabel(label)).length).toBe(1);
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await closed;
    expect(code).not.toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(await client.containersWithLabel(label)).toEqual([]);
  });

  it('reports a moved base tag in the plan, keeps the locked image, and moves with --update', async () => {
    const tag = `${BASE.replace(/:[^:/]*$/, '')}:${unique('cli-drift')}`;
    dockerCli('tag', BASE, tag);
    try {
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll(BASE, tag));
      expect((await run('two-envs.md', tmp.dir)).result.code).toBe(0);
      dockerCli('tag', BASE.replace(/:[^:/]*$/, '') + ':alt', tag);
      const p = await plan('two-envs.md', tmp.dir);
      expect(p.summary).toEqual({ cached: 4, run: 0, blocked: 0 });
      expect(p.notes?.join('\n')).toMatch(new RegExp(`text: base ${tag.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} moved [0-9a-f]{12} → [0-9a-f]{12}`));
      expect((await run('two-envs.md', tmp.dir)).started).toEqual([]);
      const lockPath = join(tmp.dir, 'two-envs.lock.json');
      const before = Object.values((JSON.parse(readFileSync(lockPath, 'utf8')) as { environments: Record<string, { image: string }> }).environments).map((e) => e.image);
      const updated = await run('two-envs.md', tmp.dir, ['--update']);
      expect(updated.result.code).toBe(0);
      expect(updated.started.length).toBeGreaterThan(0);
      expect((await plan('two-envs.md', tmp.dir)).notes ?? []).toEqual([]);
      // The images from before --update lost their tags; built from a unique tag, nobody else has them.
      for (const id of before) dockerCli('rmi', id);
    } finally {
      removeBuiltImages(join(tmp.dir, 'two-envs.lock.json'));
      dockerCli('rmi', '--no-prune', tag);
    }
  });
});

it('keeps the example pipeline pointing at the CI base image', () => {
  expect(readFileSync(join(ROOT, 'pipelines', 'two-envs.md'), 'utf8')).toContain('FROM shark-test/busybox:latest');
});
