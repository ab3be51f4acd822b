import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/rig.js';

/**
 * Ctrl-C at a terminal sends SIGINT to its whole foreground process group.
 * Shark stops in order (cancels its jobs, keeps what is committed); the
 * commands it runs for itself — zfs, mount, sbatch, squeue — must live
 * through that, or a store operation in flight fails as if the store had.
 * Each case runs in a process group of its own, as `shark run` at a
 * terminal does, with a SIGINT handler as `run` has; `sleep 1` stands in
 * for the command, and the group gets SIGINT while it sleeps.
 */
const CASES = {
  'zfs commands (async)': `
    const { Commands } = await import(dist + '/store/zfs/commands.js');
    const cmd = new Commands({ zfs: '/bin/sleep', zpool: '/bin/sleep', mount: '/bin/sleep', umount: '/bin/sleep' });
    await cmd.run('mount', ['1'], 'x').then(() => console.log('ok'), (e) => console.log(e.message));`,
  'zfs commands (sync)': `
    const { Commands } = await import(dist + '/store/zfs/commands.js');
    const cmd = new Commands({ zfs: '/bin/sleep', zpool: '/bin/sleep', mount: '/bin/sleep', umount: '/bin/sleep' });
    const r = cmd.runSync('zfs', ['1'], 'x');
    console.log(r.ok ? 'ok' : JSON.stringify(r.error));`,
  'Slurm commands': `
    const { spawnRunner } = await import(dist + '/exec/slurm/client.js');
    const r = await spawnRunner('/bin/sleep', ['1'], {});
    console.log(r.code === 0 ? 'ok' : JSON.stringify(r));`,
};

function inOwnGroup(body: string): Promise<{ out: string; signalled: boolean }> {
  const script = `const dist = process.argv[1]; let signalled = false; process.on('SIGINT', () => (signalled = true));
    console.log('ready');
    ${body}
    // A signal that came during a synchronous call is handled on the next turn of the event loop.
    await new Promise((r) => setTimeout(r, 100));
    console.log(signalled ? 'signalled' : 'not signalled');`;
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, join(ROOT, 'dist/src')], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // The command is running (started right after 'ready'): Ctrl-C, to the whole group.
      if (out === 'ready\n') setTimeout(() => process.kill(-child.pid!, 'SIGINT'), 300);
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => done({ out, signalled: out.includes('\nsignalled') }));
  });
}

describe("Shark's own helper commands and a terminal's Ctrl-C", () => {
  for (const [name, body] of Object.entries(CASES)) {
    it(`${name} finish despite it`, async () => {
      const { out, signalled } = await inOwnGroup(body);
      expect(signalled, out).toBe(true);
      expect(out).toBe('ready\nok\nsignalled\n');
    }, 20_000);
  }

  it('are ended when Shark quits at once (a second Ctrl-C)', async () => {
    const seconds = `${30 + (process.pid % 1000) / 1000}`; // names this test's sleep for pgrep
    const script = `const { Commands } = await import(process.argv[1] + '/store/zfs/commands.js');
      const cmd = new Commands({ zfs: '/bin/sleep', zpool: '/bin/sleep', mount: '/bin/sleep', umount: '/bin/sleep' });
      void cmd.run('zfs', ['${seconds}'], 'x');
      setTimeout(() => process.exit(130), 500);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, join(ROOT, 'dist/src')], { stdio: 'ignore' });
    const code = await new Promise((done) => child.on('close', done));
    expect(code).toBe(130);
    let left = true;
    for (let i = 0; i < 50 && left; i++, await new Promise((r) => setTimeout(r, 20))) left = spawnSync('pgrep', ['-f', `sleep ${seconds}`]).status === 0;
    expect(left).toBe(false);
  });
});
