import { describe, expect, it } from 'vitest';
import { planJson, renderPlan, writePlanJson, writePlanText } from '../../src/cli/render-plan.js';
import type { Plan, PlannedJob } from '../../src/plan/planner.js';

/** A plan of one map step of `n` items (every other one cached) and a reduce: no files, no store. */
function bigPlan(n: number): Plan {
  const jobs: PlannedJob[] = [];
  for (let i = 0; i < n; i++) {
    const cached = i % 2 === 0;
    jobs.push({
      block: 'map', step: 'map', job: `map[${i}.txt]`, line: 7, items: [`${i}.txt`],
      status: cached ? 'cached' : 'run', reasons: cached ? [] : ['no previous result (new item)'],
      ...(cached ? { outputs: [[`/data/out/${i}.txt`, `sha256:${i}`]] } : {}),
    });
  }
  jobs.push({ block: 'reduce', step: 'reduce', job: 'reduce', line: 13, items: [], status: 'blocked', reasons: ['upstream will run (map)'] });
  return { jobs, summary: { cached: n / 2, run: n / 2, blocked: 1, manual: 0 }, notes: [] };
}

function collect(write: (out: (s: string) => void) => void): string {
  const chunks: string[] = [];
  write((s) => chunks.push(s));
  return chunks.join('');
}

describe('plans of large maps', () => {
  // 200,000 items overflowed the stack (a spread of every job into Math.max) before the renderer was streamed.
  const plan = bigPlan(200_000);

  it('renders the text plan of 200,000 items as one line for the map', () => {
    const text = renderPlan(plan, 'p.md', false);
    expect(text.split('\n')[0]).toBe('map      map      p.md:7   200000 jobs — 100000 cached, 100000 to run (new item)');
    expect(text).toContain('200001 jobs: 100000 cached, 100000 to run, 1 blocked');
  });

  it('groups the items whose own input changed, naming three: a part per item ran the line to megabytes', () => {
    const changed = (i: number): PlannedJob => ({ block: 'map', step: 'map', job: `map[${i}.txt]`, line: 7, items: [`${i}.txt`], status: 'run', reasons: [`input /data/in/${i}.txt changed (aaaa1111… → bbbb2222…)`] });
    const gone = (i: number): PlannedJob => ({ ...changed(i), reasons: [`input /data/in/${i}.txt no longer read`] });
    const many: Plan = { jobs: [...Array.from({ length: 5000 }, (_, i) => changed(i)), gone(9)], summary: { cached: 0, run: 5001, blocked: 0, manual: 0 }, notes: [] };
    const line = renderPlan(many, 'p.md', false).split('\n')[0]!;
    expect(line).toBe('map      map      p.md:7  5001 jobs — 0 cached, 5000 to run (input changed: /data/in/0.txt, /data/in/1.txt, /data/in/2.txt and 4997 more), '
      + '1 to run (input /data/in/9.txt no longer read)');
    // One is shown whole, its ids too.
    const one: Plan = { jobs: [changed(4)], summary: { cached: 0, run: 1, blocked: 0, manual: 0 }, notes: [] };
    expect(renderPlan(one, 'p.md', false).split('\n')[0]).toContain('1 to run (input /data/in/4.txt changed (aaaa1111… → bbbb2222…))');
  });

  it('says `1 job` of a map step of one item, as the summary does', () => {
    const text = renderPlan(bigPlan(1), 'p.md', false);
    expect(text.split('\n')[0]).toBe('cached   map      p.md:7   1 job — 1 cached');
  });

  it('streams the text plan, -v included, in chunks', () => {
    const chunks: string[] = [];
    writePlanText(plan, 'p.md', true, (s) => chunks.push(s));
    expect(chunks.length).toBeGreaterThan(1);
    const text = chunks.join('');
    expect(text.split('\n').length).toBe(200_000 + 100_000 + 3);
  });

  it('streams the JSON plan with the same bytes as JSON.stringify', () => {
    const small = bigPlan(1000);
    expect(collect((out) => writePlanJson(small, out))).toBe(JSON.stringify(planJson(small), null, 2) + '\n');
    const text = collect((out) => writePlanJson(plan, out));
    expect(text.length).toBeGreaterThan(200_000 * 100);
  });

  it('writes every job as JSON.stringify would, whatever its names hold', () => {
    const odd = ['a"quote', 'back\\slash', 'tab\there', 'new\nline', 'bell\u0007', 'ünï/cödé 🦈', 'lone\ud800', 'comma,in,name', ''];
    const outputs = (i: number): [string, string][] => [[`/data/out/${odd[i % odd.length]}`, `sha256:${i}`], ['/data/2', 'two'], ['/data/10', 'ten']];
    const jobs: PlannedJob[] = odd.map((name, i) => ({
      block: `b${name}`, step: `s${name}`, job: `map[${name}]`, line: i + 1, items: i % 3 === 0 ? [] : [name, `${name}2`],
      status: (['cached', 'run', 'blocked', 'manual'] as const)[i % 4]!, reasons: i % 2 === 0 ? [] : [`why ${name}`, 'and more'],
      ...(i % 2 === 0 ? { outputs: outputs(i) } : {}),
    }));
    jobs.push({ block: 'x', step: 'x', job: 'x', line: 1, items: [], status: 'cached', reasons: [], outputs: [] });
    const plan: Plan = { jobs, summary: { cached: 1, run: 2, blocked: 3, manual: 4 }, notes: ['a note'] };
    expect(collect((out) => writePlanJson(plan, out))).toBe(JSON.stringify(planJson(plan), null, 2) + '\n');
  });
});
