import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';

/**
 * A `{precious}` result kept while its upstream ran again read the old
 * bytes: its lineage must show the job that wrote those bytes (the run that
 * made the kept result), not the new upstream job, and `verify` must check
 * it against that run's envelopes.
 */
const RUN_UPSTREAM = `# Precious verify

${fence}shark-run
seq 1 3 > /data/x.txt
${fence}

## AOH

${fence}shark-run {precious}
wc -l < /data/x.txt > /data/aoh.txt
${fence}
`;

const IMPORT_UPSTREAM = `# Precious import

${fence}shark-import
file:in/ /data/in/
${fence}

## AOH

${fence}shark-run {precious}
wc -l < /data/in/a.txt > /data/aoh.txt
${fence}
`;

type Node = { job: string; run: number; command: string; outputs: Record<string, string>; inputs: { path: string; id: string; from: Node[] }[] };

describe('lineage of a kept {precious} result', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = new Rig('shark-kept-');
    expect((await rig.shark(['keygen', '-o', 'k'])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  const run = async (): Promise<void> => {
    const ran = await rig.shark(['run', 'p.md', '--sign', 'k.key']);
    expect(ran.code, ran.stderr).toBe(0);
  };
  const lineage = async (...args: string[]): Promise<Node> => {
    const ran = await rig.shark(['lineage', 'p.md', '/data/aoh.txt', '--json', ...args]);
    expect(ran.code, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout) as Node;
  };

  it('names the run step that wrote the bytes it read, and verifies', async () => {
    rig.write('p.md', RUN_UPSTREAM);
    await run();
    rig.write('p.md', RUN_UPSTREAM.replace('seq 1 3', 'seq 1 4'));
    await run();
    const top = await lineage();
    expect(top.run).toBe(1);
    const input = top.inputs[0]!;
    expect(input.from.map((f) => [f.job, f.run, f.command])).toEqual([['precious-verify', 1, 'seq 1 3 > /data/x.txt']]);
    expect(input.from[0]!.outputs['/data/x.txt']).toBe(input.id);
    // The same tree as the run that made it shows.
    expect(top).toEqual(await lineage('--run', '1'));
    const text = await rig.shark(['lineage', 'p.md', '/data/aoh.txt']);
    expect(text.stdout).toContain('$ seq 1 3 > /data/x.txt');
    expect(text.stdout).not.toContain('seq 1 4');

    const verified = await rig.shark(['verify', 'p.md', '/data/aoh.txt', '--key', 'k.pub']);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });

  it('names the import that brought in the entry it read, and verifies', async () => {
    rig.write('p.md', IMPORT_UPSTREAM);
    rig.write('in/a.txt', 'one\n');
    rig.write('in/b.txt', 'keep\n');
    await run();
    rig.write('in/a.txt', 'one\ntwo\n');
    await run();
    const top = await lineage();
    const from = top.inputs[0]!.from;
    expect(from.map((f) => [f.job, f.run])).toEqual([['precious-import', 1]]);
    expect(top).toEqual(await lineage('--run', '1'));

    const verified = await rig.shark(['verify', 'p.md', '/data/aoh.txt', '--key', 'k.pub']);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });

  it('an ordinary cached job still shows the producers of the run asked about', async () => {
    // The upstream ran again (its command changed) and wrote the same bytes: its reader is cached.
    rig.write('p.md', RUN_UPSTREAM.replace('{precious}', ''));
    await run();
    rig.write('p.md', RUN_UPSTREAM.replace('{precious}', '').replace('seq 1 3 >', 'seq 1 3 | cat >'));
    await run();
    const top = await lineage();
    expect(top.run).toBe(1);
    expect(top.inputs[0]!.from.map((f) => [f.run, f.command])).toEqual([[2, 'seq 1 3 | cat > /data/x.txt']]);
  });
});
