import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Rig, SHARK } from '../support/rig.js';

/**
 * SIGHUP: the terminal a run was started from is gone (a closed window, a
 * lost ssh session). Node resets an ignored SIGHUP as it starts, so `nohup`
 * alone cannot keep a run alive: Shark decides by where its output goes.
 */

const fence = '```';
let rig: Rig;
beforeEach(() => (rig = new Rig('shark-hangup-')));
afterEach(() => rig.cleanup());

const waitFor = async (ready: () => boolean): Promise<void> => {
  const t0 = Date.now();
  while (!ready() && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
};

describe('a run that hears SIGHUP', () => {
  it('goes on when its output is no terminal (nohup, > run.log), and says so', async () => {
    rig.write('p.md', `# H\n\n${fence}shark-run\necho started >> counter; sleep 2; echo done > /data/a.txt\n${fence}\n`);
    const child = spawn(process.execPath, [SHARK, 'run', 'p.md'], { cwd: rig.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.resume();
    await waitFor(() => rig.count() > 0);
    child.kill('SIGHUP');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(err).toBe('shark: hung up (SIGHUP): the run goes on, its output being no terminal (Ctrl-C or SIGTERM stops it)\n');
    expect((await rig.plan('p.md')).jobs.map((j) => j.status)).toEqual(['cached']);
  }, 60_000);

  it('stops as on SIGTERM when it ran at a terminal: jobs cancelled, the run recorded interrupted', async () => {
    const doc = `hup-${process.pid}-${Date.now()}.md`;
    rig.write(doc, `# H\n\n${fence}shark-run\necho started >> counter; sleep 30; echo late > /data/a.txt\n${fence}\n`);
    // `script` gives the run a terminal of its own (a pseudo-terminal), as a window would.
    const child = spawn('script', ['-qec', `exec ${process.execPath} ${SHARK} run ${doc}; echo "exit $?" > status`, '/dev/null'], { cwd: rig.dir, stdio: 'ignore' });
    await waitFor(() => rig.count() > 0);
    const shark = spawnSync('pgrep', ['-f', `${SHARK} run ${doc}`], { encoding: 'utf8' }).stdout.split('\n').filter((pid) => pid !== '' && commandOf(pid) === 'node');
    expect(shark).toHaveLength(1);
    process.kill(Number(shark[0]), 'SIGHUP');
    await new Promise((r) => child.on('close', r));
    const runs = await rig.shark(['runs', doc, '--json']);
    expect((JSON.parse(runs.stdout) as { runs: { status: string; ended: string | null }[] }).runs.map((r) => [r.status, r.ended !== null])).toEqual([['interrupted', true]]);
    expect((await rig.plan(doc)).jobs.map((j) => j.status)).toEqual(['run']);
  }, 60_000);
});

function commandOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}
