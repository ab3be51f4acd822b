import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { containerSpec, DockerExecutor, JOB_LABEL, shellCommand, workdirOf } from '../../src/exec/docker/docker-executor.js';
import { BASE, describeDocker, request, scratch } from './rig.js';

describeDocker('Docker executor (contract)', (client) => {
  let tmp: ReturnType<typeof scratch>;
  let image: string;
  let executor: DockerExecutor;
  beforeAll(async () => {
    tmp = scratch();
    image = (await client.imageId(BASE))!;
    expect(image).toMatch(/^sha256:/);
    executor = new DockerExecutor(async () => ({ ok: true, client, image }));
  });
  afterAll(() => tmp.cleanup());

  const leftovers = (label: string): Promise<string[]> => client.containersWithLabel(`shark.label=${label}`);

  it('runs the script in a fresh container, writes outputs under /data, captures stdout and stderr, and removes the container', async () => {
    const req = request(tmp.dir, { script: 'echo out-line; echo err-line >&2; mkdir -p /data/out && echo hello > /data/out/x.txt', outputs: ['/data/out'] });
    expect(await executor.run(req)).toEqual({ status: 'ok' });
    expect(readFileSync(join(req.workspace.root, 'data/out/x.txt'), 'utf8')).toBe('hello\n');
    const log = readFileSync(req.logPath, 'utf8');
    expect(log).toContain('out-line');
    expect(log).toContain('err-line');
    expect(await leftovers(req.label)).toEqual([]);
    // The store takes outputs by renaming them.
    renameSync(join(req.workspace.root, 'data/out'), join(req.workspace.root, 'moved'));
    expect(existsSync(join(req.workspace.root, 'moved/x.txt'))).toBe(true);
  });

  it('mounts inputs read-only at their /data paths', async () => {
    const ok = request(tmp.dir, { script: 'cat /data/in/a.txt > /data/copy.txt', inputs: { '/data/in/a.txt': 'input\n' } });
    expect(await executor.run(ok)).toEqual({ status: 'ok' });
    expect(readFileSync(join(ok.workspace.root, 'data/copy.txt'), 'utf8')).toBe('input\n');

    // Root in the container, and the file's mode would not stop root: only the read-only mount does.
    const write = request(tmp.dir, { script: 'echo changed > /data/in/a.txt', inputs: { '/data/in/a.txt': 'input\n' } });
    const outcome = await executor.run(write);
    expect(outcome.status).toBe('failed');
    expect(readFileSync(write.logPath, 'utf8')).toMatch(/read-only/i);
    expect(readFileSync(join(write.workspace.root, 'data/in/a.txt'), 'utf8')).toBe('input\n');
  });

  it('mounts nothing from the host but the job\'s /data and its inputs', async () => {
    const req = request(tmp.dir, {
      script: "awk '{print $5}' /proc/self/mountinfo | grep -v -E '^/(proc|sys|dev)(/|$)' | sort > /data/mounts.txt",
      inputs: { '/data/in/a.txt': 'a\n' },
    });
    expect(await executor.run(req)).toEqual({ status: 'ok' });
    const mounts = readFileSync(join(req.workspace.root, 'data/mounts.txt'), 'utf8').trim().split('\n');
    // Docker's own: the root filesystem and the per-container /etc/{hosts,hostname,resolv.conf}.
    expect(mounts.filter((m) => !['/', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf'].includes(m))).toEqual(['/data', '/data/in/a.txt']);
  });

  it('has no network unless the step asks for it', async () => {
    const off = request(tmp.dir, { script: 'ls /sys/class/net > /data/nets.txt' });
    expect(await executor.run(off)).toEqual({ status: 'ok' });
    expect(readFileSync(join(off.workspace.root, 'data/nets.txt'), 'utf8').trim().split('\n')).toEqual(['lo']);

    const on = request(tmp.dir, { script: 'ls /sys/class/net > /data/nets.txt', network: true });
    expect(await executor.run(on)).toEqual({ status: 'ok' });
    expect(readFileSync(join(on.workspace.root, 'data/nets.txt'), 'utf8').trim().split('\n')).toContain('eth0');
  });

  it('reports a failing command by its exit status and still removes the container', async () => {
    const req = request(tmp.dir, { script: 'echo about-to-fail; exit 3' });
    expect(await executor.run(req)).toMatchObject({ status: 'failed', exitCode: 3, message: 'exit status 3' });
    expect(readFileSync(req.logPath, 'utf8')).toContain('about-to-fail');
    expect(await leftovers(req.label)).toEqual([]);
  });

  it('kills and removes the container on cancel', async () => {
    const controller = new AbortController();
    const req = request(tmp.dir, { script: 'echo started; sleep 60', signal: controller.signal });
    const t0 = Date.now();
    const running = executor.run(req);
    setTimeout(() => controller.abort(), 700);
    expect(await running).toEqual({ status: 'cancelled' });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(await leftovers(req.label)).toEqual([]);
  });

  it('does not start anything when cancelled before it begins', async () => {
    const controller = new AbortController();
    controller.abort();
    const req = request(tmp.dir, { script: 'echo never > /data/never.txt', signal: controller.signal });
    expect(await executor.run(req)).toEqual({ status: 'cancelled' });
    expect(existsSync(join(req.workspace.root, 'data/never.txt'))).toBe(false);
  });

  it('stops a job at its timeout and removes the container', async () => {
    const req = request(tmp.dir, { script: 'sleep 60', timeout: 1 });
    const t0 = Date.now();
    expect(await executor.run(req)).toEqual({ status: 'timeout', message: 'timed out after 1s' });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(await leftovers(req.label)).toEqual([]);
  });

  it('runs in the frontmatter path (created when the image lacks it), honours cd, and sets the environment', async () => {
    const base = request(tmp.dir, { script: 'pwd > /data/pwd.txt; echo "$GREETING" > /data/env.txt', env: { GREETING: 'hi there' } });
    const req = { ...base, containerWorkdir: '/work/project' };
    expect(await executor.run(req)).toEqual({ status: 'ok' });
    expect(readFileSync(join(req.workspace.root, 'data/pwd.txt'), 'utf8')).toBe('/work/project\n');
    expect(readFileSync(join(req.workspace.root, 'data/env.txt'), 'utf8')).toBe('hi there\n');

    const sub = { ...request(tmp.dir, { script: 'pwd > /data/pwd.txt', cwd: 'sub/dir' }), containerWorkdir: '/work' };
    expect(await executor.run(sub)).toEqual({ status: 'ok' });
    expect(readFileSync(join(sub.workspace.root, 'data/pwd.txt'), 'utf8')).toBe('/work/sub/dir\n');
  });

  it('runs a script longer than one argument may be (128 KiB on Linux), with the owner fix', async () => {
    const long = 'x'.repeat(300_000);
    const req = request(tmp.dir, { script: `printf '%s\\n' ${long} > /data/long.txt\necho "$#:$0" >> /data/long.txt`, outputs: ['/data/long.txt'] });
    for (const fix of [undefined, { uid: process.getuid!(), gid: process.getgid!() }]) {
      const container = await client.createContainer(containerSpec(req, image, fix));
      await container.start();
      expect(await container.wait()).toBe(0);
      await container.remove();
      expect(readFileSync(join(req.workspace.root, 'data/long.txt'), 'utf8')).toBe(`${long}\n0:/bin/sh\n`);
    }
  });

  it('runs jobs side by side without mixing their logs', async () => {
    const reqs = [1, 2, 3, 4].map((n) => request(tmp.dir, { script: `echo job-${n}; echo ${n} > /data/n.txt` }));
    const outcomes = await Promise.all(reqs.map((r) => executor.run(r)));
    expect(outcomes.every((o) => o.status === 'ok')).toBe(true);
    reqs.forEach((r, i) => expect(readFileSync(r.logPath, 'utf8')).toBe(`job-${i + 1}\n`));
  });

  it('labels every job container so leftovers of a killed run can be found', async () => {
    const spec = containerSpec(request(tmp.dir, { script: 'true' }), image, undefined);
    expect(spec.labels[JOB_LABEL]).toBe('1');
  });
});

// Pure parts: no engine needed.
it('chooses the working directory: absolute cd, cd relative to path:, else path:', () => {
  expect(workdirOf({ cwd: undefined, containerWorkdir: '/root' })).toBe('/root');
  expect(workdirOf({ cwd: '/data/x', containerWorkdir: '/root' })).toBe('/data/x');
  expect(workdirOf({ cwd: 'a/../b', containerWorkdir: '/work' })).toBe('/work/b');
});

it('passes a long script in pieces of less than 128 KiB each, no character cut in two', () => {
  expect(shellCommand('echo short')).toEqual(['/bin/sh', '-c', 'echo short']);
  const script = `echo ${'é😀'.repeat(40_000)}`;
  const [sh, c, join, zero, ...pieces] = shellCommand(script);
  expect([sh, c, zero]).toEqual(['/bin/sh', '-c', '/bin/sh']);
  expect(join).toContain('eval');
  expect(pieces.length).toBeGreaterThan(1);
  expect(pieces.join('')).toBe(script);
  for (const p of pieces) {
    expect(Buffer.byteLength(p)).toBeLessThan(128 * 1024);
    expect(Buffer.from(p).toString()).toBe(p);
  }
});

it('hands outputs back to a non-root caller, quoting their paths', () => {
  const tmp = scratch();
  try {
    const req = request(tmp.dir, { script: 'echo x > "/data/a b/o\'k.txt"', outputs: ["/data/a b/o'k.txt"] });
    const spec = containerSpec(req, 'sha256:x', { uid: 1000, gid: 100 });
    expect(spec.cmd[0]).toBe('/bin/sh');
    // The job in a subshell, the hand-back after it: the job's own exec or trap cannot take its place.
    expect(spec.cmd[2]).toBe(`(\necho x > "/data/a b/o'k.txt"\n)\nshark_status=$?\n{ chown -R 1000:100 '/data/a b/o'\\''k.txt'; chown 1000:100 '/data/a b'; } 2>/dev/null\nexit $shark_status`);
    const plain = containerSpec(req, 'sha256:x', undefined);
    expect(plain.cmd).toEqual(['/bin/sh', '-c', `echo x > "/data/a b/o'k.txt"`]);
    expect(plain.mounts).toEqual([{ source: `${req.workspace.root}/data`, target: '/data', readOnly: false }]);
    expect(plain.network).toBe(false);
  } finally {
    tmp.cleanup();
  }
});
