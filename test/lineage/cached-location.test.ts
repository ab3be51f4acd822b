import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

const PIPELINE = `# Numbers

${fence}shark-run
seq 1 5 > /data/n.txt
${fence}

# Sum

${fence}shark-run
awk '{ s += $1 } END { print s }' /data/n.txt > /data/sum.txt
${fence}
`;

/** A block and a paragraph inserted above, and a heading renamed: every job stays cached, under other ids and lines. */
const MOVED = PIPELINE.replace('# Numbers\n', `# Numbers\n\nSome prose.\n\n${fence}shark-run\necho extra > /data/extra.txt\n${fence}\n`).replace('# Sum', '# Total');

type Node = { job: string; location: string; inputs: { from: Node[] }[] };

/**
 * A cached job is named as the run asked about names it: its location is
 * that of its block in that run's document, not the line the run that made
 * the result recorded (which, after edits, is another block).
 */
describe('the location of a cached job', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig('shark-location-');
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    rig.write('p.md', MOVED);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  /** Where `text` is in the document now, as `file:line:col`. */
  const at = (text: string): string => `p.md:${MOVED.split('\n').findIndex((l) => l.includes(text)) + 1}:1`;

  it('lineage shows it at its block as the run has it; --run 1 as run 1 had it', async () => {
    const top = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/sum.txt', '--json'])).stdout) as Node;
    expect([top.job, top.location]).toEqual(['total', at('awk')]);
    const numbers = top.inputs[0]!.from[0]!;
    expect([numbers.job, numbers.location]).toEqual(['numbers-2', at('seq 1 5')]);
    const text = (await rig.shark(['lineage', 'p.md', '/data/sum.txt'])).stdout;
    expect(text).toContain(`total  (${at('awk')}, `);

    const first = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/sum.txt', '--json', '--run', '1'])).stdout) as Node;
    expect([first.job, first.location, first.inputs[0]!.from[0]!.job, first.inputs[0]!.from[0]!.location]).toEqual(['sum', 'p.md:10:1', 'numbers', 'p.md:4:1']);
  });

  it('diff shows it at its block as the new run has it', async () => {
    const ran = await rig.shark(['diff', 'p.md', '/data/sum.txt', '--json', '--from', '1', '--to', '2']);
    const steps = (JSON.parse(ran.stdout) as { steps: { job: string; class: string; location: string; line: number }[] }).steps;
    expect(steps.map((s) => [s.job, s.class, s.location, s.line])).toEqual([
      ['numbers-2', 'same', at('seq 1 5'), Number(at('seq 1 5').split(':')[1])],
      ['total', 'same', at('awk'), Number(at('awk').split(':')[1])],
    ]);
  });
});
