import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPipeline } from '../../src/pipeline/load.js';
import { ROOT, Rig } from '../support/rig.js';
import { cpSync } from 'node:fs';

describe('the front door', () => {
  it('the README example is a valid pipeline with a map and a reduce', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = /````markdown\n([\s\S]*?)````/.exec(readme)![1]!;
    const { pipeline, diagnostics } = loadPipeline('README.md', example);
    expect(diagnostics).toEqual([]);
    const map = pipeline!.steps.find((s) => s.inputs.some((i) => i.pattern === '*'));
    expect(map?.outputs.map((o) => o.perItem)).toEqual([true]);
    const reduce = pipeline!.steps.at(-1)!;
    expect(reduce.inputs.map((i) => [i.path, i.isDir])).toEqual([['/data/aoh', true]]);
  });

  it('the example pipeline runs from a copy of pipelines/, then is fully cached', async () => {
    const rig = new Rig();
    try {
      cpSync(join(ROOT, 'pipelines/example.md'), rig.path('example.md'));
      cpSync(join(ROOT, 'pipelines/example-data'), rig.path('example-data'), { recursive: true });
      const first = await rig.shark(['run', 'example.md']);
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(rig.read('_shark/summary.csv')).toBe('dormouse,1\nptarmigan,4\npuffin,0\n');
      const second = await rig.shark(['run', 'example.md']);
      expect(second.stdout).toMatch(/ok: 0 run, 6 cached, 0 failed/);
    } finally {
      rig.cleanup();
    }
  });
});
