import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adoptable } from '../../src/exec/slurm/adopt.js';
import type { SlurmClient } from '../../src/exec/slurm/client.js';
import type { TaskSpec } from '../../src/exec/slurm/manifest.js';
import type { JobState } from '../../src/exec/slurm/parse.js';

/** A client that says this user's job 42 ended COMPLETED. */
const ended = { ownJobs: async () => ({ ok: true, value: [{ id: '42', jobId: '42', arrayTask: undefined, name: 'shark:p:m', status: 'completed', slurmState: 'COMPLETED', exitCode: 0, signal: undefined, reason: undefined } satisfies JobState] }) } as unknown as SlurmClient;

/** What adopts a dead run's Slurm jobs takes over only what the new run can commit. */
describe('adoptable jobs a dead run left', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shark-adopt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A job of the submission: its workspace, its status `ok`, and its output there or not. */
  function job(name: string, withOutput: boolean): TaskSpec {
    const workspace = join(dir, `ws-${name}`);
    mkdirSync(join(workspace, 'data/out'), { recursive: true });
    if (withOutput) writeFileSync(join(workspace, 'data/out', `${name}.txt`), 'x\n');
    const statusPath = join(dir, 'sub/status', `${name}.json`);
    writeFileSync(statusPath, JSON.stringify({ outcome: { status: 'ok' }, host: 'node1', started: 0, ended: 1 }));
    return { key: `key-${name}`, workspace, statusPath, outputs: [{ path: `/data/out/${name}.txt` }], logPath: join(dir, `${name}.log`) } as unknown as TaskSpec;
  }

  it('leaves a job that ended well but whose outputs are gone from its workspace (the dead run committed them): it is run again, not failed', async () => {
    mkdirSync(join(dir, 'sub/status'), { recursive: true });
    mkdirSync(join(dir, 'by-job'));
    const specs = [job('kept', true), job('committed', false)];
    writeFileSync(join(dir, 'sub/manifest.jsonl'), `${JSON.stringify(specs)}\n`);
    writeFileSync(join(dir, 'by-job/42'), join(dir, 'sub'));
    const found = await adoptable(ended, dir, new Set(), new Map());
    expect([...found.keys()]).toEqual(['key-kept']);
  });
});
