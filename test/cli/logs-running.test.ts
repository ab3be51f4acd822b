import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { Rig, SHARK } from '../support/rig.js';

const fence = '```';

/**
 * `shark logs` asked while a run is in progress, of jobs whose commands are
 * running: it said `run 1 has not reached them yet` (and `run 1 ran no job`
 * with no block named), though they had started and one had printed a line.
 */
describe('shark logs of jobs still running', () => {
  let rig: Rig;
  let child: ChildProcess;
  const line = `started ${'x'.repeat(120)}`;
  beforeAll(async () => {
    rig = new Rig('shark-logs-running-');
    rig.write('p.md', `# Live\n\n## Loud\n\n${fence}shark-run\necho ${line}; echo loud >> counter; sleep 30; echo done > /data/loud.txt\n${fence}\n\n`
      + `## Quiet\n\n${fence}shark-run\necho quiet >> counter; sleep 30; echo done > /data/quiet.txt\n${fence}\n`);
    child = spawn(process.execPath, [SHARK, 'run', 'p.md', '-j', '2'], { cwd: rig.dir, stdio: ['ignore', 'ignore', 'ignore'] });
    const t0 = Date.now();
    while (rig.count() < 2 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    // The leases name the jobs once their commands started, within 100 ms.
    await new Promise((r) => setTimeout(r, 500));
  }, 60_000);
  afterAll(async () => {
    const closed = new Promise((r) => child.on('close', r));
    child.kill('SIGTERM');
    await closed;
    rig.cleanup();
  });

  it('shows a running job\'s log so far', async () => {
    const shown = await rig.shark(['logs', 'p.md', 'loud']);
    expect([shown.code, shown.stderr]).toEqual([0, '']);
    // Its last bytes may still wait in the run's memory.
    expect(shown.stdout).toMatch(/^==> loud \(running: its log so far\) \S+\/logs\/1\/\S+\nstarted x{20,}\n$/);
  });

  it('says a running job that printed nothing yet is running, not that the run has not reached it', async () => {
    const shown = await rig.shark(['logs', 'p.md', 'quiet']);
    expect([shown.code, shown.stdout, shown.stderr]).toEqual([0, '==> quiet (running: nothing in its log yet)\n', '']);
  });

  it('lists the running jobs with no block named, not `run 1 ran no job`', async () => {
    const every = await rig.shark(['logs', 'p.md']);
    expect([every.code, every.stderr]).toEqual([0, '']);
    expect(every.stdout.split('\n').filter((l) => l.startsWith('==> ')).map((l) => l.replace(/\) \S+$/, ')'))).toEqual([
      '==> loud (running: its log so far)',
      '==> quiet (running: nothing in its log yet)',
    ]);
  });
});
