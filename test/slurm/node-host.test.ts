import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { describeSlurm } from './rig.js';

const fence = '```';
const env = { SHARK_SLURM_POLL_MS: '250' };

/** Whether this process may give a command a host name of its own (a UTS namespace: root, or user namespaces). */
function canRename(): boolean {
  try {
    execFileSync('unshare', ['-u', 'hostname', 'login-node'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A job's lineage names the machine that ran it: under Slurm, the node, not the machine that submitted it. */
describeSlurm('lineage of a job run on a Slurm node', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-slurm-host-');
  });
  afterEach(() => rig.cleanup());

  it.runIf(canRename())('names the node that ran the job, not the submitting host', async () => {
    rig.write('p.md', ['# Where', '', `${fence}shark-run`, 'hostname > /data/where.txt', fence, ''].join('\n'));
    // Submitted from a host called login-node; the one-node cluster runs the job on this machine.
    const wrap = ['unshare', '-u', 'sh', '-c', 'hostname login-node && exec "$0" "$@"'];
    const ran = await rig.shark(['run', 'p.md', '--executor', 'slurm'], { env, wrap });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const lineage = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/where.txt', '--json'])).stdout) as { host: string };
    expect(lineage.host).toBe(hostname());
    expect((await rig.shark(['lineage', 'p.md', '/data/where.txt'])).stdout).toContain(` on ${hostname()}, shark `);
  });
});
