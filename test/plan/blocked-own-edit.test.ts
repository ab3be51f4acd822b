import { afterEach, beforeEach, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

/**
 * A blocked step says `command text changed` beside `upstream will run`
 * when its own text changed since it ran: compared with its last attempt,
 * an edit of it undone since (the next run found it cached) was still
 * said, and a user looked for an edit that was not there.
 */

let rig: Rig;
beforeEach(() => (rig = new Rig('shark-blocked-edit-')));
afterEach(() => rig.cleanup());

const doc = (a: string, b: string): string => `## a\n\n\`\`\`shark-run\necho ${a} > /data/a.txt\n\`\`\`\n\n## b\n\n\`\`\`shark-run\n${b} > /data/b.txt\n\`\`\`\n`;

it('is not said of a step whose edit was undone, and is of one edited now', async () => {
  for (const [a, b] of [['one', 'cat /data/a.txt /data/a.txt'], ['one', 'cat /data/a.txt'], ['one', 'cat /data/a.txt /data/a.txt']]) {
    rig.write('p.md', doc(a!, b!));
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  }
  rig.write('p.md', doc('two', 'cat /data/a.txt /data/a.txt'));
  const undone = (await rig.plan('p.md')).jobs.find((j) => j.job === 'b')!;
  expect([undone.status, undone.reasons]).toEqual(['blocked', ['upstream will run (a)']]);
  rig.write('p.md', doc('two', 'cat /data/a.txt /data/a.txt /data/a.txt'));
  const edited = (await rig.plan('p.md')).jobs.find((j) => j.job === 'b')!;
  expect([edited.status, edited.reasons]).toEqual(['blocked', ['upstream will run (a)', 'command text changed']]);
});
