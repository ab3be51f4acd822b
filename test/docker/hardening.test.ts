import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { containerSpec, DockerExecutor } from '../../src/exec/docker/docker-executor.js';
import { BASE, describeDocker, request, scratch } from './rig.js';

/** The capability numbers of linux/capability.h that a job keeps, as the kernel shows them in /proc. */
const KEPT = { CHOWN: 0, DAC_OVERRIDE: 1, FOWNER: 3, KILL: 5, SETGID: 6, SETUID: 7 };
const MASK = Object.values(KEPT).reduce((m, bit) => m | (1n << BigInt(bit)), 0n).toString(16).padStart(16, '0');

/** What a job can do to the host, seen from inside its container. */
describeDocker('Docker executor: what a job container may do', (client) => {
  let tmp: ReturnType<typeof scratch>;
  let image: string;
  let executor: DockerExecutor;
  beforeAll(async () => {
    tmp = scratch();
    image = (await client.imageId(BASE))!;
    executor = new DockerExecutor(async () => ({ ok: true, client, image }));
  });
  afterAll(() => tmp.cleanup());

  /** Runs `script` as a job and returns what it wrote to /data/out.txt. */
  const inJob = async (script: string, timeout?: number): Promise<string> => {
    const req = request(tmp.dir, { script: `{ ${script}; } > /data/out.txt 2>&1`, ...(timeout !== undefined ? { timeout } : {}) });
    const outcome = await executor.run(req);
    const out = readFileSync(join(req.workspace.root, 'data/out.txt'), 'utf8');
    expect(outcome, out).toEqual({ status: 'ok' });
    return out;
  };

  it('keeps only the documented capabilities, in every set', async () => {
    const caps = await inJob("grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status");
    expect(caps).toBe(`CapPrm:\t${MASK}\nCapEff:\t${MASK}\nCapBnd:\t${MASK}\n`);
    // What the dropped ones would allow: making device nodes, changing the network, mounting.
    const refused = await inJob('mknod /tmp/sda b 8 0 && echo mknod; ip link add dummy0 type dummy 2>/dev/null && echo net; mount -t tmpfs none /mnt 2>/dev/null && echo mount; echo end');
    expect(refused).not.toMatch(/^(mknod|net|mount)$/m);
  });

  it('gains no privileges through setuid programs (no-new-privileges)', async () => {
    expect(await inJob("grep '^NoNewPrivs' /proc/self/status")).toBe('NoNewPrivs:\t1\n');
  });

  it('lets root in the container still do ordinary root work: own, read, signal, switch user', async () => {
    const out = await inJob([
      'echo x > /data/f && chown 65534:65534 /data/f && chmod 000 /data/f',
      'cat /data/f', // DAC_OVERRIDE: root reads a file it may not
      'chmod 644 /data/f && stat -c %u:%a /data/f', // FOWNER: root changes another user's file
      'su -s /bin/sh nobody -c "id -u"', // SETUID, SETGID: run a tool as an unprivileged user
      'su -s /bin/sh nobody -c "exec sleep 30" & sleep 0.3; kill $(pidof sleep) && echo killed', // KILL: stop another user's process
    ].join('; '));
    expect(out).toBe('x\n65534:644\n65534\nkilled\n');
  });

  it('hands outputs back to the calling user with only those capabilities (the owner fix)', async () => {
    const req = request(tmp.dir, { script: 'mkdir -p /data/out/sub && echo x > /data/out/sub/f', outputs: ['/data/out'] });
    const container = await client.createContainer(containerSpec(req, image, { uid: 4321, gid: 4322 }));
    try {
      await container.start();
      expect(await container.wait()).toBe(0);
    } finally {
      await container.remove();
    }
    const st = statSync(join(req.workspace.root, 'data/out/sub/f'));
    expect(`${st.uid}:${st.gid}`).toBe('4321:4322');
  });

  it.each([
    ['exec echo x > /data/out/f'],
    ["tmp=$(mktemp -d); trap 'rm -rf \"$tmp\"' EXIT; echo x > /data/out/f"],
    ['echo x > /data/out/f; exit 3'],
  ])('hands outputs back after a job that runs %s (its own exec or trap replaced the hand-back), keeping its status', async (script) => {
    const req = request(tmp.dir, { script, outputs: ['/data/out'] });
    mkdirSync(join(req.workspace.root, 'data/out'), { recursive: true });
    const container = await client.createContainer(containerSpec(req, image, { uid: 4321, gid: 4322 }));
    try {
      await container.start();
      expect(await container.wait()).toBe(script.endsWith('exit 3') ? 3 : 0);
    } finally {
      await container.remove();
    }
    const st = statSync(join(req.workspace.root, 'data/out/f'));
    expect(`${st.uid}:${st.gid}`).toBe('4321:4322');
  });

  it('bounds the number of processes, so a fork bomb stops at the limit', async () => {
    const max = await inJob('cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max');
    expect(max).toBe('4096\n');
    // Try for more than the limit: past it, forks fail in the container instead of starving the host.
    // Each started process is counted with a builtin (no fork), then all are killed so the job can end.
    const started = await inJob(': > /data/n; ( i=0; while [ $i -lt 4200 ]; do sleep 60 & echo >> /data/n; i=$((i+1)); done ) 2>/dev/null; kill -9 -1; sleep 1; wc -l < /data/n', 60);
    expect(Number(started.trim())).toBeLessThan(4096);
    expect(Number(started.trim())).toBeGreaterThan(4000);
  }, 90_000);

  it('sees no socket of the host anywhere in its file system', async () => {
    const sockets = await inJob('find / \\( -path /proc -o -path /sys \\) -prune -o -type s -print');
    expect(sockets).toBe('');
  });
});
