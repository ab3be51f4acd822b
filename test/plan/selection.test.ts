import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/pipeline/load.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';
import { selectSteps, splitList } from '../../src/plan/selection.js';

const fence = '```';

function pipelineOf(text: string): Pipeline {
  const { pipeline, diagnostics } = loadPipeline('p.md', text);
  expect(diagnostics.map((d) => d.message)).toEqual([]);
  return pipeline!;
}

const DOC = `# A

${fence}shark-run
echo 1 > /data/a.txt
echo 2 > /data/b.txt
${fence}

# Maps

${fence}shark-run
cat /data/a.txt > /data/out/x.txt
${fence}

# Check

${fence}shark-run {manual}
cat /data/out/x.txt > /data/check.txt
${fence}

# After check

${fence}shark-run
cat /data/check.txt > /data/final.txt
${fence}

${fence}shark-publish
/data/out/
${fence}
`;

const ids = (s: ReadonlySet<string>): string[] => [...s].sort();

describe('selectSteps', () => {
  const pipeline = pipelineOf(DOC);

  it('without targets leaves out {manual} blocks and what reads from them', () => {
    const r = selectSteps(pipeline, []);
    expect(r.ok && ids(r.selection.steps)).toEqual(['a.1', 'a.2', 'after-check-2', 'maps']);
    expect(r.ok && [...r.selection.manual]).toEqual([['check', 'check'], ['after-check', 'check']]);
  });

  it('a step id, a path inside an output directory, and a block id each close over what they read', () => {
    const step = selectSteps(pipeline, ['a.2']);
    // Steps of one block run in order: `a.2` needs `a.1`.
    expect(step.ok && ids(step.selection.steps)).toEqual(['a.1', 'a.2']);
    const path = selectSteps(pipeline, ['/data/out/x.txt']);
    expect(path.ok && ids(path.selection.steps)).toEqual(['a.1', 'after-check-2', 'maps']);
    const block = selectSteps(pipeline, ['after-check']);
    expect(block.ok && ids(block.selection.steps)).toEqual(['a.1', 'after-check', 'after-check-2', 'check', 'maps']);
    expect(block.ok && block.selection.leftOut).toBe(1);
  });

  it('a target never brings along a {manual} publish block, though it makes what the block copies out (it published)', () => {
    const doc = pipelineOf(`${fence}shark-run\necho 1 > /data/n.txt\n${fence}\n\n${fence}shark-publish {manual}\n/data/n.txt\n${fence}\n`);
    const byPath = selectSteps(doc, ['/data/n.txt']);
    expect(byPath.ok && ids(byPath.selection.steps)).toEqual(['run']);
    const named = selectSteps(doc, ['publish']);
    expect(named.ok && ids(named.selection.steps)).toEqual(['publish', 'run']);
  });

  it('--force takes block ids and comma lists, and names no publish block', () => {
    const r = selectSteps(pipeline, [], ['a,maps']);
    expect(r.ok && ids(r.selection.forced)).toEqual(['a.1', 'a.2', 'maps']);
    const bad = selectSteps(pipeline, [], ['after-check-2']);
    expect(bad.ok).toBe(false);
  });

  it('an unknown name is an error naming the blocks and the closest', () => {
    const r = selectSteps(pipeline, ['mpas']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('`mpas` is no /data path or block of this pipeline (did you mean `maps`? blocks: a, maps, check, after-check, after-check-2)');
    const input = selectSteps(pipeline, ['/data/nothing']);
    expect(!input.ok && input.error.message).toBe('no step writes /data/nothing');
  });

  it('a shark-build block, which dag lists, is said to be no target, and why', () => {
    const built = pipelineOf(`## Tools\n\n${fence}shark-build:bb\nFROM busybox\n${fence}\n\n## Use\n\n${fence}shark-run:bb\necho hi > /data/hi.txt\n${fence}\n`);
    const r = selectSteps(built, ['tools']);
    expect(!r.ok && r.error.message).toBe('`tools` is the shark-build block of environment bb: it writes no /data path, so it is no target; its image is built when a block that runs in it is (use)');
  });

  it('a shark-publish block named by --force is said to be one, with nothing to force', () => {
    const r = selectSteps(pipeline, [], ['after-check-2']);
    expect(!r.ok && r.error.message).toBe('`after-check-2` is a shark-publish block: it keeps no result, so there is nothing to force; it publishes on every run that makes what it copies out');
  });

  it('splits comma lists outside instance brackets', () => {
    expect(splitList('a, b[X=1,Y=2],c')).toEqual(['a', 'b[X=1,Y=2]', 'c']);
  });
});
