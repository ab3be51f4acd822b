import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { BASE, describeDocker, removeBuiltImages, run, scratch, shark } from './rig.js';

/** A document with a container environment and one step carrying `options`. */
function pipeline(options: string, command: string): string {
  return [
    '---',
    'secrets: [DB_PASSWORD]',
    '---',
    '# Secrets and the host network',
    '',
    '```shark-build:box',
    `FROM ${BASE}`,
    '```',
    '',
    `\`\`\`shark-run:box ${options}`,
    command,
    '```',
    '',
    '```shark-publish',
    '/data/out.txt',
    '```',
    '',
  ].join('\n');
}

describeDocker('secrets and {network=host} in containers', () => {
  let tmp: ReturnType<typeof scratch>;
  let server: Server;
  let url: string;
  const value = `s3cr3t-${Math.random().toString(36).slice(2, 10)}`;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('hello from the host\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    tmp = scratch('shark-docker-secrets-');
  });
  afterEach(() => {
    removeBuiltImages(join(tmp.dir, 'p.lock.json'));
    tmp.cleanup();
  });

  it('a secret reaches a container step, and its value is masked in the log and written nowhere', async () => {
    writeFileSync(join(tmp.dir, 'p.md'), pipeline('', 'echo "pw=$DB_PASSWORD" >&2; printf %s "${#DB_PASSWORD}" > /data/out.txt'));
    const first = await run('p.md', tmp.dir, ['-o', 'out.md'], { DB_PASSWORD: value });
    expect(first.result.code, first.result.stderr + first.result.stdout).toBe(0);
    expect(readFileSync(join(tmp.dir, '_shark', 'out.txt'), 'utf8')).toBe(String(value.length));
    const logs = await shark(['logs', 'p.md'], tmp.dir);
    expect(logs.stdout).toContain('pw=***');
    expect(logs.stdout + first.result.stdout + first.result.stderr).not.toContain(value);
    expect(spawnSync('grep', ['-rlaF', value, tmp.dir], { encoding: 'utf8' }).stdout).toBe('');
  });

  it('{network=host} reaches a server on the host\'s loopback; {network} and no option cannot; the mode is in the key and in lineage', async () => {
    // No `-T`: this busybox build crashes on it.
    const fetch = `wget -q -O /data/out.txt ${url} || echo unreachable > /data/out.txt`;
    writeFileSync(join(tmp.dir, 'p.md'), pipeline('{network=host}', fetch));
    const host = await run('p.md', tmp.dir, [], { DB_PASSWORD: value });
    expect(host.result.code, host.result.stderr + host.result.stdout).toBe(0);
    expect(readFileSync(join(tmp.dir, '_shark', 'out.txt'), 'utf8')).toBe('hello from the host\n');
    const lineage = await shark(['lineage', 'p.md', '/data/out.txt'], tmp.dir);
    expect(lineage.stdout).toContain('network: host (impure)');
    const json = JSON.parse((await shark(['lineage', 'p.md', '/data/out.txt', '--json'], tmp.dir)).stdout) as { network?: string; impure?: boolean };
    expect(json).toMatchObject({ network: 'host', impure: true });

    for (const [options, reason] of [['{network}', 'network changed (host → bridge)'], ['', 'network disabled']] as const) {
      writeFileSync(join(tmp.dir, 'p.md'), pipeline(options, fetch));
      const plan = await shark(['plan', 'p.md', '--json'], tmp.dir, { DB_PASSWORD: value });
      const step = (JSON.parse(plan.stdout) as { jobs: { block: string; status: string; reasons: string[] }[] }).jobs.find((j) => j.block !== 'box');
      expect(step?.status).toBe('run');
      expect(step?.reasons).toEqual([reason]);
      const other = await run('p.md', tmp.dir, [], { DB_PASSWORD: value });
      expect(other.result.code, other.result.stderr).toBe(0);
      expect(readFileSync(join(tmp.dir, '_shark', 'out.txt'), 'utf8')).toBe('unreachable\n');
    }
  });
});
