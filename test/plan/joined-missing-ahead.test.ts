import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A new item of a map a join reads, whose joined item is missing from a
 * directory known now (a bound input): `plan` says its job will fail once
 * the map made the item, as `run` then finds (it said only `upstream will run`).
 */
describe('a join of an item still to be made, missing from a directory known now', () => {
  let rig: Rig;
  afterEach(() => rig.cleanup());

  it('is blocked behind the map, and said to fail then', async () => {
    rig = new Rig('shark-joined-missing-');
    for (const [n, v] of [['a', '1'], ['b', '2']]) (rig.write(`reads/${n}`, `${v}\n`), rig.write(`meta/${n}`, `m${n}\n`));
    rig.write('p.md', '---\ninputs:\n  meta: /data/meta/\n---\n# J\n\n```shark-import\nreads/ /data/reads/\n```\n\n## Count\n\n```shark-run\nwc -c < /data/reads/* > /data/counts/+\n```\n\n## Join\n\n```shark-run\npaste /data/counts/* /data/meta/+ > /data/joined/+\n```\n');
    expect((await rig.shark(['run', 'p.md', '-i', 'meta=meta'])).code).toBe(0);
    rig.write('reads/c', '3\n');
    const plan = await rig.plan('p.md', '-i', 'meta=meta');
    expect(plan.jobs.filter((j) => j.step === 'join').map((j) => [j.job, j.status, j.reasons])).toEqual([
      ['join[a]', 'cached', []], ['join[b]', 'cached', []],
      ['join[c]', 'blocked', ['upstream will run (count)', 'then fails: the joined item c is not in /data/meta/']],
    ]);
    const ran = await rig.shark(['run', 'p.md', '-i', 'meta=meta', '-k']);
    expect(ran.stdout).toContain('the joined item c is not in /data/meta/');
  });
});
