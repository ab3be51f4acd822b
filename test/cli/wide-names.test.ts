import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth, padDisplay } from '../../src/columns.js';
import { renderPlan } from '../../src/cli/render-plan.js';
import { renderSubmissions } from '../../src/cli/slurm-plan.js';
import { renderImpact } from '../../src/lineage/impact.js';
import { renderDiff } from '../../src/lineage/render-diff.js';
import type { Plan, PlannedJob } from '../../src/plan/planner.js';
import { Rig } from '../support/rig.js';

// `padEnd` counts UTF-16 units: 种子.txt (6 units, 8 columns) came out two columns too far right, ée.txt (e + U+0301) one too far left.
const WIDE = '种子.txt';
const COMBINED = 'e\u0301e.txt';

/** The terminal column at which `marker` starts on each line holding it. */
function columnsOf(text: string, marker: string): number[] {
  return text.split('\n').filter((l) => l.includes(marker)).map((l) => displayWidth(l.slice(0, l.indexOf(marker))));
}

describe('display width', () => {
  it('counts an ideograph, a fullwidth form and an emoji as two columns, a combining mark as none', () => {
    expect(displayWidth('a.txt')).toBe(5);
    expect(displayWidth(WIDE)).toBe(8);
    expect(displayWidth(COMBINED)).toBe(6);
    expect(displayWidth('한글 ＡＢ 🦈 𠀋')).toBe(4 + 1 + 4 + 1 + 2 + 1 + 2);
    expect(displayWidth('ünï/cödé')).toBe(8);
    expect(padDisplay(WIDE, 10)).toBe(`${WIDE}  `);
    expect(padDisplay(COMBINED, 8)).toBe(`${COMBINED}  `);
    expect(padDisplay(WIDE, 4)).toBe(WIDE);
  });
});

describe('columns after names users choose', () => {
  const job = (item: string, line: number): PlannedJob => ({
    block: 'up', step: 'up', job: `up[${item}]`, line, items: [item], status: 'run', reasons: ['no previous result (new item)'],
  });

  it('plan -v lines up the columns after item names in terminal columns', () => {
    const plan: Plan = { jobs: [job('a.txt', 8), job(WIDE, 8), job(COMBINED, 8)], summary: { cached: 0, run: 3, blocked: 0, manual: 0 }, notes: [] };
    const text = renderPlan(plan, 'p.md', true);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'run      up[a.txt]    p.md:8  no previous result (new item)',
      `run      up[${WIDE}] p.md:8  no previous result (new item)`,
      `run      up[${COMBINED}]   p.md:8  no previous result (new item)`,
    ]);
  });

  it('plan lines up a sweep\'s long instance ids (past 32 columns) with the short ones', () => {
    const long = 'run[SPECIES_GROUP_NAME=amphibians_and_reptiles]';
    const one = (step: string, line: number): PlannedJob => ({ block: 'run', step, job: step, line, items: [], status: 'run', reasons: ['no previous result'] });
    const plan: Plan = { jobs: [one(long, 6), one('run[SPECIES_GROUP_NAME=birds]', 6), one('run-2', 10)], summary: { cached: 0, run: 3, blocked: 0, manual: 0 }, notes: [] };
    expect(columnsOf(renderPlan(plan, 'p.md', false), 'p.md:')).toEqual([10 + long.length, 10 + long.length, 10 + long.length]);
  });

  it('plan lines up the reasons after locations of one digit and of three', () => {
    const one = (step: string, line: number): PlannedJob => ({ block: step, step, job: step, line, items: [], status: 'run', reasons: ['no previous result'] });
    const plan: Plan = { jobs: [one('a', 9), one('b', 103)], summary: { cached: 0, run: 2, blocked: 0, manual: 0 }, notes: [] };
    expect(columnsOf(renderPlan(plan, 'p.md', false), 'no previous')).toEqual([28, 28]);
  });

  it('impact, diff and the Slurm plan line up theirs too', () => {
    const impacted = [WIDE, COMBINED, 'a'].map((step, i) => ({ step, block: step, line: i + 1, kind: 'run' as const, why: 'reads /data/x' }));
    expect(columnsOf(renderImpact([{ kind: 'path', path: '/data/x' }], impacted, '数据.md'), 'reads')).toEqual([23, 23, 23]);

    const diffStep = (job: string, location: string) => ({
      job, block: 'up', location, line: 1, class: 'root-cause' as const, reasons: ['command text changed'],
      changes: [{ field: 'command', old: 'a', new: 'b' }], oldKey: null, newKey: null,
    });
    const diff = renderDiff({
      old: { run: 1, path: '/data/x', id: 'x' }, new: { run: 2, path: '/data/x', id: 'y' }, identical: false,
      steps: [diffStep(`up[${WIDE}]`, 'p.md:1'), diffStep(`up[${COMBINED}]`, '数据.md:1'), diffStep('up[a]', 'p.md:1')],
      summary: { 'root-cause': 3 },
    } as Parameters<typeof renderDiff>[0]);
    expect(columnsOf(diff, 'command text')).toEqual([37, 37, 37]);
    expect(columnsOf(diff, '- a')).toEqual([37, 37, 37]);

    const sub = (step: string) => ({ step, block: step, name: step, jobs: 1, tasks: 1, sbatch: ['x.sh'] });
    expect(columnsOf(renderSubmissions([sub(WIDE), sub(COMBINED), sub('a')]), '1 job')).toEqual([12, 12, 12]);
  });
});

describe('shark plan -v of items with wide and combining names', () => {
  let rig: Rig;
  beforeAll(() => {
    rig = new Rig();
    rig.write('in/a.txt', 'a\n');
    rig.write(`in/${WIDE}`, 'b\n');
    rig.write(`in/${COMBINED}`, 'c\n');
    rig.write('p.md', '```shark-import\n./in/ /data/in/\n```\n\n```shark-run {id=up}\ncat /data/in/*.txt > /data/up/+\n```\n');
  });
  afterAll(() => rig.cleanup());

  it('puts each job\'s location at the same terminal column', async () => {
    const ran = await rig.shark(['plan', '-v', 'p.md']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const at = columnsOf(ran.stdout, 'p.md:');
    expect(at).toHaveLength(4);
    expect(new Set(at)).toEqual(new Set([22]));
  });
});
