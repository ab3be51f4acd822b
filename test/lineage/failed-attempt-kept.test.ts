import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A failed job's attempt (what it ran, on what, when) was kept only as the
 * newest attempt at its outputs: a retry that succeeded, or another
 * document's job writing the same path into the same store, erased it, and
 * `lineage`, `plan` and the exports of the failed run said less or wrong.
 * Its run keeps it now.
 */
const FLAKY = `---
inputs:
  in: /data/in.txt
---
# Flaky

\`\`\`shark-run
test -e ready.flag || exit 1; wc -w < /data/in.txt > /data/x.txt
\`\`\`
`;

describe('a failed job, after a later attempt at its outputs', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-failed-kept-');
  });
  afterEach(() => rig.cleanup());

  it('is still the failed job of its run once a retry succeeded: lineage, PROV and the crate', async () => {
    rig.write('p.md', FLAKY);
    rig.write('in.txt', 'one two\n');
    const args = ['run', 'p.md', '-i', 'in=in.txt'];
    expect((await rig.shark(args)).code).toBe(1);
    rig.write('ready.flag', '');
    expect((await rig.shark(args)).code).toBe(0);

    const lineage = await rig.shark(['lineage', 'p.md', '/data/x.txt', '--run', '1']);
    expect(lineage.stderr).toBe('shark: /data/x.txt was not produced: job flaky (line 8) failed in run 1 (exit status 1)\n');
    expect(lineage.code).toBe(1);

    const prov = await rig.shark(['export', 'prov', 'p.md', '--run', '1']);
    expect(prov.code, prov.stderr).toBe(0);
    const job = JSON.parse(prov.stdout).activity['shark-job:run/1/job/flaky'];
    expect(job['shark:status']).toBe('failed');
    expect(job['prov:startTime']).toMatch(/^\d{4}-/);
    expect(job['prov:endTime']).toMatch(/^\d{4}-/);

    const crate = await rig.shark(['export', 'crate', 'p.md', '--run', '1', '-o', 'crate']);
    expect(crate.code, crate.stderr).toBe(0);
    const graph = JSON.parse(rig.read('crate/ro-crate-metadata.json'))['@graph'] as { '@id': string; actionStatus?: { '@id': string }; object?: unknown[]; startTime?: string; description?: string }[];
    const failed = graph.find((e) => e['@id'] === '#run-1-job-flaky');
    expect(failed?.actionStatus).toEqual({ '@id': 'http://schema.org/FailedActionStatus' });
    expect(failed?.startTime).toMatch(/^\d{4}-/);
    expect(failed?.object).toHaveLength(1);
    expect(failed?.description).toContain('wc -w < /data/in.txt');
  });

  it('is still named by lineage and plan once another document wrote the same path in the store', async () => {
    rig.write('a.md', '# A\n\n```shark-run\necho a > /data/x.txt\n```\n');
    rig.write('b.md', '# B\n\n```shark-run\necho b > /data/x.txt; exit 1\n```\n');
    expect((await rig.shark(['run', 'b.md'])).code).toBe(1);
    expect((await rig.shark(['run', 'a.md'])).code).toBe(0);

    const lineage = await rig.shark(['lineage', 'b.md', '/data/x.txt']);
    expect(lineage.stderr).toBe('shark: /data/x.txt was not produced: job b (line 4) failed in run 1 (exit status 1)\n');
    const plan = await rig.shark(['plan', 'b.md']);
    expect(plan.stdout).toMatch(/^run +b +b\.md:4 +previous attempt failed$/m);
  });
});
