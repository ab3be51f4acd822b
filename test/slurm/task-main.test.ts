import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStatus, writeManifest, type TaskSpec } from '../../src/exec/slurm/manifest.js';
import { ROOT } from '../support/rig.js';

const TASK_MAIN = join(ROOT, 'dist/src/exec/slurm/task-main.js');

/** What the node-side task writes for a job it cannot run where it is (no cluster needed: the task runs as Slurm would start it). */
describe('the Slurm task on a node', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shark-task-main-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fails a container job on a node without Docker (or the image) with reason environment, the log saying why', () => {
    mkdirSync(join(dir, 'ws/data'), { recursive: true });
    const spec = {
      key: 'k', label: 'job', environment: { kind: 'docker', image: `sha256:${'0'.repeat(64)}` }, script: 'true', rootMark: '@@root@@',
      workspace: join(dir, 'ws'), inputs: [], outputs: [], cwd: null, pipelineDir: dir, containerWorkdir: '/data', env: {}, secretNames: [],
      network: false, timeout: null, cpus: null, memory: null, logPath: join(dir, 'job.log'), statusPath: join(dir, 'status.json'),
    } satisfies TaskSpec;
    writeManifest(join(dir, 'manifest.jsonl'), [[spec]]);
    try {
      execFileSync(process.execPath, [TASK_MAIN, join(dir, 'manifest.jsonl')], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '0', DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}` }, stdio: 'ignore' });
    } catch {
      // The task exits 1: one of its jobs failed.
    }
    const status = readStatus(spec.statusPath);
    expect(status?.outcome).toEqual({ status: 'failed', reason: 'environment', exitCode: null, message: expect.stringMatching(/^no Docker on node /) });
    expect(readFileSync(spec.logPath, 'utf8')).toMatch(/^shark: no Docker on node /);
  });
});
