import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { connectDocker } from '../../src/exec/docker/client.js';
import { DockerEnvironments } from '../../src/exec/docker/docker-environments.js';
import { pinBases } from '../../src/exec/docker/image-names.js';
import { createEnvironmentProvider, HOST_ENV_ID } from '../../src/exec/environments.js';
import { ALT, BASE, describeDocker, dockerCli, lockOf, pipelineIn, removeBuiltImages, request, scratch, unique, writeTree } from './rig.js';

const signal = new AbortController().signal;

/**
 * `mark` makes both environments new to the engine: an image built from the
 * same inputs before (another test, an earlier run of the suite) would be used
 * again, not built.
 */
function markdown(from: string, extra = '', mark = unique('env')): string {
  return `# Environments

\`\`\`shark-build:tools
FROM ${from}
ENV TEST_MARK=${mark}
COPY scripts/greet.sh /usr/local/bin/greet
RUN chmod +x /usr/local/bin/greet${extra}
\`\`\`

\`\`\`shark-build:calc
((from ${from})
 (env TEST_MARK ${mark})
 (run (shell "ls /sys/class/net > /opt-nets || (mkdir -p /opt && ls /sys/class/net > /opt/nets)"))
 (workdir /opt))
\`\`\`

\`\`\`shark-run:tools
greet > /data/greeting.txt
\`\`\`

\`\`\`shark-run:calc
wc -c < /data/greeting.txt > /data/count.txt
\`\`\`
`;
}

describeDocker('Docker environments', (client) => {
  let tmp: ReturnType<typeof scratch>;
  beforeAll(() => {
    tmp = scratch();
  });
  afterAll(() => tmp.cleanup());

  /** Every project's images are its own (`markdown`'s mark): untagged after the suite. */
  const builtFromUniqueTags: string[] = [];
  afterAll(() => builtFromUniqueTags.forEach(removeBuiltImages));

  const project = (from = BASE, extra = ''): { dir: string; path: string; provider: (update?: boolean) => DockerEnvironments } => {
    const dir = mkdtempSync(join(tmp.dir, 'p-'));
    writeTree(dir, { 'scripts/greet.sh': '#!/bin/sh\necho hello from tools\n' });
    const { path, pipeline } = pipelineIn(dir, markdown(from, extra));
    builtFromUniqueTags.push(path.replace(/\.md$/, '.lock.json'));
    return { dir, path, provider: (update = false) => new DockerEnvironments(pipeline, { pipelinePath: path, update }) };
  };

  it('builds once however many jobs ask, locks the result, and reuses it in the next run', async () => {
    const p = project();
    const first = p.provider();
    expect(first.current('tools')).toEqual({ missing: 'environment tools not built yet' });
    const ids = await Promise.all([1, 2, 3, 4, 5].map(() => first.ensure('tools', signal)));
    expect(first.builds).toBe(1);
    const id = ids[0]!;
    expect(ids.every((i) => JSON.stringify(i) === JSON.stringify(id))).toBe(true);
    expect(id).toEqual({ id: expect.stringMatching(/^docker:sha256:[0-9a-f]{64}$/) });
    const imageId = (id as { id: string }).id.slice('docker:'.length);

    const lock = lockOf(p.path);
    expect(lock.environments.tools).toEqual({
      bases: { [BASE]: await client.imageId(BASE) },
      image: imageId,
      inputs: expect.stringMatching(/^sha256:/),
    });
    expect(first.current('tools')).toEqual(id);

    // A new run (new provider) sees the lock: same id, nothing built.
    const second = p.provider();
    expect(second.current('tools')).toEqual(id);
    expect(await second.ensure('tools', signal)).toEqual(id);
    expect(second.builds).toBe(0);

    // The image really is the environment: its jobs see what the build put there.
    const req = request(tmp.dir, { script: 'greet > /data/out.txt' });
    expect(await second.executor('tools').run(req)).toEqual({ status: 'ok' });
    expect(readFileSync(join(req.workspace.root, 'data/out.txt'), 'utf8')).toBe('hello from tools\n');
  });

  it('rebuilds when a copied file changes, giving a different id, and says so in the plan', async () => {
    const p = project();
    const before = await p.provider().ensure('tools', signal);
    writeFileSync(join(p.dir, 'scripts/greet.sh'), '#!/bin/sh\necho hello again\n');
    const next = p.provider();
    expect(next.current('tools')).toEqual({ missing: 'environment tools changed (Dockerfile or copied files): will rebuild' });
    // The other environment copies nothing: untouched.
    expect(next.current('calc')).toEqual({ missing: 'environment calc not built yet' });
    const after = await next.ensure('tools', signal);
    expect(next.builds).toBe(1);
    expect(after).not.toEqual(before);
    expect(next.current('tools')).toEqual(after);
    // Reverting brings back the first image (the builder's cache), so old results are valid again.
    writeFileSync(join(p.dir, 'scripts/greet.sh'), '#!/bin/sh\necho hello from tools\n');
    expect(await p.provider().ensure('tools', signal)).toEqual(before);
  });

  it('builds OBuilder specs without network unless a run asks for it', async () => {
    const p = project();
    const provider = p.provider();
    expect(await provider.ensure('calc', signal)).toEqual({ id: expect.stringMatching(/^docker:sha256:/) });
    const req = request(tmp.dir, { script: 'cat /opt/nets /opt-nets > /data/nets.txt 2>/dev/null; pwd >> /data/nets.txt' });
    expect(await provider.executor('calc').run(req)).toEqual({ status: 'ok' });
    expect(readFileSync(join(req.workspace.root, 'data/nets.txt'), 'utf8')).toBe('lo\n/root\n');
  });

  it('lets an image that runs as another user than root write its outputs', async () => {
    const dir = mkdtempSync(join(tmp.dir, 'p-'));
    const { path, pipeline } = pipelineIn(dir, `\`\`\`shark-build:nobody
FROM ${BASE}
USER nobody
\`\`\`

\`\`\`shark-run:nobody
id -u > /data/out/uid.txt
\`\`\`
`);
    const provider = new DockerEnvironments(pipeline, { pipelinePath: path, update: false });
    const req = request(tmp.dir, { script: 'id -u > /data/out/uid.txt', outputs: ['/data/out/uid.txt'] });
    mkdirSync(join(req.workspace.root, 'data/out'), { recursive: true });
    expect(await provider.executor('nobody').run(req)).toEqual({ status: 'ok' });
    expect(readFileSync(join(req.workspace.root, 'data/out/uid.txt'), 'utf8')).toBe('65534\n');
  });

  it('reports a failed build with the tail of its log', async () => {
    const p = project(BASE, '\nRUN echo build-marker-7 && exit 7');
    const result = await p.provider().ensure('tools', signal);
    expect(result).toEqual({ error: expect.stringContaining('building environment tools failed') });
    const error = (result as { error: string }).error;
    expect(error).toContain('build-marker-7');
    expect(error).toMatch(/returned a non-zero code: 7/);
    expect(lockOf(p.path).environments.tools).toBeUndefined();
  });

  it('sends only the Dockerfile and the files COPY takes; the store and the lock never enter the image', async () => {
    const dir = mkdtempSync(join(tmp.dir, 'p-'));
    writeTree(dir, { 'a.txt': 'a\n', 'sub/b.txt': 'b\n', '.shark/objects/x': 'store\n', '_shark/published.txt': 'p\n' });
    const { path, pipeline } = pipelineIn(dir, `\`\`\`shark-build:all
FROM ${BASE}
COPY . /ctx/
\`\`\`

\`\`\`shark-run:all
ls -a /ctx /ctx/sub > /data/listing.txt
\`\`\`
`);
    const provider = new DockerEnvironments(pipeline, { pipelinePath: path, update: false });
    const id = await provider.ensure('all', signal);
    expect(id).toEqual({ id: expect.stringMatching(/^docker:/) });
    // Writing the lock must not make the environment look changed.
    expect(new DockerEnvironments(pipeline, { pipelinePath: path, update: false }).current('all')).toEqual(id);
    const req = request(tmp.dir, { script: 'ls -a /ctx /ctx/sub > /data/listing.txt' });
    expect(await provider.executor('all').run(req)).toEqual({ status: 'ok' });
    const listing = readFileSync(join(req.workspace.root, 'data/listing.txt'), 'utf8').split('\n').filter((l) => l !== '' && l !== '.' && l !== '..');
    expect(listing).toEqual(['/ctx:', 'a.txt', 'pipeline.md', 'sub', '/ctx/sub:', 'b.txt']);
  });

  it('notices a base tag that moved, keeps the locked base until --update, then moves the lock', async () => {
    const tag = `${BASE.replace(/:[^:/]*$/, '')}:${unique('drift')}`;
    dockerCli('tag', BASE, tag);
    try {
      const baseId = await client.imageId(BASE);
      const altId = await client.imageId(ALT);
      const p = project(tag);
      const built = await p.provider().ensure('tools', signal);
      expect(p.provider().notes()).toEqual([]);

      dockerCli('tag', ALT, tag);
      const plan = p.provider();
      const short = (id: string | undefined): string => id!.slice('sha256:'.length, 'sha256:'.length + 12);
      expect(plan.notes()).toEqual([`tools: base ${tag} moved ${short(baseId)} → ${short(altId)}; 1 step would run with --update`]);
      expect(plan.notes(new Map([['tools', 14]]))[0]).toMatch(/; 14 jobs would run with --update$/);
      // Without --update the locked image stays.
      expect(plan.current('tools')).toEqual(built);
      expect(await plan.ensure('tools', signal)).toEqual(built);
      expect(plan.builds).toBe(0);

      const update = p.provider(true);
      expect(update.current('tools')).toEqual({ missing: expect.stringContaining(`base ${tag} moved`) });
      const moved = await update.ensure('tools', signal);
      expect(update.builds).toBe(1);
      expect(moved).not.toEqual(built);
      const lock = lockOf(p.path);
      expect(lock.environments.tools!.bases).toEqual({ [tag]: altId });
      expect(p.provider().notes()).toEqual([]);
      const req = request(tmp.dir, { script: 'cat /etc/shark-alt > /data/alt.txt' });
      expect(await update.executor('tools').run(req)).toEqual({ status: 'ok' });
      // The image from before --update has lost its tag to the new one: built from a unique tag, nobody else has it.
      dockerCli('rmi', (built as { id: string }).id.slice('docker:'.length));
    } finally {
      dockerCli('rmi', '--no-prune', tag);
    }
  });

  it('says, when the image must be rebuilt and its locked base is gone from the engine, that it is built from what the tag names now', async () => {
    const tag = `${BASE.replace(/:[^:/]*$/, '')}:${unique('gone')}`;
    // A base of its own (a label makes a new image id), so that deleting it touches no other test.
    const ctx = mkdtempSync(join(tmp.dir, 'base-'));
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${BASE}\nLABEL gone=${unique('x')}\n`);
    dockerCli('build', '-q', '-t', tag, ctx);
    try {
      const p = project(tag);
      const built = await p.provider().ensure('tools', signal);
      const goneId = lockOf(p.path).environments.tools!.bases[tag]!;
      dockerCli('rmi', (built as { id: string }).id.slice('docker:'.length));
      dockerCli('tag', ALT, tag);
      dockerCli('rmi', goneId);
      const short = (id: string | undefined): string => id!.slice('sha256:'.length, 'sha256:'.length + 12);
      const altId = await client.imageId(ALT);
      expect(p.provider().current('tools')).toEqual({
        missing: expect.stringMatching(new RegExp(`no longer exists: will rebuild, from what ${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} names now \\(${short(altId)}\\): its locked base ${short(goneId)} is no longer on this machine$`)),
      });
      expect(p.provider().notes()).toEqual([`tools: base ${tag} moved ${short(goneId)} → ${short(altId)}; 1 step will run, rebuilt from it: the locked base is no longer on this machine`]);
    } finally {
      dockerCli('rmi', '--no-prune', tag);
    }
  });

  it('rebuilds a changed environment from the locked base, not from where the tag has moved', async () => {
    const tag = `${BASE.replace(/:[^:/]*$/, '')}:${unique('pin')}`;
    dockerCli('tag', BASE, tag);
    try {
      const p = project(tag);
      const first = await p.provider().ensure('tools', signal);
      dockerCli('tag', ALT, tag);
      writeFileSync(join(p.dir, 'scripts/greet.sh'), '#!/bin/sh\necho changed\n');
      onTestFinished(() => void dockerCli('rmi', '--force', (first as { id: string }).id.slice('docker:'.length)));
      const provider = p.provider();
      await provider.ensure('tools', signal);
      expect(provider.builds).toBe(1);
      const req = request(tmp.dir, { script: 'test ! -e /etc/shark-alt && greet > /data/out.txt' });
      expect(await provider.executor('tools').run(req)).toEqual({ status: 'ok' });
      expect(lockOf(p.path).environments.tools!.bases).toEqual({ [tag]: await client.imageId(BASE) });
    } finally {
      dockerCli('rmi', '--no-prune', tag);
    }
  });

  it('fails at once with the socket it tried and what to do when the engine is unreachable', async () => {
    const p = project();
    const dir = p.dir;
    const { pipeline } = pipelineIn(dir, markdown(BASE));
    const provider = new DockerEnvironments(pipeline, {
      pipelinePath: join(dir, 'pipeline.md'),
      update: false,
      connect: () => connectDocker({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }),
    });
    const t0 = Date.now();
    const result = await provider.ensure('tools', signal);
    expect(Date.now() - t0).toBeLessThan(6000);
    expect((result as { error: string }).error).toMatch(/cannot reach the Docker engine at unix:\/\/\/nonexistent\/docker.sock \(from DOCKER_HOST\)/);
    expect((result as { error: string }).error).toMatch(/Start the Docker engine/);
    // plan needs no engine
    expect(provider.current('tools')).toEqual({ missing: 'environment tools not built yet' });
    const outcome = await provider.executor('tools').run(request(tmp.dir, { script: 'true' }));
    expect(outcome).toEqual({ status: 'failed', reason: 'environment', exitCode: null, message: expect.stringContaining('cannot reach the Docker engine') });
  });

  it('skips drift notes silently when the engine cannot be asked', async () => {
    const tag = `${BASE.replace(/:[^:/]*$/, '')}:${unique('quiet')}`;
    dockerCli('tag', BASE, tag);
    const saved = process.env.DOCKER_HOST;
    try {
      const p = project(tag);
      await p.provider().ensure('tools', signal);
      dockerCli('tag', ALT, tag);
      process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
      const t0 = Date.now();
      expect(p.provider().notes()).toEqual([]);
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      dockerCli('rmi', '--no-prune', tag);
    }
  });
});

it('keeps host steps on the host and never loads Docker for them', async () => {
  const tmp = scratch();
  try {
    const { path, pipeline } = pipelineIn(tmp.dir, '```shark-run\necho hi > /data/x.txt\n```\n');
    const provider = createEnvironmentProvider(pipeline, { pipelinePath: path, update: false });
    expect(provider.current('')).toEqual({ id: HOST_ENV_ID });
    expect(await provider.ensure('', signal)).toEqual({ id: HOST_ENV_ID });
    expect(provider.notes()).toEqual([]);
  } finally {
    tmp.cleanup();
  }
});

it('pins FROM lines to locked ids, keeping stage names and flags', () => {
  const pins = new Map([['base:1', 'sha256:abc']]);
  expect(pinBases('FROM base:1 AS build\nRUN x\nfrom --platform=linux/amd64 base:1\nFROM build\nFROM other\n', pins))
    .toBe('FROM sha256:abc AS build\nRUN x\nfrom --platform=linux/amd64 sha256:abc\nFROM build\nFROM other\n');
});

it('pins the image a COPY --from names, not a stage', () => {
  const pins = new Map([['tools:1', 'sha256:abc']]);
  expect(pinBases('FROM b AS tools\nCOPY --from=tools /x /x\ncopy --chown=1 --from=tools:1 /y /y\n', pins))
    .toBe('FROM b AS tools\nCOPY --from=tools /x /x\ncopy --chown=1 --from=sha256:abc /y /y\n');
});

it('pins a FROM that names an ARG by the ARG\'s default', () => {
  const pins = new Map([['base:1', 'sha256:abc']]);
  expect(pinBases('ARG IMG=base:1\nFROM $IMG AS build\nFROM ${IMG}\nFROM build\n', pins, { IMG: 'base:1' }))
    .toBe('ARG IMG=base:1\nFROM sha256:abc AS build\nFROM sha256:abc\nFROM build\n');
});
