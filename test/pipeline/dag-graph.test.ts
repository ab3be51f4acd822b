import { describe, expect, it } from 'vitest';
import { formatDag, graphOf } from '../../src/pipeline/dag-format.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';
import { dagSvg } from '../../src/serve/dag-svg.js';

const fence = '```';

function load(source: string): Pipeline {
  const { pipeline, diagnostics } = loadPipeline('p.md', source);
  expect(diagnostics.map((d) => d.message)).toEqual([]);
  return pipeline!;
}

const doc = (...bodies: string[]): string => bodies.map((b) => `${fence}${b}\n${fence}\n`).join('\n');

/** Whether the drawing leads from `from` to `to`, following its edges. */
function reaches(edges: readonly (readonly [string, string])[], from: string, to: string): boolean {
  const seen = new Set([from]);
  const next = [from];
  while (next.length > 0) {
    const at = next.pop()!;
    for (const [a, b] of edges) if (a === at && !seen.has(b)) (seen.add(b), next.push(b));
  }
  return seen.has(to);
}

/** The edges of a mermaid drawing, as pairs of node labels. */
function mermaidEdges(text: string): [string, string][] {
  const names = new Map<string, string>();
  for (const m of text.matchAll(/^ {2}(n\d+)\W+"([^"<]*)/gm)) names.set(m[1]!, m[2]!);
  return [...text.matchAll(/^ {2}(n\d+) --> (n\d+)$/gm)].map((m) => [names.get(m[1]!)!, names.get(m[2]!)!]);
}

/** The edges of a DOT drawing, as pairs of node labels (a block's label is its id). */
function dotEdges(text: string): [string, string][] {
  const names = new Map<string, string>();
  for (const m of text.matchAll(/^ {2}(n\d+) \[.*label="([^"\\]*)/gm)) names.set(m[1]!, m[2]!);
  return [...text.matchAll(/^ {2}(n\d+) -> (n\d+);$/gm)].map((m) => [names.get(m[1]!)!, names.get(m[2]!)!]);
}

describe('the DAG of files and steps', () => {
  // A reader naming the map's output directory without its trailing slash: the planner makes it wait for the map.
  const slashless = load(doc('shark-import\nin /data/in/', 'shark-run\ncp /data/in/* /data/out/+', 'shark-run\nls /data/out > /data/list.txt', 'shark-run\ncd /data/out && cat * > /data/cat.txt'));
  const [, map, ls, cd] = slashless.blocks.map((b) => b.id);

  it('draws the edge the planner sees when a reader names a directory without its trailing slash', () => {
    expect(slashless.blocks.find((b) => b.id === ls)!.after).toEqual([map]);
    expect(slashless.blocks.find((b) => b.id === cd)!.after).toEqual([map]);
    const { edges } = graphOf(slashless);
    expect(reaches(edges, `b:${map}`, `b:${ls}`)).toBe(true);
    expect(reaches(edges, `b:${map}`, `b:${cd}`)).toBe(true);
    for (const edges of [mermaidEdges(formatDag(slashless, 'mermaid')), dotEdges(formatDag(slashless, 'dot'))]) {
      expect(reaches(edges, map!, ls!)).toBe(true);
      expect(reaches(edges, map!, cd!)).toBe(true);
    }
  });

  it('puts the reader to the right of the writer in the page\'s SVG', () => {
    const svg = dagSvg(slashless);
    const xOf = (id: string): number => Number(new RegExp(`data-block="${id}"[^>]*><title>[^<]*</title><rect x="(\\d+)`).exec(svg)![1]);
    expect(xOf(ls!)).toBeGreaterThan(xOf(map!));
    expect(xOf(cd!)).toBeGreaterThan(xOf(map!));
  });

  it('links a file to the writer of the directory holding it, and a directory only written into to the files written there', () => {
    const p = load(doc(
      'shark-run {id=make}\nunzip -d /data/a/ x.zip',
      'shark-run {id=one}\necho 1 > /data/x/y/z.txt',
      'shark-run {id=two}\necho 2 > /data/x/w.txt',
      'shark-run {id=sum}\ncat /data/a/b/c.txt /data/x/ > /data/ab',
    ));
    const { files, edges } = graphOf(p);
    const between = edges.filter(([a, b]) => a.startsWith('f:') && b.startsWith('f:'));
    expect(files).toEqual(['/data/a/', '/data/x/y/z.txt', '/data/x/w.txt', '/data/a/b/c.txt', '/data/x/', '/data/ab']);
    expect(between.sort()).toEqual([
      ['f:/data/a/', 'f:/data/a/b/c.txt'],
      // Nobody writes /data/x/ whole: the files written into it make it (the fan-in of a sweep).
      ['f:/data/x/w.txt', 'f:/data/x/'],
      ['f:/data/x/y/z.txt', 'f:/data/x/'],
    ]);
    for (const writer of ['make', 'one', 'two']) expect(reaches(edges, `b:${writer}`, 'b:sum')).toBe(true);
    // Nothing but the planner's writers: /data/ab is not inside /data/a/.
    expect(reaches(edges, 'b:sum', 'b:make')).toBe(false);
    expect(between.every(([a, b]) => a !== b)).toBe(true);
  });
});
