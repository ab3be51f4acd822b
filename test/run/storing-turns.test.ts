import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { until } from '../slurm/run-rig.js';

/**
 * Storing outputs the store holds already (a job made again with `--force`)
 * settles each file without waiting on the disk: 30,000 such files ran as
 * one chain of microtasks, the `job-storing` event and the status line held
 * back and Ctrl-C unheard until all were stored (15 s). The event loop now
 * gets its turns: Ctrl-C while they are stored stops the job.
 */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-storing-turns-')));
afterEach(() => rig.cleanup());

it('hears Ctrl-C while the outputs of a job made again are stored', async () => {
  rig.write('p.md', '## many\n\n```shark-run\nseq 1 8000 | split -a 4 -l 1 - /data/m/f\n```\n');
  expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  const run = rig.start(['run', 'p.md', '--force', 'many', '--json'], { timeoutMs: 120_000 });
  let out = '';
  run.process.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await until(() => out.includes('"type":"job-storing"'), 60_000, 'the job storing its outputs');
  run.process.kill('SIGINT');
  const ended = await run.ended;
  expect(ended.code).toBe(130);
  // Stopped while it stored: skipped, not stored whole before the signal was heard.
  expect(out).toContain('"type":"job-skipped","job":"many"');
  expect(out).not.toContain('"type":"job-done"');
});
