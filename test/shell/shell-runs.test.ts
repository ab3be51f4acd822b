import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { database } from '../lineage/ask-fixture.js';
import { Rig } from '../support/rig.js';
import { BatchShell } from './batch.js';

const PIPELINE = '# R\n\n```shark-run\necho 1 > /data/one.txt\n```\n';

/** 16 lines, ending in a publish block: a session continuing it puts its first step below. */
const PUBLISHED = `# Sum

\`\`\`shark-run
seq 1 3 > /data/a.txt
\`\`\`

\`\`\`shark-run
cat /data/a.txt > /data/sum.txt
\`\`\`

## Publish

\`\`\`shark-publish
/data/sum.txt
\`\`\`
`;

const runsOf = async (rig: Rig, file: string): Promise<number[]> => {
  const ran = await rig.shark(['runs', file, '--json']);
  expect(ran.code, ran.stderr).toBe(0);
  return (JSON.parse(ran.stdout) as { runs: { run: number }[] }).runs.map((r) => r.run);
};

describe('a shell session opened on FILE is no run of FILE', () => {
  let rig: Rig;
  let session: BatchShell | undefined;
  beforeEach(() => {
    rig = new Rig('shark-shell-runs-');
  });
  afterEach(() => {
    session?.child.kill();
    session = undefined;
    rig.cleanup();
  });

  it('leaves FILE\'s latest run the one `shark run` made: runs, lineage, logs and export answer as before, during and after the session', async () => {
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    session = new BatchShell(rig, ['p.md']);
    session.send('cat /data/one.txt\n');
    await session.until('[inspection: /data unchanged]');
    // While the prompt is open, as after it: the session is not "run 2 in progress" of p.md.
    expect(await runsOf(rig, 'p.md')).toEqual([1]);
    session.send('echo 2 > /data/two.txt\n:save more.md\n');
    await session.until('saved more.md: 1 step');
    const ended = await session.end();
    expect(ended.code, ended.stderr).toBe(0);

    expect(await runsOf(rig, 'p.md')).toEqual([1]);
    const lineage = await rig.shark(['lineage', 'p.md', '/data/one.txt']);
    expect(lineage.code, lineage.stderr).toBe(0);
    expect(lineage.stdout).toContain('$ echo 1 > /data/one.txt');
    const logs = await rig.shark(['logs', 'p.md']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/^==> r \(ok, line 4\)/);
    const crate = await rig.shark(['export', 'crate', 'p.md', '-o', 'crate']);
    expect(crate.code, crate.stderr).toBe(0);
    expect(crate.stdout).toMatch(/^crate: run 1, 1 job,/);

    // The saved document's own first run finds the session's step cached, and has its lineage.
    const more = await rig.shark(['run', 'more.md', '--json']);
    const end = JSON.parse(more.stdout.trim().split('\n').pop()!) as { summary: { executed: number; cached: number } };
    expect(end.summary).toMatchObject({ executed: 0, cached: 2 });
    const two = await rig.shark(['lineage', 'more.md', '/data/two.txt']);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toContain('$ echo 2 > /data/two.txt');
  });

  it("places a step made in the session at the session's document, never at a line of FILE", async () => {
    rig.write('p.md', PUBLISHED);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    session = new BatchShell(rig, ['p.md']);
    session.send('seq 10 12 > /data/extra.txt\n:save out.md\n');
    await session.until('saved out.md: 1 step');
    expect((await session.end()).code).toBe(0);
    expect((await rig.shark(['run', 'out.md'])).code).toBe(0);
    // p.md has 16 lines; the session's step is at line 20 of the document it continued p.md into.
    const lineage = await rig.shark(['lineage', 'out.md', '/data/extra.txt']);
    expect(lineage.code, lineage.stderr).toBe(0);
    expect(lineage.stdout).toMatch(/made by run 2, as publish-2 at p\.md \(shark shell\):20:1\n/);
    const why = await rig.shark(['why', '_shark/extra.txt']);
    expect(why.code, why.stderr).toBe(0);
    expect(why.stdout).toContain('run 2 of p.md (shark shell)');
    expect(why.stdout).toContain('block publish-2 at p.md (shark shell):20:1');
    expect(why.stdout).not.toMatch(/p\.md:20/);
  });

  it('moves the sessions an older Shark recorded as runs of FILE off it, and names no session as a document the store has runs of', async () => {
    rig.write('p.md', PIPELINE);
    expect((await rig.shark(['run', 'p.md'])).code).toBe(0);
    const db = database(rig);
    db.prepare("INSERT INTO runs (pipeline, place, started, ended, status, summary) VALUES (?, 'p.md', 1, 2, 'ok', '{\"shell\":true}')").run(rig.path('p.md'));
    db.close();
    expect(await runsOf(rig, 'p.md')).toEqual([1]);
    expect((await rig.shark(['lineage', 'p.md', '/data/one.txt'])).code).toBe(0);
    rig.write('q.md', PIPELINE);
    const none = await rig.shark(['runs', 'q.md']);
    expect(none.stderr).toContain(`which has runs of ${rig.path('p.md')} (a document`);
  });
});
