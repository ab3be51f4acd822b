import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { reapDeadOwners, reapJobContainers } from '../../src/exec/docker/reap.js';
import { BASE, describeDocker, dockerCli, scratch, SHARK, unique } from './rig.js';

/** The pid of a process that has come and gone: no live process owns it. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describeDocker('reaping the containers of a dead run', (client) => {
  const mark = unique('reap');
  /** A sleeping container labelled as a job of `pid` (as the executor labels them), tagged with this test's mark. */
  const jobContainer = (pid: number, labels: Record<string, string> = { 'shark.job': '1' }): string =>
    dockerCli('run', '-d', '--label', `shark.test=${mark}`, '--label', `shark.pid=${pid}`, '--label', `shark.host=${hostname()}`,
      ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]), BASE, 'sleep', '300');
  const alive = async (): Promise<string[]> => (await client.containersWithLabel(`shark.test=${mark}`)).sort();
  afterAll(async () => {
    for (const id of await alive()) dockerCli('rm', '-f', id);
  });

  it('kills and removes every job container of the given run, and nothing else', async () => {
    // The given run is a live process: runs starting in other test files reap only dead owners' containers, so none of these.
    const owner = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      const mine = [jobContainer(owner.pid!), jobContainer(owner.pid!)];
      const otherRun = jobContainer(process.pid);
      const notAJob = jobContainer(owner.pid!, {});
      expect(await reapJobContainers(owner.pid!)).toBe(2);
      const left = await alive();
      for (const id of mine) expect(left).not.toContain(id);
      expect(left).toEqual(expect.arrayContaining([otherRun, notAJob]));
      expect(await reapJobContainers(owner.pid!)).toBe(0);
    } finally {
      owner.kill();
    }
  });

  it('reaps the containers of runs that are no longer alive, and leaves live runs alone', async () => {
    const dead = deadPid();
    const orphan = jobContainer(dead);
    const live = jobContainer(process.pid);
    const elsewhere = jobContainer(dead, { 'shark.job': '1', 'shark.host': 'some-other-host' });
    // As above: a run starting in another test file may reap the orphan first, even between a look and the reaping: what counts is that it is gone.
    expect(await reapDeadOwners()).toBeGreaterThanOrEqual(0);
    const left = await alive();
    expect(left).not.toContain(orphan);
    // A pid means nothing on another host: its run may well be alive there.
    expect(left).toEqual(expect.arrayContaining([live, elsewhere]));
  });

  it('answers 0 without throwing when the engine cannot be reached', async () => {
    const env = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    expect(await reapJobContainers(deadPid(), env)).toBe(0);
    expect(await reapDeadOwners(env)).toBe(0);
  });

  describe_sigkill();

  function describe_sigkill(): void {
    let tmp: ReturnType<typeof scratch>;
    beforeAll(() => {
      tmp = scratch('shark-docker-reap-');
    });
    afterAll(() => tmp.cleanup());

    it('SIGKILL of shark run leaves no job container behind', async () => {
      writeFileSync(join(tmp.dir, 'slow.md'), `\`\`\`shark-build:slow\nFROM ${BASE}\n\`\`\`\n\n\`\`\`shark-run:slow\nsleep 300; echo late > /data/late.txt\n\`\`\`\n`);
      const child = spawn(process.execPath, [SHARK, 'run', 'slow.md', '--json'], { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      const closed = new Promise<void>((done) => child.on('close', () => done()));
      let out = '';
      await new Promise<void>((started, fail) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('"job-start"')) started();
        });
        child.on('close', () => fail(new Error(`shark ended before the job started:\n${out}`)));
      });
      const label = `shark.pid=${child.pid}`;
      const t0 = Date.now();
      while ((await client.containersWithLabel(label)).length === 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 200));
      expect((await client.containersWithLabel(label)).length).toBe(1);
      child.kill('SIGKILL');
      await closed;
      const t1 = Date.now();
      while ((await client.containersWithLabel(label)).length > 0 && Date.now() - t1 < 20_000) await new Promise((r) => setTimeout(r, 250));
      expect(await client.containersWithLabel(label)).toEqual([]);
    });
  }
});
