import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import { slug } from '../../src/pipeline/block-ids.js';

const fence = '```';

function ids(source: string): string[] {
  const { pipeline, diagnostics } = loadPipeline('p.md', source);
  expect(diagnostics).toEqual([]);
  return pipeline!.blocks.map((b) => b.id);
}

describe('slug', () => {
  it('makes a readable id from a heading', () => {
    expect(slug('Area of habitat (AoH)')).toBe('area-of-habitat-aoh');
    expect(slug('  Élévation & pentes — 2024 ')).toBe('elevation-pentes-2024');
    expect(slug('!!!')).toBe('');
    // Letters NFKD leaves whole are spelled out as they are in ASCII, not dropped or made separators.
    expect(slug('Æsir Straße Øresund Łódź Þing')).toBe('aesir-strasse-oresund-lodz-thing');
    expect(slug('a'.repeat(60))).toHaveLength(48);
  });
});

describe('block ids', () => {
  it('come from the section heading, numbered when a section has several blocks', () => {
    expect(ids(`${fence}shark-run\necho\n${fence}\n\n# Download data\n\n${fence}shark-import\nhttps://x.org/a /data/a\n${fence}\n\n${fence}shark-run\ncat /data/a\n${fence}\n\n# Download data\n\n${fence}shark-run\necho\n${fence}\n`)).toEqual([
      'run', 'download-data', 'download-data-2', 'download-data-3',
    ]);
  });

  it('use the kind before any heading or for a heading with no letters', () => {
    expect(ids(`${fence}shark-import\nhttps://x.org/a /data/a\n${fence}\n\n# ???\n\n${fence}shark-publish\n/data/a\n${fence}\n`)).toEqual(['import', 'publish']);
  });

  it('give a heading its own name before a block named after its kind', () => {
    const run = (out: string) => `${fence}shark-run\necho > /data/${out}\n${fence}\n\n`;
    expect(ids(`# 🐟\n\n${run('a')}# Run\n\n${run('b')}`)).toEqual(['run-2', 'run']);
    expect(ids(`${run('a')}# 种子\n\n${run('b')}# Run\n\n${run('c')}`)).toEqual(['run-2', 'run-3', 'run']);
  });

  it('take {id=…} instead, and generated ids step around explicit ones', () => {
    expect(ids(`# Fit\n\n${fence}shark-run\necho\n${fence}\n\n${fence}shark-run {id=fit}\necho\n${fence}\n\n${fence}shark-run {id=fit-2}\necho\n${fence}\n`)).toEqual(['fit-3', 'fit', 'fit-2']);
  });

  it('are each used once: a numbered id steps around a heading that gives the same name', () => {
    const run = (out: string) => `${fence}shark-run\necho > /data/${out}\n${fence}\n\n`;
    // Two blocks under `Step` and one under `Step 2`: the second of `Step` would have been `step-2`.
    const collided = `## Step\n\n${run('a')}${run('b')}## Step 2\n\n${fence}shark-run\ncat /data/a /data/b > /data/c\n${fence}\n`;
    expect(ids(collided)).toEqual(['step', 'step-3', 'step-2']);
    const { pipeline } = loadPipeline('p.md', collided);
    expect(pipeline!.steps.find((s) => s.id === 'step-2')!.after).toEqual(['step', 'step-3']);
    expect(ids(`# data-2\n\n${run('a')}# Data\n\n${run('b')}# Data\n\n${run('c')}`)).toEqual(['data-2', 'data', 'data-3']);
    expect(ids(`# Step 2\n\n${run('a')}# Step\n\n${run('b')}${run('c')}${run('d')}`)).toEqual(['step-2', 'step', 'step-3', 'step-4']);
    expect(ids(`# Step\n\n${run('a')}${run('b')}${fence}shark-run {id=step-3}\necho > /data/c\n${fence}\n\n# Step 2\n\n${run('d')}`))
      .toEqual(['step', 'step-4', 'step-3', 'step-2']);
  });

  it('keep the ids they had where no two blocks shared one', () => {
    // A numbered id of another heading's base never equals a heading's own: these stay as they were.
    expect(ids(`# Step\n\n${fence}shark-run\necho\n${fence}\n\n${fence}shark-run\necho\n${fence}\n\n# Step 3\n\n${fence}shark-run\necho\n${fence}\n\n${fence}shark-run\necho\n${fence}\n`))
      .toEqual(['step', 'step-2', 'step-3', 'step-3-2']);
  });

  it('name each step of a block with several after it', () => {
    const { pipeline } = loadPipeline('p.md', `# Fit\n\n${fence}shark-run\necho a\necho b\n${fence}\n\n${fence}shark-import\nhttps://x.org/a /data/a\n# comment\nhttps://x.org/b /data/b\n${fence}\n`);
    expect(pipeline!.steps.map((s) => s.id)).toEqual(['fit.1', 'fit.2', 'fit-2.1', 'fit-2.2']);
    expect(pipeline!.blocks.map((b) => b.steps)).toEqual([['fit.1', 'fit.2'], ['fit-2.1', 'fit-2.2']]);
  });
});

describe('an id given twice', () => {
  // Markdown keeps the info string as written: spaces or a tab before `{`, or none, move the option.
  it('is an error at the `id` that repeats, wherever the spaces before the options put it', () => {
    const block = (info: string, out: string) => `${fence}${info}\necho > /data/${out}\n${fence}\n\n`;
    const { diagnostics } = loadPipeline('p.md', block('shark-run {id=x}', 'a') + block('shark-run   {id=x}', 'b')
      + block('shark-run\t{network, id=x}', 'c') + block('shark-run{id=x}', 'd'));
    expect(diagnostics.map((d) => `${d.at.line}:${d.at.col}`)).toEqual(['5:17', '9:24', '13:14']);
  });
});
