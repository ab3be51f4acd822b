import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { describeSlurm } from './rig.js';
import { jobcompLines, runningUnder } from './run-rig.js';

const fence = '```';

/**
 * Slurm stops answering while a task runs (the controller restarting, a
 * network cut): the run gives the task up after its polls, but the task may
 * still run. Its workspace was removed (the task then failed at its end,
 * its time wasted) and the next run submitted it again beside it; now the
 * task is named, with how to cancel it, its workspace kept, and the next run
 * takes it over.
 */
describeSlurm('a task given up on while Slurm did not answer', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-slurm-silent-');
    // Slurm's commands, failing while the file `down` is there.
    for (const command of ['squeue', 'scontrol', 'sacct', 'sbatch', 'scancel']) {
      rig.write(`bin/${command}`, `#!/bin/sh\n[ -e '${rig.path('down')}' ] && { echo 'slurm down' >&2; exit 1; }\nexec /usr/bin/${command} "$@"\n`);
      chmodSync(rig.path(`bin/${command}`), 0o755);
    }
  });
  afterEach(() => rig.cleanup());

  it('is named with how to cancel it, and the next run takes it over instead of submitting it again', async () => {
    rig.write('d.md', ['# Slow', '', `${fence}shark-run`, `sleep 25; echo done > /data/a.txt`, fence, ''].join('\n'));
    const env = { SHARK_SLURM_POLL_MS: '200', PATH: `${rig.path('bin')}:${process.env['PATH']}` };
    const first = rig.start(['run', 'd.md', '--executor', 'slurm'], { env, timeoutMs: 100_000 });
    const id = await runningUnder(first, rig.dir);
    writeFileSync(rig.path('down'), '');
    const ended = await first.ended;
    rmSync(rig.path('down'));
    expect(ended.code).toBe(1);
    expect(ended.stdout).toContain(`Slurm stopped answering: squeue exited 1: slurm down; task ${id} may still be queued or running: the next run takes it over (its workspace is kept), or cancel it with \`scancel ${id}\``);
    const second = await rig.shark(['run', 'd.md', '--executor', 'slurm', '--json'], { env, timeoutMs: 100_000 });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/"type":"job-queued".*"adopted":true/);
    expect(jobcompLines(rig.dir).filter((l) => l.includes('Name=shark:d:slow '))).toHaveLength(1);
  }, 150_000);
});
