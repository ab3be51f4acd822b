import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import type { Pipeline, RunStep } from '../../src/pipeline/pipeline.js';

const fence = '```';

const DOC = `---
A: [1, 2]
B: [x, y]
S: plain
---

${fence}shark-run
echo %{A} %{B} %{S} > /data/%{A}/%{B}.txt
${fence}
`;

type Given = Record<string, string | string[]>;

function load(source: string, given: Given, overrides?: Record<string, string>): { pipeline: Pipeline | undefined; problems: string[] } {
  const { pipeline, diagnostics } = loadPipeline('p.md', source, overrides && new Map(Object.entries(overrides)), new Map(Object.entries(given)));
  return { pipeline, problems: diagnostics.map((d) => `${d.at.line}:${d.at.col}: ${d.message}`) };
}

const commands = (p: Pipeline | undefined): string[] => (p?.steps ?? []).filter((s): s is RunStep => s.kind === 'run').map((s) => s.command);

describe('frontmatter values given from outside the document', () => {
  it('a list replaces an axis in its place among the axes (instance order follows the frontmatter)', () => {
    const { pipeline, problems } = load(DOC, { A: ['3'] });
    expect(problems).toEqual([]);
    expect(commands(pipeline)).toEqual(['echo 3 x plain > /data/3/x.txt', 'echo 3 y plain > /data/3/y.txt']);
  });

  it('a plain value replaces a variable, or an axis, and a new key is added', () => {
    const { pipeline } = load(DOC, { S: 'given', B: 'z', NEW: 'n' });
    expect(commands(pipeline)).toEqual(['echo 1 z given > /data/1/z.txt', 'echo 2 z given > /data/2/z.txt']);
    expect(pipeline!.variables.get('NEW')).toBe('n');
  });

  it('-e applies on top of the given values, and its errors name them', () => {
    expect(commands(load(DOC, { A: ['3', '4'] }, { A: '4' }).pipeline)).toEqual(['echo 4 x plain > /data/4/x.txt', 'echo 4 y plain > /data/4/y.txt']);
    expect(load(DOC, { A: ['3', '4'] }, { A: '1' }).problems).toEqual(['2:1: -e A=1: `1` is not a value of the axis `A` (its values: 3, 4)']);
  });

  it('works on a document without frontmatter', () => {
    const { pipeline, problems } = load(`${fence}shark-run\necho %{T} > /data/%{T}.txt\n${fence}\n`, { T: ['a', 'b'] });
    expect(problems).toEqual([]);
    expect(commands(pipeline)).toEqual(['echo a > /data/a.txt', 'echo b > /data/b.txt']);
  });

  it('refuses a value for a secret, at the secret', () => {
    const doc = `---\nsecrets: [TOKEN]\n---\n\n${fence}shark-run\necho hi > /data/x.txt\n${fence}\n`;
    expect(load(doc, { TOKEN: 'leaked' }).problems).toEqual([
      '2:11: `TOKEN` is a secret: a config file cannot give it a value under `frontmatter:` (its value comes from the environment or --secrets)',
    ]);
  });
});
