import { describe, expect, it } from 'vitest';
import { graphOf } from '../../src/pipeline/dag-format.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';

/** Just what `graphOf` reads of a pipeline: blocks with their paths. */
function pipelineOf(blocks: { id: string; inputs: string[]; outputs: string[] }[]): Pipeline {
  return { blocks: blocks.map((b) => ({ ...b, kind: 'run', env: 'host' })), environments: new Map() } as unknown as Pipeline;
}

describe('the DAG of files and steps', () => {
  it('links a path to the first listed directory holding it, its writer first when it wrote the directory', () => {
    const { files, edges } = graphOf(pipelineOf([
      { id: 'sum', inputs: ['/data/a/b/c.txt', '/data/x/'], outputs: ['/data/a/b/'] },
      { id: 'make', inputs: [], outputs: ['/data/a/', '/data/x/y/z.txt', '/data/ab/'] },
    ]));
    expect(files).toEqual(['/data/a/b/c.txt', '/data/x/', '/data/a/b/', '/data/a/', '/data/x/y/z.txt', '/data/ab/']);
    const between = edges.filter(([a, b]) => a.startsWith('f:') && b.startsWith('f:'));
    expect(between).toEqual([
      ['f:/data/a/b/', 'f:/data/a/b/c.txt'], // the nearer of two listed directories, listed first
      ['f:/data/a/', 'f:/data/a/b/'],
      // Nobody writes /data/x/ whole: the file written into it makes it (the fan-in of a sweep).
      ['f:/data/x/y/z.txt', 'f:/data/x/'],
    ]);
    // /data/ab/ is not inside /data/a/.
    expect(between.some(([a, b]) => a === 'f:/data/a/' && b === 'f:/data/ab/')).toBe(false);
  });
});
