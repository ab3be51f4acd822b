import { graphOf } from '../pipeline/dag-format.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { blockAnchor, esc, shownPathHref } from './html.js';
import { listAt } from '../multimap.js';
import { maxOf } from '../fold.js';

const GAP = 34;
const ROW = 54;
const H = 40;
const PAD = 12;
/** Width of a character of the 13px monospace label (the subtitle's 11px sans is narrower). */
const CHAR = 7.9;

interface Node {
  readonly key: string;
  readonly text: string;
  readonly sub: string;
  readonly href: string;
  readonly cls: string;
  readonly block?: string;
  layer: number;
  row: number;
}

function clip(s: string, n = 40): string {
  return s.length <= n ? s : `…${s.slice(s.length - n + 1)}`;
}

/**
 * The DAG as inline SVG drawn on the server (the page loads nothing from
 * elsewhere): blocks and data paths as nodes in layers by longest path from a
 * source, left to right, each linking to its block or its result page.
 */
export function dagSvg(pipeline: Pipeline, statusOf: (block: string) => string = () => 'unknown'): string {
  const { files, edges } = graphOf(pipeline);
  const nodes = new Map<string, Node>();
  for (const b of pipeline.blocks) {
    const sub = b.kind === 'run' ? `run on ${b.env ?? 'host'}` : b.kind === 'build' ? `build ${b.env ?? ''}` : b.kind;
    nodes.set(`b:${b.id}`, { key: `b:${b.id}`, text: b.id, sub, href: `#${blockAnchor(b.id)}`, cls: `dag-block dag-${b.kind}`, block: b.id, layer: 0, row: 0 });
  }
  for (const f of files) nodes.set(`f:${f}`, { key: `f:${f}`, text: f, sub: f.endsWith('/') ? 'directory' : 'data', href: shownPathHref(f), cls: 'dag-file', layer: 0, row: 0 });
  const usable = edges.filter(([a, b]) => nodes.has(a) && nodes.has(b) && a !== b);
  // Longest path layering; the graph is acyclic by construction, and the bound guards against a surprise.
  for (let pass = 0; pass < nodes.size; pass++) {
    let moved = false;
    for (const [a, b] of usable) {
      const from = nodes.get(a)!;
      const to = nodes.get(b)!;
      if (to.layer < from.layer + 1) (to.layer = from.layer + 1, moved = true);
    }
    if (!moved) break;
  }
  const layers = new Map<number, Node[]>();
  for (const n of nodes.values()) listAt(layers, n.layer).push(n);
  for (const list of layers.values()) list.forEach((n, i) => (n.row = i));
  const rows = maxOf(layers.values(), (l) => l.length, 1);
  const cols = maxOf(layers.keys(), (l) => l + 1, 1);
  // Each node as wide as its label, each column as wide as its widest node: a graph of short names stays small.
  const w = (n: Node): number => Math.round(16 + CHAR * Math.max(clip(n.text).length, clip(n.sub, 30).length * 0.8));
  const colWidth = Array.from({ length: cols }, (_, l) => maxOf(layers.get(l) ?? [], w, 60));
  const colX = colWidth.map((_, l) => PAD + colWidth.slice(0, l).reduce((a, b) => a + b, 0) + l * GAP);
  const width = PAD * 2 + colWidth.reduce((a, b) => a + b, 0) + (cols - 1) * GAP;
  const height = PAD * 2 + (rows - 1) * ROW + H;
  const x = (n: Node): number => colX[n.layer]!;
  const W = (n: Node): number => colWidth[n.layer]!;
  const y = (n: Node): number => PAD + n.row * ROW + ((rows - (layers.get(n.layer)?.length ?? 1)) * ROW) / 2;
  const out: string[] = [`<svg class="dag" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="pipeline graph">`];
  for (const [a, b] of usable) {
    const from = nodes.get(a)!;
    const to = nodes.get(b)!;
    const x1 = x(from) + W(from);
    const y1 = y(from) + H / 2;
    const x2 = x(to);
    const y2 = y(to) + H / 2;
    const mid = (x1 + x2) / 2;
    out.push(`<path class="dag-edge" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 4},${y2}"/>`);
  }
  for (const n of nodes.values()) {
    const data = n.block === undefined ? '' : ` data-block="${esc(n.block)}" data-status="${esc(statusOf(n.block))}"`;
    out.push(`<a href="${esc(n.href)}" class="${n.cls}"${data}><title>${esc(n.text)}</title>`
      + `<rect x="${x(n)}" y="${y(n)}" width="${W(n)}" height="${H}" rx="6"/>`
      + `<text x="${x(n) + 8}" y="${y(n) + 17}" class="dag-text">${esc(clip(n.text))}</text>`
      + `<text x="${x(n) + 8}" y="${y(n) + 32}" class="dag-sub">${esc(clip(n.sub, 30))}</text></a>`);
  }
  out.push('</svg>');
  return out.join('\n');
}
