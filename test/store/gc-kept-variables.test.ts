import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Rig, toRun } from '../support/rig.js';

const fence = '```';

/** The tester's LIFE port: a slow `{precious}` block, and one that reads it and names V. */
const DOC = `---
V: 1
---
## Slow

${fence}shark-run {precious}
echo slow >> counter; echo "slow" > /data/s.txt
${fence}

## Make

${fence}shark-run
echo make >> counter; cat /data/s.txt > /data/a.txt; echo "value $V" >> /data/a.txt
${fence}
`;

/**
 * A `{precious}` block a run with `-e V=2` kept is a job of that run under
 * the key it had with V=1: gc read the run's variables off that job and took
 * the `-e` run for one with the document's values, freeing the result the
 * document's own run made.
 */
describe('shark gc after a run with other variables that kept a {precious} result', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
    rig.write('p.md', DOC);
  });
  afterEach(() => rig.cleanup());

  async function run(...args: string[]): Promise<void> {
    const ran = await rig.shark(['run', 'p.md', ...args]);
    expect(ran.code, ran.stderr).toBe(0);
  }

  it('keeps the results of the latest run with the document\'s values beside the -e run\'s', async () => {
    await run();
    await run('-e', 'V=2');
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.stderr).toBe('');
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/: keeping p\.md run 2 \(latest finished run, 2 results\), and for blocks run 2 left out or did not finish: run 1 \(slow, make; 2 results\)\nfreed 0 objects, 0\.0 MB\n$/);
    const plan = await rig.shark(['plan', 'p.md']);
    expect(plan.stdout).toContain('cached   make     p.md:13\n');
    expect(toRun(await rig.plan('p.md', '-e', 'V=2'))).toEqual([]);
    expect(rig.count()).toBe(3);
  });

  it('a -e run of a target, then one that uses every result again, still keep the document\'s values\' results', async () => {
    await run();
    await run('-e', 'V=2', 'make');
    // Every job cached: the kept {precious} row is again the run's first.
    await run('-e', 'V=2');
    expect((await rig.shark(['gc', 'p.md', '--delete'])).code).toBe(0);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
    expect(toRun(await rig.plan('p.md', '-e', 'V=2'))).toEqual([]);
    expect(rig.count()).toBe(3);
  });

  it('runs recorded before runs noted their variables are told by a job they ran, not by a result they kept', async () => {
    await run();
    await run('-e', 'V=2');
    const db = new Database(rig.path('.shark/shark.sqlite'));
    db.prepare('UPDATE runs SET variables = NULL').run();
    db.close();
    const gc = await rig.shark(['gc', 'p.md', '--delete']);
    expect(gc.stdout).toMatch(/run 1 \(slow, make; 2 results\)\nfreed 0 objects/);
    expect(toRun(await rig.plan('p.md'))).toEqual([]);
  });
});
