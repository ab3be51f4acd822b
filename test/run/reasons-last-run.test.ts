import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';
const doc = (cmd = 'tr a-z A-Z < /data/in/*.txt > /data/up/+', info = ''): string =>
  `---\nV: 1\n---\n\n${fence}shark-import\nin/ /data/in/\n${fence}\n\n## Up\n\n${fence}shark-run${info}\n${cmd}\n${fence}\n`;
const INPUT_A = /^input \/data\/in\/a\.txt changed \(\w+… → \w+…\)$/;

/**
 * A job's last attempt is the last run that executed it; the result the
 * latest run used may be another (an edit run, then reverted and run again,
 * every job cached). `plan` compares with what the latest run used: the
 * reverted value is not what changed.
 */
describe("plan's reasons after an edit that was run and reverted", () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig('shark-reasons-last-run-');
    rig.write('in/a.txt', 'a\n');
    rig.write('in/b.txt', 'b\n');
  });
  afterEach(() => rig.cleanup());

  async function run(...args: string[]): Promise<string> {
    const ran = await rig.shark(['run', 'p.md', ...args]);
    expect(ran.code, ran.stderr).toBe(0);
    return ran.stdout;
  }

  it('-e V=2 run, then V=1 again (all cached): a changed input is the only reason', async () => {
    rig.write('p.md', doc());
    await run();
    await run('-e', 'V=2');
    expect(await run()).toMatch(/0 run, 3 cached/);
    rig.write('in/a.txt', 'a2\n');
    const plan = await rig.plan('p.md');
    expect(plan.jobs.filter((j) => j.step === 'up').map((j) => [j.job, j.reasons])).toEqual([
      ['up[a.txt]', [expect.stringMatching(INPUT_A)]], ['up[b.txt]', []],
    ]);
    const text = await rig.shark(['plan', 'p.md']);
    expect(text.stdout).toMatch(/2 jobs — 1 cached, 1 to run \(input \/data\/in\/a\.txt changed/);
  });

  it('-e V=2 run last, then a local file changed: compared with the last run with the values planned, V is not named', async () => {
    const local = `---\nV: 1\n---\n\n## Make\n\n${fence}shark-run\ncat ./conf.txt > /data/a.txt; echo "$V" >> /data/a.txt\n${fence}\n`;
    rig.write('p.md', local);
    rig.write('conf.txt', 'one\n');
    await run();
    await run('-e', 'V=2');
    rig.write('conf.txt', 'two\n');
    const CONF = /^local file conf\.txt changed \(\w+… → \w+…\)$/;
    const text = await rig.shark(['plan', 'p.md']);
    expect(text.stdout).toMatch(/^run      make     p\.md:8  local file conf\.txt changed \(\w+… → \w+…\)\n/);
    expect((await rig.plan('p.md')).jobs.map((j) => j.reasons)).toEqual([[expect.stringMatching(CONF)]]);
    // Planned with -e V=2, the -e run is the one with those values.
    expect((await rig.plan('p.md', '-e', 'V=2')).jobs.map((j) => j.reasons)).toEqual([[expect.stringMatching(CONF)]]);
    // Values no run had: what changed is said from the last attempt, V with it.
    expect((await rig.plan('p.md', '-e', 'V=3')).jobs.map((j) => j.reasons)).toEqual([['variable V changed (2 → 3)', expect.stringMatching(CONF)]]);
  });

  it('a command edited, run, reverted and run: the command is not named', async () => {
    rig.write('p.md', doc());
    await run();
    rig.write('p.md', doc('tr a-z A-Z < /data/in/*.txt | rev > /data/up/+'));
    await run();
    rig.write('p.md', doc());
    expect(await run()).toMatch(/0 run, 3 cached/);
    rig.write('in/a.txt', 'a2\n');
    const plan = await rig.plan('p.md');
    expect(plan.jobs.find((j) => j.job === 'up[a.txt]')!.reasons).toEqual([expect.stringMatching(INPUT_A)]);
    // The import's tree, reverted too, is compared with the tree the latest run imported.
    expect(plan.jobs.find((j) => j.step === 'import')!.reasons).toEqual([expect.stringMatching(/^source tree changed \(\w+… → \w+…\)$/)]);
  });

  it('an import whose tree was changed, run and reverted: plan says what a store that never saw the change says', async () => {
    rig.write('p.md', doc());
    await run();
    await run('--store', 'fresh');
    rig.write('in/a.txt', 'a2\n');
    await run();
    rig.write('in/a.txt', 'a\n');
    expect(await run()).toMatch(/0 run, 3 cached/);
    rig.write('in/b.txt', 'b2\n');
    const plan = await rig.plan('p.md');
    expect(plan.jobs.filter((j) => j.status === 'run').map((j) => j.job)).toEqual(['import', 'up[b.txt]']);
    expect(plan).toEqual(await rig.plan('p.md', '--store', 'fresh'));
  });

  it('{precious}: the kept result is the one the latest run used, and its reasons say what changed since', async () => {
    rig.write('p.md', doc(undefined, ' {precious}'));
    await run();
    await run('-e', 'V=2', '--force', 'up');
    expect(await run()).toMatch(/0 run, 3 cached/);
    const used = (await rig.plan('p.md')).jobs.find((j) => j.job === 'up[a.txt]');
    rig.write('in/a.txt', 'a2\n');
    const plan = await rig.plan('p.md');
    const up = plan.jobs.find((j) => j.job === 'up[a.txt]') as typeof used & { outputs?: unknown };
    expect(up!.reasons).toEqual([expect.stringMatching(/^kept \(precious\): input \/data\/in\/a\.txt changed \(\w+… → \w+…\)$/)]);
    expect(up!.outputs).toEqual((used as typeof up)!.outputs);
  });

  it('a heading renamed since, with its command edited: compared with what the latest run used', async () => {
    const two = (a: string, b: string): string =>
      `${fence}shark-run\n${a}\n${fence}\n\n# B\n\n${fence}shark-run\n${b}\n${fence}\n`;
    rig.write('p.md', two('echo 1 > /data/x.txt', 'cat /data/x.txt > /data/y.txt'));
    await run();
    rig.write('p.md', two('echo 2 > /data/x.txt', 'cat /data/x.txt > /data/y.txt'));
    await run();
    rig.write('p.md', two('echo 1 > /data/x.txt', 'cat /data/x.txt > /data/y.txt'));
    expect(await run()).toMatch(/0 run, 2 cached/);
    rig.write('p.md', two('echo 1 > /data/x.txt', 'cat -u /data/x.txt > /data/y.txt').replace('# B', '# Copy'));
    const text = await rig.shark(['plan', 'p.md']);
    expect(text.stdout).toContain('run      copy     p.md:8  command text changed\n');
    expect((await rig.plan('p.md')).jobs.find((j) => j.job === 'copy')!.reasons).toEqual(['command text changed']);
  });

  it('the one value of an axis a step names, edited, run and reverted, then changed: its input is not named', async () => {
    const doc = (p: number, q: number): string =>
      `---\nP: [${p}]\nQ: [${q}]\n---\n\n${fence}shark-run\necho %{P} > /data/x.txt\n${fence}\n\n${fence}shark-run\necho %{Q} | cat /data/x.txt - > /data/y.txt\n${fence}\n`;
    rig.write('p.md', doc(1, 1));
    await run();
    rig.write('p.md', doc(2, 1));
    await run();
    rig.write('p.md', doc(1, 1));
    expect(await run()).toMatch(/0 run, 2 cached/);
    rig.write('p.md', doc(1, 2));
    const plan = await rig.plan('p.md');
    expect(plan.jobs.filter((j) => j.status === 'run').map((j) => [j.job, j.reasons])).toEqual([['run-2[Q=2]', ['command text changed']]]);
  });

  it('a map whose heading was renamed after runs that named its rows cached: its command is the only change', async () => {
    rig.write('p.md', doc());
    await run();
    await run('-e', 'V=2');
    await run();
    // This run names the one before's rows (a memo of the step): the rows are found through it.
    expect(await run()).toMatch(/0 run, 3 cached/);
    rig.write('p.md', doc('tr -d x < /data/in/*.txt | tr a-z A-Z > /data/up/+').replace('## Up', '## Upper'));
    const plan = await rig.plan('p.md');
    expect(plan.jobs.filter((j) => j.step === 'upper').map((j) => [j.job, j.reasons])).toEqual([
      ['upper[a.txt]', ['command text changed']], ['upper[b.txt]', ['command text changed']],
    ]);
  });
});
