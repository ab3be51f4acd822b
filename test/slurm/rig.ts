import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SlurmClient, type StateReport } from '../../src/exec/slurm/client.js';
import { isFinished } from '../../src/exec/slurm/parse.js';

/** The real Slurm of this machine (scripts/services/start-slurm.sh), through Shark's client. */
export const slurm = new SlurmClient();

// A run would wait for a drained node; the tests need one that takes jobs now.
const idle = await slurm.noNodeTakesJobs();
const missing = (await slurm.available()) ?? (idle === undefined ? undefined : `no Slurm node takes jobs (${idle})`);

/**
 * A suite that needs a Slurm controller and a node that takes jobs: skipped
 * with the reason when there is none, except in CI (SHARK_REQUIRE_SLURM=1),
 * where that fails instead of silently testing nothing.
 */
export function describeSlurm(name: string, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
  } else if (process.env['SHARK_REQUIRE_SLURM'] === '1') {
    describe(name, () => {
      it('needs a Slurm controller and an idle node (SHARK_REQUIRE_SLURM=1)', () => {
        expect.fail(`Slurm is required but not usable: ${missing}`);
      });
    });
  } else {
    sayOnce(`Slurm tests skipped: ${missing}`);
    describe.skip(`${name} (skipped: ${missing})`, () => {
      it('skipped', () => undefined);
    });
  }
}

function sayOnce(line: string): void {
  try {
    writeFileSync(join(tmpdir(), `shark-slurm-skip-${process.ppid}`), line, { flag: 'wx' });
  } catch {
    return;
  }
  process.stderr.write(`${line}\n`);
}

/** A directory every job can see (on one node: any directory). */
export function scratch(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'shark-slurm-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function unique(prefix: string): string {
  return `shark-test-${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until every job (every task of each array) has ended; returns the last report. */
export async function waitEnded(ids: readonly string[], timeoutMs = 45_000, pollMs = 250): Promise<StateReport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await slurm.state(ids);
    if (!r.ok) throw new Error(r.message);
    if (r.value.unknown.length === 0 && r.value.jobs.length > 0 && r.value.jobs.every((j) => isFinished(j.status))) return r.value;
    if (Date.now() > deadline) throw new Error(`jobs ${ids.join(',')} not ended after ${timeoutMs} ms: ${JSON.stringify(r.value)}`);
    await sleep(pollMs);
  }
}

/** Polls until `ok` holds of the report. */
export async function waitFor(ids: readonly string[], ok: (r: StateReport) => boolean, timeoutMs = 30_000): Promise<StateReport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await slurm.state(ids);
    if (!r.ok) throw new Error(r.message);
    if (ok(r.value)) return r.value;
    if (Date.now() > deadline) throw new Error(`jobs ${ids.join(',')}: condition not met after ${timeoutMs} ms: ${JSON.stringify(r.value)}`);
    await sleep(250);
  }
}
