import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { describeSlurm } from './rig.js';
import { runningUnder } from './run-rig.js';

const fence = '```';
const env = { SHARK_SLURM_POLL_MS: '250' };

/**
 * A run that adopts a dead run's Slurm job moves its outputs over from the
 * dead run's workspace: through a link the job left in place of a directory
 * above an output, that would move the host's own files.
 */
describeSlurm('adopting a Slurm job that put a link above its output', () => {
  let rig: Rig;
  let victim: string;
  beforeEach(() => {
    rig = new Rig('shark-slurm-adopt-links-');
    victim = rig.path('outside');
    mkdirSync(victim);
    writeFileSync(join(victim, 'secret.txt'), 'SECRET\n');
  });
  afterEach(() => rig.cleanup());

  it('takes nothing through the link: the job fails naming it, and the host file stays', async () => {
    rig.write('p.md', ['# Adopt links', '', `${fence}shark-run`,
      `sleep 4; echo innocent > /data/out/secret.txt; rm -rf /data/out; ln -s ${victim} /data/out`, fence, ''].join('\n'));
    const first = rig.start(['run', 'p.md', '--executor', 'slurm'], { env, timeoutMs: 120_000 });
    await runningUnder(first, rig.dir);
    first.process.kill('SIGKILL');
    await first.ended;
    const second = await rig.shark(['run', 'p.md', '--executor', 'slurm'], { env });
    expect(second.code, second.stdout + second.stderr).toBe(1);
    expect(second.stdout + second.stderr).toContain('a symbolic link is in the way at /data/out');
    expect(readdirSync(victim)).toEqual(['secret.txt']);
    expect(readFileSync(join(victim, 'secret.txt'), 'utf8')).toBe('SECRET\n');
  });
});
