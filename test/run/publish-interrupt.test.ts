import { existsSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig, SHARK } from '../support/rig.js';

/**
 * Ctrl-C while a large directory is published: heard between slices of
 * files, the copy made so far removed. The copy held the process for
 * seconds: the run said `ok`, then stopped, exiting 130 with `ok` recorded.
 */
describe('Ctrl-C during a large publish', () => {
  let rig: Rig;
  beforeEach(() => (rig = new Rig('shark-publish-interrupt-')));
  afterEach(() => rig.cleanup());

  it('stops the copy at once, publishes nothing, and records the run as interrupted', async () => {
    rig.write('p.md', '# Pub\n\n```shark-run\nmkdir -p /data/many && cd /data/many && seq 1 20000 | sed s/^/f/ | xargs touch\n```\n\n```shark-publish\n/data/many\n```\n');
    expect((await rig.shark(['run', 'p.md', '--force', 'pub'])).code).toBe(0);
    expect(readdirSync(rig.path('_shark/many'))).toHaveLength(20000);
    rig.write('_shark/many/f1', 'changed by hand\n');
    const child = spawn(process.execPath, [SHARK, 'run', 'p.md'], { cwd: rig.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const staged = (): boolean => readdirSync(rig.path('_shark')).some((n) => n.startsWith('many.shark-tmp'));
    const t0 = Date.now();
    while (!staged() && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 10));
    const signalled = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(2000);
    expect(out).not.toContain('published');
    expect(readdirSync(rig.path('_shark'))).toEqual(['many']);
    expect(existsSync(rig.path('_shark/many/f1'))).toBe(true);
    expect((await rig.shark(['runs', 'p.md'])).stdout).toMatch(/^2\s+interrupted/m);
  });
});
