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

/** A fan-in over a directory several jobs write (`find` reads it whole). */
const DIRECTORY_UPSTREAM = `# P

## Make

${fence}shark-run
echo a > /data/x/a.txt
${fence}

${fence}shark-run
echo b > /data/x/b.txt
${fence}

## All

${fence}shark-run {precious}
find /data/x/ -type f -exec cat {} + | sort > /data/aoh.txt
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

  it('a cached job reading a directory shows the jobs of the run asked about that wrote it', async () => {
    // The writers ran again under another heading and command, and wrote the same bytes: the fan-in is cached.
    rig.write('p.md', DIRECTORY_UPSTREAM.replace('{precious}', ''));
    await run();
    rig.write('p.md', DIRECTORY_UPSTREAM.replace('{precious}', '').replace('## Make', '## Produce').replace('echo a >', 'printf "a\\n" >'));
    await run();
    const top = await lineage();
    expect(top.run).toBe(1);
    expect(top.inputs[0]!.from.map((f) => [f.job, f.run, f.command]).sort()).toEqual([
      ['produce', 2, 'printf "a\\n" > /data/x/a.txt'],
      ['produce-2', 1, 'echo b > /data/x/b.txt'],
    ]);
    const text = (await rig.shark(['lineage', 'p.md', '/data/aoh.txt'])).stdout;
    expect(text).not.toContain('echo a');
    expect(text).not.toContain('make');

    // Then b changes: diff blames b alone, not a's edit that left its bytes as they were.
    rig.write('p.md', DIRECTORY_UPSTREAM.replace('{precious}', '').replace('## Make', '## Produce').replace('echo a >', 'printf "a\\n" >').replace('echo b', 'echo B'));
    await run();
    const diffed = await rig.shark(['diff', 'p.md', '/data/aoh.txt', '--json']);
    const steps = (JSON.parse(diffed.stdout) as { steps: { job: string; class: string }[] }).steps;
    expect(steps.map((s) => [s.job, s.class]).sort()).toEqual([['all', 'propagated'], ['produce', 'same'], ['produce-2', 'root-cause']]);
  });

  it('a kept result reading a directory its upstream wrote again otherwise shows the run that made it', async () => {
    rig.write('p.md', DIRECTORY_UPSTREAM);
    await run();
    rig.write('p.md', DIRECTORY_UPSTREAM.replace('echo a >', 'echo A >'));
    await run();
    const top = await lineage();
    expect(top.run).toBe(1);
    expect(top.inputs[0]!.from.map((f) => [f.job, f.run, f.command]).sort()).toEqual([
      ['make', 1, 'echo a > /data/x/a.txt'],
      ['make-2', 1, 'echo b > /data/x/b.txt'],
    ]);
    expect(top).toEqual(await lineage('--run', '1'));
  });

  it('a cached job reading an entry of a directory imported again shows the run\'s import', async () => {
    rig.write('p.md', IMPORT_UPSTREAM.replace('{precious}', ''));
    rig.write('in/a.txt', 'one\n');
    rig.write('in/b.txt', 'b\n');
    await run();
    rig.write('in/b.txt', 'another b\n');
    await run();
    const top = await lineage();
    expect(top.run).toBe(1);
    expect(top.inputs[0]!.from.map((f) => [f.job, f.run])).toEqual([['precious-import', 2]]);
  });
});
