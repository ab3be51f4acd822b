import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { closeSession, openSession } from '../src/cli/session-setup.js';
import { toResultRow, type LineageRecord } from '../src/lineage/record.js';
import { seedState } from '../src/plan/session.js';
import { decideStep } from '../src/plan/step-plan.js';
import { VERSION } from '../src/version.js';

/**
 * Makes a store hold the results of `cp /data/items/* /data/out/+` over
 * every item, as `shark run` would record them, without running a million
 * `cp`s (about 7 ms each here: two hours). `cp` of an item writes the item's
 * bytes, so each job's output is the ingested item itself. The bench then
 * runs the pipeline for real once (only the reduce executes) before it
 * measures the fully cached `plan` and `run`. Usage:
 * `node dist/bench/fill-cache.js DIR` (DIR holds p.md and items/).
 */
export async function fillCache(dir: string): Promise<number> {
  const { session, hostInputs } = openSession(resolve(dir, 'p.md'), { input: [`items=${resolve(dir, 'items')}`] }, (s) => process.stderr.write(s), true, 'run');
  try {
    for (const host of hostInputs.values()) await session.store.ingest(host);
    const state = await seedState(session, hostInputs);
    const step = session.pipeline.steps.find((s) => s.kind === 'run' && s.inputs.some((i) => i.pattern !== undefined))!;
    const decision = await decideStep(session, step, state, () => ({ missing: 'none' }), new AbortController().signal);
    if (decision.kind !== 'jobs') throw new Error(`cannot fill: ${decision.kind}`);
    const runId = session.meta.startRun(session.pipelinePath);
    const now = Date.now();
    const meta = session.meta;
    let n = 0;
    for (let i = 0; i < decision.jobs.length; i += 10_000) {
      meta.batch(() => {
        for (const { job, cached } of decision.jobs.slice(i, i + 10_000)) {
          if (cached !== undefined) continue;
          const record: LineageRecord = {
            key: job.key, identity: job.identity, record: job.record, outputs: { [job.outputs[0]!.path]: job.inputs[0]!.id }, log: null,
            started: now, ended: now, runId,
            meta: {
              block: step.blockId, step: step.id, file: session.pipeline.document.file, line: step.at.line, col: step.at.col,
              command: step.kind === 'run' ? step.command : '', env: job.record.env, items: job.items.map((it) => it.name),
              host: hostname(), version: VERSION, exit: 0,
            },
          };
          meta.recordSuccess(toResultRow(record), { job: job.id, step: step.id, block: step.blockId, line: step.at.line, item: job.items.map((it) => it.name).join(','), reason: null, exit_code: null });
          n++;
        }
      });
    }
    meta.endRun(runId, 'ok', { filled: n });
    return n;
  } finally {
    closeSession(session);
  }
}

if (process.argv[1]?.endsWith('fill-cache.js')) {
  const dir = process.argv[2];
  if (dir === undefined) {
    console.error('usage: node dist/bench/fill-cache.js DIR');
    process.exit(2);
  }
  console.log(`${await fillCache(dir)} results recorded`);
}
