import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';
import { serve, type Served } from './serve-rig.js';

/**
 * After a run killed before it reached some jobs (`run --force` of a map,
 * `kill -9` mid-map), the page read that run's records: the jobs it never
 * recorded showed a bare `cached`, without the run that made their result,
 * its time or its log, until a clean run came.
 */
describe('shark serve after a run killed part way', () => {
  const rig = new Rig('shark-serve-killed-');
  let served: Served;

  beforeAll(async () => {
    for (const n of [1, 2, 3]) rig.write(`in/${n}.txt`, `${n}\n`);
    rig.write('p.md', '---\ninputs:\n  in: /data/in/\n---\n# Map\n\n```shark-run\nsleep 1; cat /data/in/*.txt > /data/out/+\n```\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'in=in'])).code).toBe(0);
    const killed = rig.start(['run', 'p.md', '-i', 'in=in', '--force', 'map', '-j', '1']);
    await new Promise((r) => setTimeout(r, 1800));
    killed.process.kill('SIGKILL');
    await killed.ended;
    served = await serve(rig, 'p.md', '-i', 'in=in');
  }, 60_000);

  afterAll(async () => {
    await served?.stop();
    rig.cleanup();
  });

  it('shows the jobs it never reached as cached, made in the run that made them, with their log', async () => {
    const html = await (await fetch(served.url + '/')).text();
    const lines = [...html.matchAll(/data-job="(map\[\d\.txt\])" data-status="cached">([^<]*)<\/span>([^\n]*)/g)];
    expect(lines.length).toBeGreaterThan(0);
    for (const [, job, label, rest] of lines) {
      expect(label, job).toBe('cached (made in run 1)');
      expect(rest, job).toContain(`href="/log/1/${encodeURIComponent(job!)}"`);
    }
  });
});
