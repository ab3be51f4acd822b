import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rig } from '../support/rig.js';

const fence = '```';
const IMPORT = `${fence}shark-import\nin /data/in/\n${fence}\n`;

/** Two documents sharing an import and a step on one store, each with its own names and lines. */
const ALPHA = `# Alpha\n\n${IMPORT}\n${fence}shark-run\ncat /data/in/x.txt > /data/a.txt\n${fence}\n`;
const BETA = `# Beta\n\nSome prose first.\n\n${IMPORT}\n${fence}shark-run\ncat /data/in/x.txt | wc -c > /data/b.txt\n${fence}\n`;
const GAMMA = `# Gamma\n\nMore prose.\n\n${IMPORT}\n# Copy step\n\n${fence}shark-run\ncat /data/in/x.txt > /data/a.txt\n${fence}\n`;

type Made = { job: string; block: string; location: string };
type Node = { job: string; block: string; location: string; run: number; madeBy?: Made; inputs: { from: Node[] }[] };
type Prov = { activity: Record<string, Record<string, unknown>> };

/**
 * A job found cached from another document's run is shown as the asking
 * document names it (its block, this document's file and line), the run
 * that made its result and that run's name and place for it stated apart;
 * in PROV it is one activity, the making's, whichever document exports it.
 */
describe('a job cached from another document', () => {
  let rig: Rig;
  const at = (doc: string, text: string, file: string): string => `${file}:${doc.split('\n').findIndex((l) => l.includes(text)) + 1}:1`;
  beforeEach(async () => {
    rig = new Rig('shark-cross-doc-');
    rig.write('in/x.txt', 'hello\n');
    rig.write('a.md', ALPHA);
    rig.write('b.md', BETA);
    rig.write('c.md', GAMMA);
    for (const doc of ['a.md', 'b.md', 'c.md']) expect((await rig.shark(['run', doc])).code).toBe(0);
  });
  afterEach(() => rig.cleanup());

  it('lineage names it as this document does, and says which run and job made it', async () => {
    const top = JSON.parse((await rig.shark(['lineage', 'b.md', '/data/b.txt', '--json'])).stdout) as Node;
    const imported = top.inputs[0]!.from[0]!;
    expect([imported.job, imported.block, imported.location, imported.run]).toEqual(['beta', 'beta', at(BETA, 'in /data/in/', 'b.md'), 1]);
    expect(imported.madeBy).toEqual({ job: 'alpha', block: 'alpha', location: at(ALPHA, 'in /data/in/', 'a.md') });
    // A job of this document's own run says nothing more.
    expect(top.madeBy).toBeUndefined();

    const copy = JSON.parse((await rig.shark(['lineage', 'c.md', '/data/a.txt', '--json'])).stdout) as Node;
    expect([copy.job, copy.location, copy.run]).toEqual(['copy-step', at(GAMMA, 'cat /data/in', 'c.md'), 1]);
    expect(copy.madeBy).toEqual({ job: 'alpha-2', block: 'alpha-2', location: at(ALPHA, 'cat /data/in', 'a.md') });

    const text = (await rig.shark(['lineage', 'c.md', '/data/a.txt'])).stdout;
    expect(text).toContain(`copy-step  (${at(GAMMA, 'cat /data/in', 'c.md')}, host:`);
    expect(text).toContain(`made by run 1, as alpha-2 at ${at(ALPHA, 'cat /data/in', 'a.md')}`);
    expect(text).not.toContain('copy-step  (a.md');
  });

  it('export prov names one activity per execution, the same from every document', async () => {
    const activities = async (doc: string): Promise<Prov['activity']> => {
      const ran = await rig.shark(['export', 'prov', doc]);
      expect(ran.code, ran.stderr).toBe(0);
      const all = (JSON.parse(ran.stdout) as Prov).activity;
      return Object.fromEntries(Object.entries(all).filter(([id]) => id.startsWith('shark-job:')));
    };
    const [a, b, c] = [await activities('a.md'), await activities('b.md'), await activities('c.md')];
    expect(Object.keys(a).sort()).toEqual(['shark-job:run/1/job/alpha', 'shark-job:run/1/job/alpha-2']);
    expect(Object.keys(b).sort()).toEqual(['shark-job:run/1/job/alpha', 'shark-job:run/2/job/beta-2']);
    expect(Object.keys(c).sort()).toEqual(['shark-job:run/1/job/alpha', 'shark-job:run/1/job/alpha-2']);
    // The same activity, described alike.
    expect(b['shark-job:run/1/job/alpha']).toEqual(a['shark-job:run/1/job/alpha']);
    expect(c['shark-job:run/1/job/alpha-2']).toEqual(a['shark-job:run/1/job/alpha-2']);
  });

  it('export prov of a run that found a renamed step cached names the activity as the run that made it', async () => {
    const before = (await rig.shark(['export', 'prov', 'a.md'])).stdout;
    rig.write('a.md', ALPHA.replace('# Alpha', '# First'));
    expect((await rig.shark(['run', 'a.md'])).code).toBe(0);
    const after = JSON.parse((await rig.shark(['export', 'prov', 'a.md'])).stdout) as Prov;
    const jobs = (p: Prov): string[] => Object.keys(p.activity).filter((id) => id.startsWith('shark-job:')).sort();
    expect(jobs(after)).toEqual(jobs(JSON.parse(before) as Prov));
  });
});

describe('where a job is, as lineage names it: the document from the current directory, wherever the run was started from', () => {
  let rig: Rig;
  beforeEach(() => void (rig = new Rig('shark-located-')));
  afterEach(() => rig.cleanup());

  it('a run started from another directory: its jobs are at p.md:N from the document\'s own (they kept proj/p.md)', async () => {
    rig.write('proj/p.md', '# T\n\n```shark-run\necho x > /data/a.txt\n```\n\n```shark-publish\n/data/a.txt\n```\n');
    expect((await rig.shark(['run', 'proj/p.md'])).code).toBe(0);
    const here = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/a.txt', '--json'], { cwd: 'proj' })).stdout) as Node;
    expect(here.location).toBe('p.md:4:1');
    const why = JSON.parse((await rig.shark(['why', '_shark/a.txt', '--json'], { cwd: 'proj' })).stdout) as { files: { produced: { location: string }[] }[] };
    expect(why.files.flatMap((f) => f.produced.map((m) => m.location))).toEqual(['p.md:4:1']);
  });

  it('two documents sharing a store: the one that made a result is named as it is from here, not as the making run was started', async () => {
    rig.write('A/p.md', '# T\n\n## Make\n\n```shark-run\necho x > /data/x.txt\n```\n');
    rig.write('B/p.md', '# T\n\n## Make\n\n```shark-run\necho x > /data/x.txt\n```\n\n## Use\n\n```shark-run\ncat /data/x.txt /data/x.txt > /data/y.txt\n```\n');
    expect((await rig.shark(['run', 'p.md', '--store', '../store'], { cwd: 'A' })).code).toBe(0);
    expect((await rig.shark(['run', 'p.md', '--store', '../store'], { cwd: 'B' })).code).toBe(0);
    const top = JSON.parse((await rig.shark(['lineage', 'p.md', '/data/y.txt', '--store', '../store', '--json'], { cwd: 'B' })).stdout) as Node;
    expect(top.location).toBe('p.md:12:1');
    const made = top.inputs[0]!.from[0]!;
    expect(made.location).toBe('p.md:6:1');
    expect(made.madeBy).toEqual({ job: 'make', block: 'make', location: `${rig.path('A/p.md')}:6:1` });
  });
});
