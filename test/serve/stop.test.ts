import { spawn } from 'node:child_process';
import { existsSync, truncateSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig, SHARK } from '../support/rig.js';
import { serve } from './serve-rig.js';

/** `shark serve` asked to stop (Ctrl-C, or SIGTERM from a service manager): exit 0, whenever it is asked. */
describe('shark serve stopped by a signal', () => {
  const rig = new Rig('shark-serve-stop-');

  beforeAll(() => {
    // A large input to hash: start-up takes seconds.
    writeFileSync(rig.path('big.bin'), '');
    truncateSync(rig.path('big.bin'), 2 * 1024 ** 3);
    rig.write('p.md', '---\ninputs:\n  big: /data/big.bin\n---\n# P\n\n```shark-run\nwc -c /data/big.bin > /data/n.txt\n```\n');
  });
  afterAll(() => rig.cleanup());

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} once it serves: exit 0`, async () => {
      const served = await serve(rig, 'p.md');
      const exited = new Promise<number | null>((done) => served.child.on('exit', (code) => done(code)));
      served.child.kill(signal);
      expect(await exited).toBe(0);
    }, 60_000);

    it(`${signal} while it starts: exit 0 too, serving nothing (it was killed by the signal, 143 or 130)`, async () => {
      // A store of its own: no hash of big.bin cached, so it starts slowly.
      const child = spawn(process.execPath, [SHARK, 'serve', 'p.md', '-i', 'big=big.bin', '--port', '0', '--store', `store-${signal}`], { cwd: rig.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const ended = new Promise<[number | null, NodeJS.Signals | null]>((done) => child.on('exit', (code, sig) => done([code, sig])));
      // Once it opens its store, after it took the signals (before, Node itself is still loading, and the signal's
      // default kills it): a fixed pause was too short on a loaded machine.
      await expect.poll(() => existsSync(rig.path(`store-${signal}`)), { timeout: 30_000, interval: 50 }).toBe(true);
      expect(out, 'still starting').not.toContain('serving');
      child.kill(signal);
      expect(await ended, out).toEqual([0, null]);
      expect(out).toBe('');
    }, 60_000);
  }
});
