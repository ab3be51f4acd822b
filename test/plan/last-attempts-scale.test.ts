import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/plan/jobs.js';
import { attemptsOfStep } from '../../src/plan/last-attempts.js';
import type { Session } from '../../src/plan/session.js';
import type { OwnAttempt } from '../../src/store/own-results.js';

/**
 * `shark plan` after the command of a 1,000,000-item map changed: every job
 * has an attempt to compare with. It crashed (`Maximum call stack size
 * exceeded`) spreading the attempts' runs into `Math.min`.
 */
describe('the last attempts of a map whose every item was attempted', () => {
  it('are found for 200,000 items without overflowing the stack', () => {
    const n = 200_000;
    const record = { kind: 'run', variables: [] };
    const jobs = Array.from({ length: n }, (_, i) => ({ identity: `/data/out/+\0${i}.txt`, items: [{ name: `${i}.txt` }], record }) as unknown as Job);
    const attempts = new Map<string, OwnAttempt>(jobs.map((j, i) => [j.identity, { key: `k${i}`, status: 'ok', record: '{}', run: 1 + (i % 3) }]));
    let asked: number | undefined;
    const session = {
      pipelinePath: '/p.md',
      meta: {
        anyAttemptOf: () => true,
        // The attempts' runs had the jobs' values: none is looked for elsewhere.
        runVariables: { of: () => '[]' },
        own: {
          lastAttempts: () => attempts,
          usedSince: (_step: string, _doc: string, _items: ReadonlyMap<string | null, string>, after: number) => ((asked = after), new Map()),
        },
      },
    } as unknown as Session;
    const found = attemptsOfStep(session, 'map')(jobs);
    expect(found.byIdentity.size).toBe(n);
    // Later runs' use of each item is asked after the earliest attempt's run.
    expect(asked).toBe(1);
  });
});
